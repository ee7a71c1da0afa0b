import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { Monitor } from '../../src/index.js';
import { startReady } from '../helpers/events.js';
import { fixture, tempDir } from '../helpers/paths.js';
import { isRunning } from '../helpers/processes.js';
import { statuses } from '../helpers/statuses.js';

const quiet = { silent: true } as const;

test('reload with ready: the new child takes over when it says so, long after the time rule (1 s); the pid file follows it', async () => {
  const dir = tempDir();
  const delayFile = path.join(dir, 'delay');
  const pidFile = path.join(dir, 'app.pid');
  const monitor = new Monitor(fixture('ready-after-file.js'), { ...quiet, ready: 'message', pidFile, env: { READY_DELAY_FILE: delayFile } });
  const seen = statuses(monitor);
  const readyPids: number[] = [];
  monitor.on('ready', ({ pid }) => readyPids.push(pid));
  const [old] = await startReady(monitor);
  writeFileSync(delayFile, '2500'); // the new child says 'ready' 2.5 s after it starts
  await monitor.reload();
  const now = monitor.child?.pid as number;
  assert.notEqual(now, old);
  assert.equal(isRunning(old), false);
  const types = seen.map((event) => event.type);
  // Ready before the old one is stopped: the reload waited for the message, not for 1 s.
  assert.deepEqual(types.slice(types.indexOf('reloading')), ['reloading', 'started', 'ready', 'stopping', 'reloaded']);
  const ready = seen.filter((event) => event.type === 'ready').at(-1);
  assert.ok(ready?.type === 'ready' && ready.pid === now && ready.after >= 2500, JSON.stringify(ready));
  const stopped = seen.flatMap((event) => (event.type === 'stopping' ? [event.pid] : []));
  assert.deepEqual(stopped, [old]);
  assert.equal(readyPids.at(-1), now);
  assert.equal(readFileSync(pidFile, 'utf8').trim(), String(now));
  await monitor.stop();
});

test('reload with ready: a new child not ready within readyTimeout is a failed reload; the old one serves on, the restart rule hears nothing', async () => {
  const dir = tempDir();
  const delayFile = path.join(dir, 'delay');
  const monitor = new Monitor(fixture('ready-after-file.js'), { ...quiet, ready: 'message', readyTimeout: 1000, env: { READY_DELAY_FILE: delayFile } });
  const seen = statuses(monitor);
  const [old] = await startReady(monitor);
  writeFileSync(delayFile, '600000');
  const started = new Promise<number>((resolve) => monitor.on('status', (event) => event.type === 'started' && resolve(event.pid)));
  await assert.rejects(monitor.reload(), {
    code: 'RELOAD_FAILED',
    message: /^reload\(\): the new child was not ready within 1000 ms, waiting for the message 'ready'; the old child keeps running$/,
  });
  assert.equal(isRunning(await started), false);
  assert.equal(monitor.child?.pid, old);
  assert.equal(monitor.state, 'running');
  assert.equal(seen.at(-1)?.type, 'reload-failed');
  assert.equal(seen.some((event) => event.type === 'restarting' || event.type === 'not-ready'), false);
  await monitor.stop();
});

test('reload: health checks follow the new child: one without heartbeats is restarted as unhealthy once it took over', async () => {
  const dir = tempDir();
  const silentFile = path.join(dir, 'no-heartbeats');
  const monitor = new Monitor(fixture('ready-after-file.js'), {
    ...quiet, ready: 'message', healthCheck: { heartbeat: true, timeout: 500, failureThreshold: 2 },
    env: { READY_DELAY_FILE: path.join(dir, 'no-delay'), BEAT_UNLESS_FILE: silentFile },
  });
  const seen = statuses(monitor);
  const [old] = await startReady(monitor);
  writeFileSync(silentFile, '');
  const unhealthy = new Promise<void>((resolve) => monitor.on('status', (event) => event.type === 'restarting' && resolve()));
  await monitor.reload();
  const now = monitor.child?.pid as number;
  await unhealthy;
  const restarting = seen.find((event) => event.type === 'restarting');
  assert.deepEqual(restarting && 'failedFor' in restarting ? restarting.failedFor : undefined, 'unhealthy');
  // The old child was healthy until the reload stopped it; the new one was stopped for its silence.
  const stopped = seen.flatMap((event) => (event.type === 'stopping' ? [event.pid] : []));
  assert.deepEqual(stopped, [old, now]);
  await monitor.stop();
});
