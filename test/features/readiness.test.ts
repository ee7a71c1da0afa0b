import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Monitor, type StatusEvent } from '../../src/index.js';
import { nextEvent } from '../helpers/events.js';
import { fixture } from '../helpers/paths.js';
import { freePort, statusOf } from '../helpers/ports.js';
import { statuses } from '../helpers/statuses.js';

const quiet = { silent: true, killTTL: 1000 } as const;

function nextReadyEvent(monitor: Monitor): Promise<{ pid: number; after: number }> {
  return new Promise((resolve) => monitor.once('ready', resolve));
}

function types(events: readonly StatusEvent[]): string[] {
  return events.map((event) => (event.type === 'restarting' ? `restarting (${event.reason})` : event.type));
}

test("ready 'message': the child's process.send('ready') makes it ready, with a status line", async () => {
  const monitor = new Monitor(fixture('ipc-echo.js'), { ...quiet, ready: 'message' });
  const seen = statuses(monitor);
  const ready = nextReadyEvent(monitor);
  monitor.start();
  const { pid, after } = await ready;
  assert.equal(pid, monitor.child?.pid);
  assert.ok(after >= 0);
  assert.deepEqual(seen.find((event) => event.type === 'ready'), { type: 'ready', pid, after });
  await monitor.stop();
});

test("ready 'notify': a shell script's READY=1 on the pipe named by NOTIFY_FD (3) makes it ready", async () => {
  const monitor = new Monitor([fixture('notify-ready.sh')], { ...quiet, silent: false, ready: 'notify' });
  let output = '';
  monitor.on('stdout', (chunk) => (output += chunk.toString()));
  const ready = nextReadyEvent(monitor);
  monitor.start();
  const { after } = await ready;
  // The script waits 300 ms before it writes READY=1: readiness is learnt, not assumed at spawn.
  assert.ok(after >= 250, `ready after ${after} ms`);
  assert.match(output, /^started \d+ on fd 3\n/);
  await monitor.stop();
});

test('ready { http } and { tcp }: polled until the server answers; a server that takes 800 ms to listen', async () => {
  for (const probe of ['http', 'tcp'] as const) {
    const port = await freePort();
    const ready = probe === 'http' ? { http: `http://127.0.0.1:${port}/` } : { tcp: `127.0.0.1:${port}` };
    const monitor = new Monitor(fixture('slow-listen.js'), { ...quiet, env: { PORT: port, LISTEN_AFTER: 800 }, ready });
    const readyEvent = nextReadyEvent(monitor);
    monitor.start();
    const { after } = await readyEvent;
    assert.ok(after >= 700, `${probe}: ready after ${after} ms`);
    assert.equal(await statusOf(`http://127.0.0.1:${port}/`), 200);
    await monitor.stop();
  }
});

test('restart() settles when the new child is ready: a request right after it is never refused', async () => {
  const port = await freePort();
  const monitor = new Monitor(fixture('slow-listen.js'), {
    ...quiet, env: { PORT: port, LISTEN_AFTER: 500 }, ready: { http: `http://127.0.0.1:${port}/` },
  });
  const ready = nextReadyEvent(monitor);
  monitor.start();
  const first = await ready;
  await monitor.restart();
  const pid = monitor.child?.pid;
  assert.notEqual(pid, first.pid);
  assert.equal(await statusOf(`http://127.0.0.1:${port}/`), 200);
  await monitor.stop();
});

test('not ready within readyTimeout: a failed start, stopped and restarted by the rules, never ready', async () => {
  const monitor = new Monitor(fixture('never-ready.js'), { ...quiet, ready: 'message', readyTimeout: 300, max: 2 });
  const seen = statuses(monitor);
  let readies = 0;
  monitor.on('ready', () => readies++);
  const exit = nextEvent(monitor, 'exit');
  monitor.start();
  await exit;
  assert.equal(readies, 0);
  assert.deepEqual(types(seen), [
    'started', 'not-ready', 'stopping', 'exited', 'restarting (not-ready)', 'started', 'not-ready', 'stopping', 'exited', 'gave-up',
  ]);
  const notReady = seen.find((event) => event.type === 'not-ready');
  assert.deepEqual(notReady && { ...notReady, pid: 0 }, { type: 'not-ready', pid: 0, timeout: 300, waitedFor: "the message 'ready'" });
  assert.deepEqual(seen.at(-1), { type: 'gave-up', runs: 2, reason: 'max' });
});

test('a probe that keeps failing is named in the not-ready line with its last failure', async () => {
  const port = await freePort();
  const monitor = new Monitor(fixture('never-ready.js'), {
    ...quiet, ready: { tcp: `127.0.0.1:${port}` }, readyTimeout: 400, max: 1,
  });
  const seen = statuses(monitor);
  const exit = nextEvent(monitor, 'exit');
  monitor.start();
  await exit;
  const notReady = seen.find((event) => event.type === 'not-ready');
  assert.equal(notReady?.type === 'not-ready' && notReady.last, 'refused');
  assert.equal(notReady?.type === 'not-ready' && notReady.waitedFor, `tcp 127.0.0.1:${port}`);
});
