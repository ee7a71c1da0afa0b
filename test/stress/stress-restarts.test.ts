// npm run test:stress: 10,000 restarts of a fast-failing child, plain and through pipes.
import assert from 'node:assert/strict';
import path from 'node:path';
import { test } from 'node:test';
import { tempDir } from '../helpers/paths.js';
import { runLeakHost, type LeakReport } from '../helpers/leak-runner.js';
import { onLinux } from '../helpers/processes.js';

const RESTARTS = Number(process.env.KEEPALIVE_TORTURE_RESTARTS ?? 10_000);
const WARM_UP = 1000;
const MIB = 1024 * 1024;
const long = { ...onLinux, timeout: 60 * 60 * 1000 };

function checkFlat(report: LeakReport): void {
  assert.equal(report.times, RESTARTS);
  const growth = report.end.heap - report.warm.heap;
  assert.ok(growth < 2 * MIB, `heap after GC grew ${(growth / MIB).toFixed(2)} MiB from restart ${WARM_UP} to ${RESTARTS}`);
  assert.ok(report.end.fds <= report.warm.fds, `fds: ${report.warm.fds} after the warm-up, ${report.end.fds} at the end`);
  const spread = Math.max(...report.samples) - Math.min(...report.samples);
  assert.ok(spread <= 4, `fds stayed level: ${Math.min(...report.samples)}..${Math.max(...report.samples)}`);
  assert.deepEqual(report.warnings, [], 'no MaxListenersExceeded (or any) warning');
  assert.deepEqual(report.errors, []);
}

test(`${RESTARTS} restarts of /bin/false (spinSleepTime 0): heap flat within 2 MiB after GC, no fd growth, no warning`, long, async () => {
  checkFlat(await runLeakHost(['/bin/false'], { silent: true, max: RESTARTS, spinSleepTime: 0 }, WARM_UP));
});

test(`${RESTARTS} restarts with pipes, timestamps, a listener, outFile and logFile: flat, and every byte arrives`, long, async () => {
  const dir = tempDir();
  const report = await runLeakHost(
    ['/bin/echo', 'moo'],
    { silent: true, max: RESTARTS, spinSleepTime: 0, timestamp: true, outFile: path.join(dir, 'out.log'), logFile: path.join(dir, 'all.log') },
    WARM_UP,
  );
  checkFlat(report);
  assert.equal(report.bytes, RESTARTS * 4);
});
