import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import path from 'node:path';
import { after, test } from 'node:test';
import { runBin } from '../helpers/bin.js';
import { fixture, tempDir } from '../helpers/paths.js';
import { sandbox } from '../helpers/sandbox.js';

/** The tools the test needs: systemd-notify (Debian package systemd) and python3, which can bind the socket Node cannot. */
const missing = ['systemd-notify', 'python3'].filter((tool) => spawnSync(tool, ['--version'], { stdio: 'ignore' }).error);
const skip = missing.length > 0 ? `needs ${missing.join(' and ')} (scripts/install-system-tools.sh)` : false;

/** systemd's end of NOTIFY_SOCKET: a receiver that prints each datagram on a line. */
async function notifySocket(): Promise<{ socket: string; receiver: Receiver }> {
  const socket = path.join(tempDir('keepalive-notify-'), 'notify.sock');
  const child = spawn('python3', [fixture('notify-socket.py'), socket], { stdio: ['ignore', 'pipe', 'inherit'] });
  after(() => child.kill('SIGKILL'));
  let text = '';
  const waiters: (() => void)[] = [];
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    text += chunk;
    for (const wake of waiters.splice(0)) wake();
  });
  const receiver: Receiver = {
    stdout: () => text,
    async waitFor(pattern) {
      for (let match = pattern.exec(text); ; match = pattern.exec(text)) {
        if (match) return match;
        await new Promise<void>((resolve) => waiters.push(resolve));
      }
    },
  };
  await receiver.waitFor(/^ready\n/);
  return { socket, receiver };
}

interface Receiver {
  stdout(): string;
  waitFor(pattern: RegExp): Promise<RegExpExecArray>;
}

test('under systemd: READY=1 (with MAINPID) once the first child is ready, watchdog pings, and the child gets neither variable', { skip }, async () => {
  const { socket, receiver } = await notifySocket();
  const watchdog = runBin(['start', '-c', 'sh', '--ready', 'notify', fixture('notify-ready.sh')], {
    env: { ...process.env, NOTIFY_SOCKET: socket, WATCHDOG_USEC: '200000', WATCHDOG_PID: undefined },
  });
  try {
    const ready = await receiver.waitFor(/^READY=1 MAINPID=(\d+)$/m);
    assert.equal(Number(ready[1]), watchdog.process.pid);
    // The child says READY=1 itself 300 ms after it starts: keepalive tells systemd only then. (Its
    // status line comes down another pipe, which the test may read after the datagram.)
    await watchdog.waitFor('stderr', /keepalive: ready after \d+ ms\n/);
    await receiver.waitFor(/^MAINPID=\d+ WATCHDOG=1$/m);
  } finally {
    watchdog.process.kill('SIGTERM');
    await watchdog.exited;
  }

  const plain = await notifySocket();
  const env = runBin(['start', '-m', '1', fixture('print-env.js')], { env: { ...process.env, NOTIFY_SOCKET: plain.socket, WATCHDOG_USEC: '5000000' } });
  await env.exited;
  const childEnv = (JSON.parse(env.stdout()) as { env: Record<string, string> }).env;
  assert.deepEqual([childEnv.NOTIFY_SOCKET, childEnv.WATCHDOG_USEC], [undefined, undefined]);
  // Without --ready, systemd hears READY=1 when the first child has spawned.
  assert.match(plain.receiver.stdout(), /^READY=1 MAINPID=\d+$/m);
});

test('keepalive unit --ready: Type=notify with NotifyAccess=all; without it Type=simple', async () => {
  const box = sandbox();
  const notify = await box.run(['unit', '--ready', 'http://127.0.0.1:3000/ready', fixture('slow-listen.js')]);
  assert.equal(notify.code, 0, notify.stderr);
  const lines = notify.stdout.split('\n');
  assert.ok(lines.includes('Type=notify') && lines.includes('NotifyAccess=all') && !lines.includes('Type=simple'), notify.stdout);
  assert.match(notify.stdout, /^ExecStart=.* --ready=http:\/\/127\.0\.0\.1:3000\/ready /m);
  const simple = await box.run(['unit', fixture('slow-listen.js')]);
  assert.ok(simple.stdout.split('\n').includes('Type=simple'));
});
