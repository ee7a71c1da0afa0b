import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { fixture, tempDir } from '../helpers/paths.js';
import { runBin, type BinRun } from '../helpers/bin.js';
import { childrenOf, isRunning, killAll, killAtEnd, onLinux } from '../helpers/processes.js';
import { statusLines } from '../helpers/statuses.js';

const leftovers = killAtEnd();

/** The pids of every "started pid N" status line. */
function startedPids(run: BinRun): number[] {
  return statusLines(run.stderr()).flatMap((line) => {
    const match = /^started pid (\d+)/.exec(line);
    return match ? [Number(match[1])] : [];
  });
}

/**
 * The CLI's exit. Its children share its stdout, so a CLI that died and left one behind never
 * closes: after `ms`, everything known is killed so that the test fails instead of hanging.
 */
async function ended(run: BinRun, ms = 15_000): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  const timer = setTimeout(() => killAll([run.process.pid as number, ...leftovers, ...startedPids(run)]), ms);
  try {
    return await run.exited;
  } finally {
    clearTimeout(timer);
  }
}

function assertClean(run: BinRun): void {
  const stderr = run.stderr();
  assert.doesNotMatch(stderr, /^\s+at /m, 'no stack trace');
  assert.doesNotMatch(stderr, /unexpected error|Unhandled|ERR_/i);
}

test('a storm of 50 SIGTERMs ends keepalive once, cleanly: exit 0, one stop, nothing left', onLinux, async () => {
  const run = runBin(['start', fixture('torture-graceful.js'), '200']);
  const [, pid] = await run.waitFor('stdout', /ready (\d+)/);
  leftovers.add(Number(pid));
  for (let i = 0; i < 50; i++) run.process.kill('SIGTERM');
  assert.deepEqual(await ended(run), { code: 0, signal: null });
  const lines = statusLines(run.stderr());
  assert.equal(lines.filter((line) => line === 'stopped').length, 1, lines.join('\n'));
  assert.equal(lines.filter((line) => line === 'SIGTERM received: stopping').length, 1, lines.join('\n'));
  assert.equal(lines.at(-1), 'stopped');
  assert.equal(startedPids(run).length, 1, 'no restart during the storm');
  assert.equal(isRunning(Number(pid)), false);
  assertClean(run);
});

test('a storm of 50 SIGTERMs against a tree that ignores SIGTERM: exit 0 by killTTL at the latest, the whole tree gone', onLinux, async () => {
  // The kernel merges a signal sent while the same one is pending: the storm may arrive as one
  // SIGTERM (a graceful stop, SIGKILL after killTTL) or as several (the second one forces).
  const run = runBin(['start', '--killTTL', '1s', fixture('torture-tree.js')]);
  const [, list] = await run.waitFor('stdout', /ready ([\d ]+)\n/);
  const pids = (list as string).split(' ').map(Number);
  pids.forEach((pid) => leftovers.add(pid));
  const started = performance.now();
  for (let i = 0; i < 50; i++) run.process.kill('SIGTERM');
  assert.deepEqual(await ended(run), { code: 0, signal: null });
  assert.ok(performance.now() - started < 1000 + 2000, 'by killTTL, with room for a loaded machine');
  assert.deepEqual(pids.filter(isRunning), []);
  assert.equal(statusLines(run.stderr()).filter((line) => line === 'stopped').length, 1);
  assertClean(run);
});

test('SIGTERM while a restart is pending: exit 0 at once, no new child', onLinux, async () => {
  const run = runBin(['start', '--minUptime', '1h', '--spinSleepTime', '30s', fixture('exit-with.js'), '1']);
  await run.waitFor('stderr', /restarting in 30000 ms \(spinning\)/);
  const started = performance.now();
  run.process.kill('SIGTERM');
  assert.deepEqual(await ended(run), { code: 0, signal: null });
  assert.ok(performance.now() - started < 10_000, 'not after spinSleepTime');
  assert.equal(startedPids(run).length, 1);
  assertClean(run);
});

test('SIGUSR2 then SIGTERM at once, and SIGTERM during the restart: exit 0, never two children, none left', onLinux, async () => {
  for (const order of [['SIGUSR2', 'SIGTERM'], ['SIGUSR2', 'SIGUSR2', 'SIGTERM', 'SIGUSR2']] as NodeJS.Signals[][]) {
    const run = runBin(['start', fixture('torture-graceful.js'), '50']);
    const [, pid] = await run.waitFor('stdout', /ready (\d+)/);
    leftovers.add(Number(pid));
    for (const signal of order) run.process.kill(signal);
    const most = (async () => {
      let highest = 0;
      while (run.process.exitCode === null) {
        highest = Math.max(highest, childrenOf(run.process.pid as number).length);
        await new Promise((resolve) => setTimeout(resolve, 2));
      }
      return highest;
    })();
    assert.deepEqual(await ended(run), { code: 0, signal: null }, run.stderr());
    assert.ok((await most) <= 1, 'never two children at once');
    startedPids(run).forEach((started) => leftovers.add(started));
    assert.deepEqual(startedPids(run).filter(isRunning), []);
    assertClean(run);
  }
});

test('SIGHUP and SIGUSR2 in quick succession, 20 times: keepalive stays up, one child at a time, logs intact', onLinux, async () => {
  const logFile = path.join(tempDir(), 'all.log');
  const run = runBin(['start', '-t', '-l', logFile, fixture('torture-graceful.js'), '5']);
  await run.waitFor('stderr', /started pid (\d+)/);
  const cli = run.process.pid as number;
  let most = 0;
  for (let i = 0; i < 20; i++) {
    run.process.kill('SIGHUP');
    run.process.kill('SIGUSR2');
    most = Math.max(most, childrenOf(cli).length);
    await new Promise((resolve) => setImmediate(resolve));
  }
  // At least one restart went through; wait for its child, then check and stop.
  await run.waitFor('stderr', /started pid \d+ \(run 2\)/);
  assert.equal(run.process.exitCode, null, 'still running');
  most = Math.max(most, childrenOf(cli).length);
  run.process.kill('SIGTERM');
  assert.deepEqual(await ended(run), { code: 0, signal: null }, run.stderr());
  assert.ok(most <= 1, `never two children at once (${most})`);
  const pids = startedPids(run);
  pids.forEach((pid) => leftovers.add(pid));
  assert.deepEqual(pids.filter(isRunning), []);
  // Children restarted this fast may die before they say ready; the log still has every run,
  // one exit per start, and only whole lines.
  const log = readFileSync(logFile, 'utf8').split('\n').slice(0, -1);
  assert.ok(log.every((line) => /^\S+Z (ready \d+|keepalive: .+)$/.test(line)), log.join('\n'));
  assert.equal(log.filter((line) => / keepalive: started pid /.test(line)).length, pids.length);
  assert.equal(log.filter((line) => / keepalive: exited with /.test(line)).length, pids.length);
  assert.match(log.at(-1) as string, / keepalive: stopped$/);
  assertClean(run);
});
