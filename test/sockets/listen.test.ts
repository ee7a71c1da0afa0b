import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { test } from 'node:test';
import { Monitor, type StatusEvent } from '../../src/index.js';
import { startReady } from '../helpers/events.js';
import { freePort, getJson } from '../helpers/http.js';
import { fixture, tempDir } from '../helpers/paths.js';
import { until } from '../helpers/polling.js';
import { statuses } from '../helpers/statuses.js';

const quiet = { silent: true } as const;
/** A crash counts as spinning and waits 400 ms: the time in which a request finds no child. */
const slowRestart = { minUptime: 60_000, spinSleepTime: 400 } as const;

/** Crashes the child and resolves once the monitor waits to restart it: no child runs then. */
async function crashAndWait(monitor: Monitor, port: number, seen: StatusEvent[]): Promise<void> {
  await getJson(port, '/crash');
  await until('the monitor to wait for its restart', () => seen.some((event) => event.type === 'restarting') && monitor.state === 'waiting');
}

test('listen: a request that comes while no child runs waits and is answered by the next child; without it, refused', async () => {
  const port = await freePort();
  const held = new Monitor(fixture('listen-server.js'), { ...quiet, ...slowRestart, listen: port, env: { PORT: port } });
  const seen = statuses(held);
  const [first] = await startReady(held);
  assert.deepEqual(seen[0], { type: 'listening', addresses: [String(port)] });
  const answer = await getJson(port);
  // systemd's convention, LISTEN_PID being the child's own pid; fd 3 is the socket it listens on.
  assert.deepEqual({ ...answer, fd3: undefined }, { pid: first, LISTEN_FDS: '1', LISTEN_PID: String(first), LISTEN_FDNAMES: String(port), fd3: undefined });

  await crashAndWait(held, port, seen);
  assert.equal(held.child, undefined);
  const waited = await getJson(port);
  assert.notEqual(waited.pid, first);
  assert.equal(waited.pid, held.data.pid);
  await held.stop();

  const plain = new Monitor(fixture('listen-server.js'), { ...quiet, ...slowRestart, env: { PORT: port } });
  const plainSeen = statuses(plain);
  await startReady(plain);
  await crashAndWait(plain, port, plainSeen);
  await assert.rejects(getJson(port), { code: 'ECONNREFUSED' });
  await plain.stop();
});

test('listen: the socket is closed when the monitor stops, and made again by the next start', async () => {
  const port = await freePort();
  const monitor = new Monitor(fixture('listen-server.js'), { ...quiet, listen: `127.0.0.1:${port}`, env: { PORT: port } });
  await startReady(monitor);
  await monitor.stop();
  await assert.rejects(getJson(port), { code: 'ECONNREFUSED' });
  const [again] = await startReady(monitor);
  assert.equal((await getJson(port)).pid, again);
  await monitor.stop();
});

test('listen: a Unix socket path, passed with an IPC channel (which moves above the sockets); its file is removed at stop', async () => {
  const socket = path.join(tempDir(), 'app.sock');
  const monitor = new Monitor(fixture('listen-server.js'), { ...quiet, fork: true, listen: socket, env: { SOCKET_PATH: socket } });
  const [pid] = await startReady(monitor);
  const answer = await getJson(socket);
  assert.equal(answer.pid, pid);
  assert.equal(answer.LISTEN_FDNAMES, socket);
  assert.equal(typeof answer.fd3, 'number');
  await monitor.stop();
  assert.equal(existsSync(socket), false);
});

test('listen: an address in use fails start() with LISTEN naming it, before any child runs', async () => {
  const port = await freePort();
  const taken = net.createServer().listen(port, '127.0.0.1');
  await new Promise((resolve) => taken.once('listening', resolve));
  const monitor = new Monitor(fixture('listen-server.js'), { ...quiet, listen: [`127.0.0.1:${port}`] });
  assert.throws(() => monitor.start(), { code: 'LISTEN', message: `listen 127.0.0.1:${port}: cannot bind (EADDRINUSE)` });
  assert.equal(monitor.state, 'idle');
  taken.close();
});

test('listen: the notification pipe must stay below fd 10; too many sockets before it fail start() naming both options, and close the sockets', () => {
  const dir = tempDir();
  const paths = Array.from({ length: 7 }, (_, index) => path.join(dir, `s${index}.sock`));
  const monitor = new Monitor(fixture('idle.js'), { silent: true, listen: paths, ready: 'notify' });
  assert.throws(() => monitor.start(), {
    code: 'INVALID_OPTION',
    message: /^ready: 'notify' or healthCheck: heartbeat: its notify descriptor must be below 10, and would be 10 \(listen takes fds 3-9\); pass fewer listen addresses$/,
  });
  assert.equal(monitor.state, 'idle');
  assert.deepEqual(paths.filter((file) => existsSync(file)), []);
});
