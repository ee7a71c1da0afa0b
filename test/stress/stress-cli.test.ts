// npm run test:stress: random command lines and config files through the real bin, each in a
// process of its own: never a stack trace, always exit 0, 1 or 2 (0 after a SIGTERM), a message
// whenever it is not 0, and nothing left running.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { FLAGS as ALL_FLAGS } from '../../src/cli/flags.js';
import { fixture, tempDir } from '../helpers/paths.js';
import { runBin } from '../helpers/bin.js';
import { isRunning, killAtEnd } from '../helpers/processes.js';
import { between, pick, random, type Random } from '../helpers/random.js';

const CASES = Number(process.env.KEEPALIVE_TORTURE_CLI ?? 200);
const leftovers = killAtEnd();

// Every flag of start but -d and the names, which would leave watchdogs behind in $KEEPALIVE_HOME.
const FLAGS = [
  ...ALL_FLAGS.filter((flag) => flag.group !== 'named').flatMap((flag) => [`--${flag.name}`, ...(flag.short ? [`-${flag.short}`] : []), ...(flag.kind === 'bool' ? [`--no-${flag.name}`] : [])]),
  '--', '-', '--nope', '--constructor', '--__proto__', '-xyz',
];
const VALUES = ['1', '0', '-1', '3', '2s', '1.5s', '10ms', 'abc', '', 'SIGTERM', 'kill', '9', '0,143', 'A=1', '=x', 'x=', 'ünï', '$(id)', '1h', 'NaN'];

function word(next: Random, dir: string): string {
  const roll = next();
  if (roll < 0.4) return pick(next, FLAGS);
  if (roll < 0.8) return pick(next, VALUES);
  return path.join(dir, pick(next, ['out.log', 'no/such/dir/x.log', 'app.pid']));
}

function config(next: Random, dir: string, index: number): string {
  const file = path.join(dir, `config-${index}.json`);
  const entries: Record<string, unknown> = {};
  if (next() < 0.8) entries.script = pick(next, [fixture('exit-with.js'), ['/bin/true'], '', [], 42, 'missing.js', [process.execPath, fixture('exit-with.js'), '0']]);
  for (let i = between(next, 0, 4); i > 0; i--) {
    entries[pick(next, ['max', 'minUptime', 'spinSleepTime', 'outFile', 'env', 'args', 'killSignal', 'nope', 'silent', 'cwd', 'stdio'])] =
      pick(next, [1, 2, -1, 'x', true, null, [], {}, { A: 1 }, ['a'], 'SIGINT', 1e9]);
  }
  const text = next() < 0.1 ? pick(next, ['{', '[]', 'null', '"x"', '{"script":']) : JSON.stringify(entries);
  writeFileSync(file, text);
  return file;
}

function commandLine(next: Random, dir: string, index: number): string[] {
  const argv: string[] = next() < 0.9 ? ['start'] : [pick(next, ['stop', 'list', 'nope', '', '--help', '-v'])];
  for (let i = between(next, 0, 5); i > 0; i--) argv.push(word(next, dir));
  const target = next();
  if (target < 0.4) argv.push(fixture('exit-with.js'), '0');
  else if (target < 0.7) argv.push(config(next, dir, index));
  else if (target < 0.8) argv.push(path.join(dir, 'missing.js'));
  for (let i = between(next, 0, 2); i > 0; i--) argv.push(word(next, dir));
  return argv;
}

test(`${CASES} random command lines and config files through bin/keepalive.js: exit 0, 1 or 2, never a stack trace`, { timeout: 60 * 60 * 1000 }, async () => {
  const next = random(4242);
  const dir = tempDir();
  const problems: string[] = [];
  for (let index = 0; index < CASES; index++) {
    const argv = commandLine(next, dir, index);
    const run = runBin(argv, { cwd: dir, timeout: 30_000 });
    // A command line that runs a script for good is stopped after a while, as a user would.
    const stopper = setTimeout(() => run.process.kill('SIGTERM'), 3000);
    const { code, signal } = await run.exited;
    clearTimeout(stopper);
    for (const match of run.stderr().matchAll(/started pid (\d+)/g)) leftovers.add(Number(match[1]));
    const shown = `${JSON.stringify(argv)} -> ${code ?? signal}\n${run.stderr().slice(0, 400)}`;
    if (code === null || ![0, 1, 2].includes(code)) problems.push(`status: ${shown}`);
    if (/^\s+at .+:\d+:\d+\)?$/m.test(run.stderr() + run.stdout())) problems.push(`stack trace: ${shown}`);
    if (code !== 0 && !/keepalive: /.test(run.stderr())) problems.push(`no message: ${shown}`);
    const alive = [...leftovers].filter(isRunning);
    if (alive.length > 0) problems.push(`left running (${alive.join(', ')}): ${shown}`);
  }
  assert.deepEqual(problems, []);
});
