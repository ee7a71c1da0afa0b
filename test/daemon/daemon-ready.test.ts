import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { fixture } from '../helpers/paths.js';
import { freePort, statusOf } from '../helpers/ports.js';
import { sandbox } from '../helpers/sandbox.js';

const FAST = ['--minUptime', '200', '--killTTL', '2s'];

describe('start -d with --ready', () => {
  it('returns once a server that takes 2 s to listen is ready: a request right after is never refused; list shows its health', async () => {
    const box = sandbox();
    const port = await freePort();
    const started = await box.run([
      'start', '-d', '--name', 'slow', ...FAST, '--env', `PORT=${port}`, '--ready', 'message',
      '--healthCheck', `http://127.0.0.1:${port}/ period=1s`, fixture('slow-listen.js'), box.marker,
    ]);
    assert.equal(await statusOf(`http://127.0.0.1:${port}/`), 200);
    assert.equal(started.code, 0, started.stderr);
    assert.match(started.stdout, /^started slow: watchdog pid \d+, child pid \d+, ready\n$/);
    const [entry] = JSON.parse((await box.run(['list', '--json'])).stdout) as { status: string; health: string }[];
    assert.equal(entry?.status, 'running');
    assert.match(String(entry?.health), /^(healthy|starting)$/);
    const table = await box.run(['list']);
    assert.match(table.stdout, /\nslow +running +healthy +\d+/);
    assert.equal((await box.run(['stop', 'slow'])).code, 0);
  });

  it('a child that is not ready in time: exit 1 with why, listed as starting until then, and retried by the rules', async () => {
    const box = sandbox();
    const started = await box.run([
      'start', '-d', '--name', 'mute', ...FAST, '--ready', 'notify', '--readyTimeout', '1s', fixture('never-ready.js'), box.marker,
    ]);
    assert.equal(started.code, 1);
    assert.match(started.stderr,
      /^keepalive: mute failed at start: not ready within 1000 ms \(waited for READY=1 on the notification pipe\); exited with signal SIGTERM after \d+ ms; retrying now \(see keepalive logs mute\)\n$/);
    const [entry] = JSON.parse((await box.run(['list', '--json'])).stdout) as { status: string; health: string | null }[];
    assert.ok(entry && ['starting', 'waiting to restart'].includes(entry.status), entry?.status);
    assert.equal((await box.run(['stop', 'mute'])).code, 0);
  });
});
