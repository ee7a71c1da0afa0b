// 5. CLI start: wall time of `--version` for each command-line tool, against bare node.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { root } from '../lib/harness.mjs';
import { median, now } from '../lib/util.mjs';
import { millis, ratio } from '../lib/format.mjs';

export const id = 'cli';
export const title = 'CLI start: wall time of `--version`';

export async function run(ctx) {
  const pm2Home = ctx.run.folder('pm2-home-cli');
  const commands = [
    { name: '`node -e 0`', args: ['-e', '0'], system: 'node' },
    { name: '`keepalive --version`', args: [path.join(root, 'bin/keepalive.js'), '--version'], system: 'keepalive' },
    { name: '`forever --version`', args: [path.join(root, 'node_modules/forever/bin/forever'), '--version'], system: 'forever-monitor' },
    { name: '`pm2 --version`', args: [path.join(root, 'node_modules/pm2/bin/pm2'), '--version'], system: 'pm2' },
  ].filter((command) => command.system === 'node' || ctx.systems.has(command.system));
  const times = new Map(commands.map((command) => [command, []]));
  const problems = new Map();
  for (let round = 0; round < ctx.config.cliRuns; round += 1) {
    for (const command of commands) {
      if (!existsSync(command.args[0]) && command.args[0] !== '-e') {
        problems.set(command, `${path.relative(root, command.args[0])} is missing`);
        continue;
      }
      const started = now();
      const result = spawnSync(process.execPath, command.args, {
        env: { ...ctx.run.env, PM2_HOME: pm2Home },
        encoding: 'utf8',
        timeout: 30_000,
      });
      const ms = now() - started;
      if (result.status !== 0) problems.set(command, `exit ${result.status ?? result.signal}: ${(result.stderr || result.stdout).trim().split('\n')[0]}`);
      else times.get(command).push(ms);
    }
  }
  ctx.run.killAll(); // in case a tool left a daemon behind
  const node = median(times.get(commands[0]));
  const figure = (command) => median(times.get(command));
  const keepaliveCommand = commands.find((command) => command.system === 'keepalive');
  const keepalive = keepaliveCommand ? figure(keepaliveCommand) : NaN;
  const rows = commands.map((command) => [
    command.name,
    millis(figure(command), 0),
    ratio(figure(command) / node),
    command.system === 'keepalive' ? '' : ratio(keepalive / figure(command)),
    problems.get(command) ?? '',
  ]);
  for (const command of commands) ctx.log(`  ${command.name}: ${millis(figure(command), 0)}${problems.has(command) ? ` (${problems.get(command)})` : ''}`);
  const targets = keepaliveCommand
    ? [{ what: 'keepalive: `--version` wall time relative to `node -e 0`', value: ratio(keepalive / node), target: '<= 2', met: keepalive / node <= 2 }]
    : [];
  return {
    intro: `Each command run ${ctx.config.cliRuns} times, interleaved, with \`${path.basename(process.execPath)}\` ${process.version}; median wall time from spawn to exit.`,
    table: { head: ['command', 'wall time', 'vs `node -e 0`', 'keepalive relative to it', 'problems'], rows },
    targets,
    summary: rows.map((row) => `${row[0]}: ${row[1]} (${row[2]} node)${row[4] ? ` ${row[4]}` : ''}`),
  };
}
