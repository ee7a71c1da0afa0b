import assert from 'node:assert/strict';
import path from 'node:path';
import { test } from 'node:test';
import { tempDir } from '../helpers/paths.js';
import { runLeakHost, type LeakReport } from '../helpers/leak-runner.js';
import { onLinux } from '../helpers/processes.js';

/** npm run test:stress sets 10000. */
const RESTARTS = Number(process.env.KEEPALIVE_TORTURE_RESTARTS ?? 200);
const WARM_UP = Math.max(50, Math.round(RESTARTS / 10));
const MIB = 1024 * 1024;

function checkFlat(report: LeakReport, runs: number): void {
  assert.equal(report.times, runs);
  const growth = report.end.heap - report.warm.heap;
  assert.ok(growth < 2 * MIB, `heap after GC grew ${(growth / MIB).toFixed(2)} MiB from restart ${WARM_UP} to ${runs}`);
  // Node opens one descriptor of its own (/dev/null) at the first spawn with pipes: count from the warm-up.
  assert.ok(report.end.fds <= report.before.fds + 1, `fds at the end ${report.end.fds}, before start() ${report.before.fds}`);
  assert.ok(report.end.fds <= report.warm.fds, `no more fds at the end (${report.end.fds}) than after the warm-up (${report.warm.fds})`);
  const spread = Math.max(...report.samples, report.warm.fds) - Math.min(...report.samples, report.warm.fds);
  assert.ok(spread <= 4, `fds stayed level while running: ${report.samples.join(', ')}`);
  assert.deepEqual(report.warnings, [], 'no warning (MaxListenersExceeded or other)');
  assert.deepEqual(report.errors, []);
  assert.ok(Object.values(report.listeners).every((count) => count <= 3), `listeners on the monitor: ${JSON.stringify(report.listeners)}`);
  assert.ok(Object.values(report.processListeners).every((count) => count <= 3), `listeners on process: ${JSON.stringify(report.processListeners)}`);
}

test(`${RESTARTS} restarts of /bin/false: heap flat within 2 MiB, no fd growth, no warning`, { ...onLinux, timeout: 60 * 60 * 1000 }, async () => {
  const report = await runLeakHost(['/bin/false'], { silent: true, max: RESTARTS, spinSleepTime: 0 }, WARM_UP);
  checkFlat(report, RESTARTS);
});

test(`${RESTARTS} restarts through pipes, timestamps, a listener and logFile: heap flat, no fd growth, nothing lost`, { ...onLinux, timeout: 60 * 60 * 1000 }, async () => {
  const dir = tempDir();
  const report = await runLeakHost(
    ['/bin/echo', 'moo'],
    { silent: true, max: RESTARTS, spinSleepTime: 0, timestamp: true, logFile: path.join(dir, 'all.log'), outFile: path.join(dir, 'out.log') },
    WARM_UP,
  );
  checkFlat(report, RESTARTS);
  assert.equal(report.bytes, RESTARTS * 'moo\n'.length, 'every run\'s output reached the listener');
});
