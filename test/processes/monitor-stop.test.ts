import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Monitor } from '../../src/index.js';
import { nextEvent, startReady } from '../helpers/events.js';
import { fixture } from '../helpers/paths.js';
import { isRunning, killAll, killAtEnd, onLinux } from '../helpers/processes.js';
import { statuses } from '../helpers/statuses.js';

const leftovers = killAtEnd();

test('a child that ignores SIGTERM gets SIGKILL after killTTL; stop() settles soon after', async () => {
  const killTTL = 300;
  const monitor = new Monitor(fixture('ignore-sigterm.js'), { silent: true, killTTL });
  const seen = statuses(monitor);
  await startReady(monitor);
  const pid = monitor.child?.pid as number;
  const started = performance.now();
  await monitor.stop();
  const took = performance.now() - started;
  assert.equal(isRunning(pid), false);
  assert.ok(took >= killTTL, `waited killTTL first (${took} ms)`);
  // A generous bound: the machine is shared; the bench measures the real latency.
  assert.ok(took < killTTL + 1500, `settled within killTTL + 1.5 s (${took} ms)`);
  assert.deepEqual(seen.find((event) => event.type === 'killing'), { type: 'killing', pids: [pid], reason: 'killTTL' });
  assert.deepEqual(monitor.lastExit && [monitor.lastExit.signal, monitor.lastExit.status], ['SIGKILL', 137]);
});

test('killSignal is sent first and a graceful child exits on it', async () => {
  const monitor = new Monitor(fixture('slow-stop.js'), { silent: true, killTTL: 10_000 });
  await startReady(monitor);
  await monitor.stop();
  assert.deepEqual(monitor.lastExit && [monitor.lastExit.code, monitor.lastExit.signal], [0, null]);
});

test('stop() reaches grandchildren in the group and one that left it with setsid', onLinux, async () => {
  const inGroup = new Monitor([process.execPath, fixture('grandchild.js')], { silent: true, killTTL: 300 });
  const [grandchild1] = await startReady(inGroup, leftovers);
  assert.equal(isRunning(grandchild1), true);
  await inGroup.stop();
  assert.equal(isRunning(grandchild1), false, 'the group member is gone');

  const escaped = new Monitor([process.execPath, fixture('grandchild.js'), 'setsid'], { silent: true, killTTL: 300 });
  const [grandchild2] = await startReady(escaped, leftovers);
  await escaped.stop();
  assert.equal(isRunning(grandchild2), false, 'the setsid grandchild is gone too (found through the tree)');
});

test('killTree: false leaves a setsid grandchild alone (the group kill cannot reach it)', onLinux, async () => {
  const monitor = new Monitor([process.execPath, fixture('grandchild.js'), 'setsid'], { silent: true, killTTL: 300, killTree: false });
  const [grandchild] = await startReady(monitor, leftovers);
  await monitor.stop();
  assert.equal(isRunning(grandchild), true);
  killAll([grandchild]);
});

test('orphans a crashed child left in its group are stopped before the next start', onLinux, async () => {
  const monitor = new Monitor([process.execPath, fixture('grandchild.js'), 'crash'], { silent: true, killTTL: 200, max: 3 });
  const grandchildren: number[] = [];
  const restarts: boolean[] = [];
  monitor.on('stdout', (chunk: Buffer) => {
    for (const match of chunk.toString().matchAll(/ready (\d+)/g)) grandchildren.push(Number(match[1]));
  });
  monitor.on('restart', () => restarts.push(grandchildren.every((pid) => !isRunning(pid))));
  const seen = statuses(monitor);
  const done = nextEvent(monitor, 'exit');
  monitor.start();
  await done;
  grandchildren.forEach((pid) => leftovers.add(pid));
  assert.equal(grandchildren.length, 3);
  assert.deepEqual(restarts, [true, true], 'no predecessor\'s orphan was alive at a restart');
  assert.ok(grandchildren.every((pid) => !isRunning(pid)), 'none survives the monitor');
  assert.ok(seen.some((event) => event.type === 'killing' && event.reason === 'leftovers'), 'SIGTERM was ignored, SIGKILL followed');
});

test('stop({ force: true }) sends SIGKILL at once, also during a graceful stop', async () => {
  const monitor = new Monitor(fixture('ignore-sigterm.js'), { silent: true, killTTL: 60_000 });
  await startReady(monitor, leftovers);
  const graceful = monitor.stop();
  const forced = monitor.stop({ force: true });
  await Promise.all([graceful, forced]);
  assert.equal(monitor.lastExit?.signal, 'SIGKILL');
});
