import assert from 'node:assert/strict';
import { fstatSync } from 'node:fs';
import { test } from 'node:test';
import { parseArgs } from '../../src/cli/args.js';
import { bindWithoutListening } from '../../src/sockets/bind.js';
import { startListening } from '../../src/sockets/start-listening.js';
import { runBin } from '../helpers/bin.js';
import { freePort, getJson } from '../helpers/http.js';
import { fixture } from '../helpers/paths.js';
import { statusLines } from '../helpers/statuses.js';

test('--listen is repeatable and reaches the listen option', () => {
  const command = parseArgs(['start', '--listen', '3000', '--listen', '127.0.0.1:3001', 'app.js']);
  assert.equal(command.kind, 'start');
  assert.deepEqual(command.kind === 'start' && command.options.listen, ['3000', '127.0.0.1:3001']);
});

test('socket activation: keepalive started with LISTEN_FDS passes the socket it got on to the child, under its name', async () => {
  const port = await freePort();
  // What systemd does for a .socket unit: a listening socket on fd 3, LISTEN_PID the started pid.
  const handle = bindWithoutListening({ kind: 'tcp', host: '127.0.0.1', port });
  startListening([handle.fd]);
  const run = runBin(['start', '--listen', `127.0.0.1:${port}`, fixture('listen-server.js')], {
    prefix: ['/bin/sh', '-c', 'LISTEN_PID=$$ LISTEN_FDS=1 LISTEN_FDNAMES=web exec "$0" "$@"'],
    stdio: ['ignore', 'pipe', 'pipe', handle.fd],
    env: { ...process.env, PORT: String(port) },
  });
  await run.waitFor('stdout', /^ready \d+/m);
  const answer = await getJson(port);
  assert.deepEqual(answer, { pid: answer.pid, LISTEN_FDS: '1', LISTEN_PID: String(answer.pid), LISTEN_FDNAMES: 'web', fd3: fstatSync(handle.fd).ino });
  run.process.kill('SIGTERM');
  assert.deepEqual(await run.exited, { code: 0, signal: null });
  assert.equal(statusLines(run.stderr())[0], `holding 127.0.0.1:${port} for the children (fd 3)`);
  handle.close();
});
