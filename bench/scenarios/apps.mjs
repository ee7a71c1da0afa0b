// 9. Apps of one file: `keepalive start <pm2 file>` with ten apps against one app, and pm2's start of
// the same ten-app file. keepalive returns once each app has run for its settle time (min_uptime,
// 1 s); pm2 returns once it has spawned them.
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { root } from '../lib/harness.mjs';
import { median, now } from '../lib/util.mjs';
import { millis, ratio } from '../lib/format.mjs';

export const id = 'apps';
export const title = 'Apps of one file: starting ten against one';

const APPS = 10;

export async function run(ctx) {
  const folder = ctx.run.folder('apps');
  writeFileSync(path.join(folder, 'package.json'), '{ "type": "commonjs" }\n');
  writeFileSync(path.join(folder, 'idle.js'), 'setInterval(() => {}, 1 << 30);\n');
  const file = (count) => {
    const name = path.join(folder, `apps${count}.config.js`);
    const apps = Array.from({ length: count }, (_, index) => ({ name: `app${index}`, script: './idle.js' }));
    writeFileSync(name, `module.exports = ${JSON.stringify({ apps })};\n`);
    return name;
  };
  const one = file(1);
  const ten = file(APPS);
  const keepaliveEnv = { ...ctx.run.env, KEEPALIVE_HOME: ctx.run.folder('keepalive-home-apps') };
  const pm2Env = { ...ctx.run.env, PM2_HOME: ctx.run.folder('pm2-home-apps') };
  const keepalive = (...args) => spawnSync(process.execPath, [path.join(root, 'bin/keepalive.js'), ...args], { env: keepaliveEnv, cwd: folder, encoding: 'utf8', timeout: 60_000 });
  const pm2 = (...args) => spawnSync(process.execPath, [path.join(root, 'node_modules/pm2/bin/pm2'), ...args], { env: pm2Env, cwd: folder, encoding: 'utf8', timeout: 60_000 });
  const timed = (start, stop) => {
    const started = now();
    const result = start();
    const ms = now() - started;
    stop();
    if (result.status !== 0) throw new Error(`exit ${result.status ?? result.signal}: ${(result.stderr || result.stdout).trim().split('\n')[0]}`);
    return ms;
  };
  const stopKeepalive = () => {
    keepalive('stop', 'all');
    keepalive('delete', 'all');
  };
  const times = { one: [], ten: [], pm2: [] };
  const withPm2 = ctx.systems.has('pm2');
  if (withPm2) pm2('ping'); // starts pm2's daemon outside the timing
  for (let round = 0; round < ctx.config.stopRuns; round += 1) {
    times.one.push(timed(() => keepalive('start', one), stopKeepalive));
    times.ten.push(timed(() => keepalive('start', ten), stopKeepalive));
    if (withPm2) times.pm2.push(timed(() => pm2('start', ten), () => pm2('delete', 'all')));
  }
  if (withPm2) pm2('kill');
  ctx.run.killAll();
  const [oneMs, tenMs, pm2Ms] = [median(times.one), median(times.ten), median(times.pm2)];
  const rows = [
    ['keepalive, 1 app', millis(oneMs, 0), ratio(1)],
    [`keepalive, ${APPS} apps`, millis(tenMs, 0), ratio(tenMs / oneMs)],
    ...(withPm2 ? [[`pm2, ${APPS} apps`, millis(pm2Ms, 0), ratio(pm2Ms / oneMs)]] : []),
  ];
  for (const row of rows) ctx.log(`  ${row[0]}: ${row[1]}`);
  return {
    intro: `\`start <file>\` of an ecosystem file, ${ctx.config.stopRuns} runs each, median wall time to exit. keepalive waits until each app has run for 1 s (its default min_uptime); pm2 returns once it has spawned them.`,
    table: { head: ['start', 'wall time', 'vs one keepalive app'], rows },
    targets: [{ what: `keepalive: ${APPS} apps of one file against one app`, value: ratio(tenMs / oneMs), target: '< 3', met: tenMs / oneMs < 3 }],
    summary: rows.map((row) => `${row[0]}: ${row[1]} (${row[2]} one app)`),
  };
}
