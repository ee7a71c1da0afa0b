// What `listen` relies on in Node itself: if a Node release changes it, this fails, loudly.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import net from 'node:net';
import { test } from 'node:test';
import { bindWithoutListening, canBindWithoutListening } from '../../src/sockets/bind.js';
import { startListening } from '../../src/sockets/start-listening.js';
import { fixture } from '../helpers/paths.js';
import { freePort, getJson } from '../helpers/http.js';
import { until } from '../helpers/polling.js';

test('node: net._createServerHandle exists and binds a socket without listening on it', async () => {
  assert.equal(typeof (net as unknown as Record<string, unknown>)._createServerHandle, 'function', 'net._createServerHandle is gone: see src/sockets/bind.ts');
  assert.equal(canBindWithoutListening(), true);
  const port = await freePort();
  const handle = bindWithoutListening({ kind: 'tcp', host: '127.0.0.1', port });
  assert.equal(typeof handle.fd, 'number');
  assert.ok(handle.fd > 2);
  // Bound, not listening: refused.
  await assert.rejects(getJson(port), { code: 'ECONNREFUSED' });
  handle.close();
});

/** How many connections wait in the accept queue of the socket listening on a port (/proc/net/tcp). */
function acceptQueue(port: number): number | undefined {
  const hexPort = port.toString(16).toUpperCase().padStart(4, '0');
  for (const row of readFileSync('/proc/net/tcp', 'utf8').split('\n').slice(1)) {
    const fields = row.trim().split(/\s+/);
    // State 0A is LISTEN; for a listening socket, rx_queue is the accept queue's length.
    if (fields[1]?.endsWith(`:${hexPort}`) && fields[3] === '0A') return Number.parseInt((fields[4] ?? '').split(':')[1] ?? '', 16);
  }
  return undefined;
}

test('node: a socket made listening by the helper queues connections that nothing here accepts, for the child that comes later', async () => {
  const port = await freePort();
  const handle = bindWithoutListening({ kind: 'tcp', host: '127.0.0.1', port });
  startListening([handle.fd]);
  assert.equal(acceptQueue(port), 0);
  assert.throws(() => bindWithoutListening({ kind: 'tcp', host: '127.0.0.1', port }), { code: 'LISTEN', message: /EADDRINUSE/ });
  // This process holds the socket and runs its event loop, yet the connection waits in the queue.
  const answered = getJson(port);
  await until('the connection to wait in the accept queue', () => acceptQueue(port) === 1);
  const server = spawn(process.execPath, [fixture('listen-fd3.js')], { stdio: ['ignore', 'ignore', 'inherit', handle.fd] });
  assert.equal((await answered).pid, server.pid);
  assert.equal(acceptQueue(port), 0);
  server.kill();
  await new Promise((resolve) => server.once('exit', resolve));
  handle.close();
});
