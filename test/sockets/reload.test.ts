import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { Monitor } from '../../src/index.js';
import { startReady } from '../helpers/events.js';
import { freePort, getJson } from '../helpers/http.js';
import { fixture, tempDir } from '../helpers/paths.js';
import { isRunning } from '../helpers/processes.js';
import { statuses } from '../helpers/statuses.js';

const quiet = { silent: true } as const;

/** Requests one after another until `done` settles; resolves with the pids that answered (in order, deduplicated) and the errors. */
async function requestsUntil(port: number, done: Promise<unknown>): Promise<{ pids: number[]; errors: string[] }> {
  let over = false;
  void done.finally(() => (over = true)).catch(() => {});
  const pids: number[] = [];
  const errors: string[] = [];
  while (!over) {
    try {
      const { pid } = await getJson(port);
      if (pids.at(-1) !== pid) pids.push(pid as number);
    } catch (error) {
      errors.push((error as NodeJS.ErrnoException).code ?? String(error));
    }
  }
  return { pids, errors };
}

test('reload: the new child starts beside the old one, which serves until the new one is ready; no request fails', async () => {
  const port = await freePort();
  const monitor = new Monitor(fixture('listen-server.js'), { ...quiet, listen: port, env: { PORT: port } });
  const seen = statuses(monitor);
  const [old] = await startReady(monitor);
  const reloaded = monitor.reload();
  const traffic = await requestsUntil(port, reloaded);
  await reloaded;
  const now = monitor.child?.pid as number;
  assert.notEqual(now, old);
  assert.equal(isRunning(old), false);
  assert.equal((await getJson(port)).pid, now);
  assert.deepEqual(traffic.errors, []);
  // Both answered while the reload ran, the old one first; never a third.
  assert.deepEqual(traffic.pids.filter((pid) => pid !== old && pid !== now), []);
  const types = seen.map((event) => event.type);
  assert.deepEqual(types.slice(types.indexOf('reloading')), ['reloading', 'started', 'stopping', 'reloaded']);
  assert.equal(monitor.times, 1);
  await monitor.stop();
});

test('reload: a new child that fails leaves the old one serving, and reload() rejects with the reason', async () => {
  const port = await freePort();
  const failFile = path.join(tempDir(), 'broken');
  const monitor = new Monitor(fixture('listen-server.js'), { ...quiet, listen: port, env: { PORT: port, FAIL_FILE: failFile } });
  const seen = statuses(monitor);
  const [old] = await startReady(monitor);
  writeFileSync(failFile, '');
  await assert.rejects(monitor.reload(), { code: 'RELOAD_FAILED', message: /^reload\(\): the new child exited with code 3 after \d+ ms before it was ready; the old child keeps running$/ });
  assert.equal(monitor.child?.pid, old);
  assert.equal((await getJson(port)).pid, old);
  assert.equal(seen.at(-1)?.type, 'reload-failed');
  assert.equal(seen.some((event) => event.type === 'restarting'), false);
  await monitor.stop();
});

test('reload: stop() during a reload stops both children; reload() without a running child is refused', async () => {
  const port = await freePort();
  const monitor = new Monitor(fixture('listen-server.js'), { ...quiet, listen: port, env: { PORT: port } });
  await assert.rejects(monitor.reload(), { code: 'NOT_STARTED' });
  const [old] = await startReady(monitor);
  const started = new Promise<number>((resolve) => monitor.on('status', (event) => event.type === 'started' && resolve(event.pid)));
  const failed = assert.rejects(monitor.reload(), { code: 'RELOAD_FAILED' });
  const next = await started;
  await monitor.stop();
  await failed;
  assert.equal(isRunning(old), false);
  assert.equal(isRunning(next), false);
  await assert.rejects(monitor.reload(), { code: 'RELOAD_FAILED', message: /no child is running/ });
});
