import assert from 'node:assert/strict';
import { existsSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { KeepaliveError, Monitor } from '../../src/index.js';
import { fixture, tempDir } from '../helpers/paths.js';
import { nextEvent, nextReady, readyPids, startReady } from '../helpers/events.js';
import { isRunning } from '../helpers/processes.js';
import { statuses } from '../helpers/statuses.js';

const quiet = { silent: true } as const;

test('max: runs that many times, then gives up with exit(monitor, spinning)', async () => {
  const monitor = new Monitor(fixture('exit-with.js'), { ...quiet, max: 3 });
  const codes: (number | null)[] = [];
  let starts = 0;
  let restarts = 0;
  monitor.on('exit:code', (code) => codes.push(code));
  monitor.on('start', (m, data) => {
    assert.equal(m, monitor);
    assert.equal(typeof data.pid, 'number');
    starts++;
  });
  monitor.on('restart', () => restarts++);
  const exit = nextEvent(monitor, 'exit');
  monitor.start();
  const [exited, spinning] = await exit;
  assert.equal(exited, monitor);
  assert.equal(spinning, false);
  assert.deepEqual(codes, [1, 1, 1]);
  assert.equal(starts, 1);
  assert.equal(restarts, 2);
  assert.equal(monitor.times, 3);
  assert.equal(monitor.state, 'gave-up');
  assert.equal(monitor.running, false);
  assert.deepEqual(monitor.lastExit && { code: monitor.lastExit.code, status: monitor.lastExit.status }, { code: 1, status: 1 });
});

test('spinning without spinSleepTime gives up after one run (forever), with spinSleepTime it retries', async () => {
  const once = new Monitor(fixture('exit-with.js'), { ...quiet, minUptime: 60_000 });
  const seen = statuses(once);
  const exit = nextEvent(once, 'exit');
  once.start();
  assert.deepEqual((await exit)[1], true);
  assert.equal(once.times, 1);
  assert.deepEqual(seen.at(-1), { type: 'gave-up', runs: 1, reason: 'spinning' });

  const retried = new Monitor(fixture('exit-with.js'), { ...quiet, minUptime: 60_000, spinSleepTime: 20, max: 3 });
  const events = statuses(retried);
  const done = nextEvent(retried, 'exit');
  retried.start();
  await done;
  assert.equal(retried.times, 3);
  assert.deepEqual(
    events.filter((event) => event.type === 'restarting'),
    [
      { type: 'restarting', delay: 20, reason: 'spinning' },
      { type: 'restarting', delay: 20, reason: 'spinning' },
    ],
  );
});

test('backoff doubles the wait between spinning runs up to maxSpinSleepTime', async () => {
  const monitor = new Monitor(fixture('exit-with.js'), { ...quiet, minUptime: 60_000, spinSleepTime: 10, maxSpinSleepTime: 40, max: 5 });
  const events = statuses(monitor);
  const done = nextEvent(monitor, 'exit');
  monitor.start();
  await done;
  const delays = events.flatMap((event) => (event.type === 'restarting' ? [event.delay] : []));
  assert.deepEqual(delays, [10, 20, 40, 40]);
});

test('stopExitCodes: a listed exit code is final', async () => {
  const monitor = new Monitor([process.execPath, fixture('exit-with.js'), '0'], { ...quiet, stopExitCodes: [0] });
  const seen = statuses(monitor);
  const done = nextEvent(monitor, 'exit');
  monitor.start();
  await done;
  assert.equal(monitor.times, 1);
  assert.deepEqual(seen.at(-1), { type: 'gave-up', runs: 1, reason: 'stop-exit-code' });
});

test('a command that cannot be spawned is an error event and a spinning exit; the host lives', async () => {
  const monitor = new Monitor(['/nonexistent/keepalive-no-such-command'], { ...quiet, max: 2, spinSleepTime: 0 });
  const errors: KeepaliveError[] = [];
  monitor.on('error', (error) => errors.push(error as KeepaliveError));
  const done = nextEvent(monitor, 'exit');
  monitor.start();
  const [, spinning] = await done;
  assert.equal(spinning, true);
  assert.equal(errors.length, 2);
  assert.equal(errors[0]?.code, 'SPAWN_FAILED');
  assert.equal((errors[0]?.cause as NodeJS.ErrnoException).code, 'ENOENT');
});

test('with no error listener, a spawn failure is a process warning, never a crash', async () => {
  const monitor = new Monitor(['/nonexistent/keepalive-no-such-command'], { ...quiet, max: 1 });
  const warned = new Promise<Error>((resolve) => process.once('warning', resolve));
  const done = nextEvent(monitor, 'exit');
  monitor.start();
  await done;
  assert.match((await warned).message, /ENOENT/);
});

test('a missing node script is an error naming the path, and nothing is spawned', async () => {
  const monitor = new Monitor('no-such-script.js', { ...quiet, cwd: tempDir() });
  let spawned = false;
  monitor.on('start', () => (spawned = true));
  const error = new Promise<KeepaliveError>((resolve) => monitor.once('error', (e) => resolve(e as KeepaliveError)));
  const done = nextEvent(monitor, 'exit');
  monitor.start();
  const reported = await error;
  await done;
  assert.equal(reported.code, 'SCRIPT_NOT_FOUND');
  assert.match(reported.message, /no-such-script\.js/);
  assert.equal(spawned, false);
  assert.equal(monitor.state, 'gave-up');
});

test('misuse throws or rejects a KeepaliveError with a code', async () => {
  const monitor = new Monitor(fixture('idle.js'), quiet);
  await assert.rejects(monitor.stop(), { name: 'KeepaliveError', code: 'NOT_STARTED' });
  assert.throws(() => monitor.kill(true), { code: 'NOT_STARTED' });
  assert.throws(() => monitor.send('hi'), { code: 'NO_IPC' });
  const ready = nextReady(monitor);
  monitor.start();
  assert.throws(() => monitor.start(), { code: 'ALREADY_RUNNING' });
  await ready;
  const stopping = monitor.stop();
  assert.throws(() => monitor.start(), { code: 'STOPPING' });
  await assert.rejects(monitor.restart(), { code: 'STOPPING' });
  await stopping;
  await monitor.stop(); // a second stop is a no-op
});

test('restart() stops the child and starts a new one at once; stop() ends it for good', async () => {
  const monitor = new Monitor(fixture('idle.js'), { ...quiet, max: 1 });
  const [firstPid] = await startReady(monitor);
  const second = nextReady(monitor);
  await monitor.restart();
  const [secondPid] = readyPids(await second);
  assert.notEqual(firstPid, secondPid);
  assert.equal(isRunning(firstPid), false);
  assert.equal(monitor.times, 1, 'a requested restart counts in times');
  assert.equal(monitor.state, 'running', 'and not towards max');
  const stopped = nextEvent(monitor, 'stop');
  await monitor.stop();
  assert.equal(isRunning(secondPid), false);
  assert.equal(((await stopped)[0] as { pid: number }).pid, undefined);
  assert.equal(monitor.state, 'stopped');
});

test('stop() during a restart wait cancels the restart', async () => {
  const monitor = new Monitor(fixture('exit-with.js'), { ...quiet, minUptime: 60_000, spinSleepTime: 60_000 });
  const waiting = new Promise<void>((resolve) => monitor.on('status', (event) => event.type === 'restarting' && resolve()));
  let starts = 0;
  monitor.on('start', () => starts++).on('restart', () => starts++);
  monitor.start();
  await waiting;
  assert.equal(monitor.state, 'waiting');
  await monitor.stop();
  assert.equal(monitor.state, 'stopped');
  assert.equal(starts, 1);
});

test('a stopped monitor can be started again', async () => {
  const monitor = new Monitor(fixture('idle.js'), quiet);
  for (let round = 0; round < 2; round++) {
    await startReady(monitor);
    await monitor.stop();
  }
  assert.equal(monitor.state, 'stopped');
});

test('env is merged over process.env, hideEnv removes variables, args pass literally', async () => {
  const dir = tempDir();
  const out = path.join(dir, 'out.log');
  process.env.KEEPALIVE_TEST_SECRET = 'hunter2';
  const args = ['a b', '$(touch pwned)', '"quoted"', '*', ';', 'ü'];
  const monitor = new Monitor(fixture('print-env.js'), {
    ...quiet,
    max: 1,
    outFile: out,
    args,
    cwd: dir,
    env: { KEEPALIVE_TEST_VALUE: 'line1\nline2', PORT: 8080 },
    hideEnv: ['KEEPALIVE_TEST_SECRET'],
  });
  const done = nextEvent(monitor, 'exit');
  monitor.start();
  await done;
  delete process.env.KEEPALIVE_TEST_SECRET;
  const printed = JSON.parse(readFileSync(out, 'utf8')) as { argv: string[]; cwd: string; env: Record<string, string> };
  assert.deepEqual(printed.argv, args);
  assert.equal(printed.cwd, dir);
  assert.equal(printed.env.KEEPALIVE_TEST_VALUE, 'line1\nline2');
  assert.equal(printed.env.PORT, '8080');
  assert.equal(printed.env.KEEPALIVE_TEST_SECRET, undefined);
  assert.equal(printed.env.PATH, process.env.PATH);
  assert.equal(existsSync(path.join(dir, 'pwned')), false, 'no shell ever ran');
});

// The channel fork opens, and the one ready: 'message' opens without fork: send() and 'message' work over both.
for (const [name, options] of [['fork', { fork: true }], ["ready: 'message'", { ready: 'message' }]] as const) {
  test(`${name}: messages both ways over IPC; none after the stop`, async () => {
    const monitor = new Monitor(fixture('ipc-echo.js'), { ...quiet, ...options });
    const ready = new Promise<void>((resolve) => monitor.on('message', (m) => m === 'ready' && resolve()));
    monitor.start();
    await ready;
    const echoed = new Promise<unknown>((resolve) => monitor.on('message', (m) => m !== 'ready' && resolve(m)));
    monitor.send({ hello: 'world' });
    assert.deepEqual(await echoed, { echo: { hello: 'world' } });
    await monitor.stop();
    assert.throws(() => monitor.send('late'), { code: 'NO_IPC' });
  });
}

test('send() to a child without an IPC channel is NO_IPC', async () => {
  const plain = new Monitor(fixture('idle.js'), quiet);
  const started = nextReady(plain);
  plain.start();
  await started;
  assert.throws(() => plain.send('hi'), { code: 'NO_IPC', message: /no IPC channel; use fork: true/ });
  await plain.stop();
});

test('pidFile: written atomically at each start, removed at the end, never through a symlink', async () => {
  const dir = tempDir();
  const pidFile = path.join(dir, 'app.pid');
  const target = path.join(dir, 'precious.txt');
  writeFileSync(target, 'keep me');
  symlinkSync(target, pidFile);
  const monitor = new Monitor(fixture('idle.js'), { ...quiet, pidFile });
  const [pid] = await startReady(monitor);
  assert.equal(readFileSync(target, 'utf8'), 'keep me', 'the link target is untouched');
  assert.equal(readFileSync(pidFile, 'utf8'), `${pid}\n`);
  assert.equal(statSync(pidFile).mode & 0o002, 0, 'not world-writable');
  await monitor.stop();
  assert.equal(existsSync(pidFile), false);
  assert.equal(readFileSync(target, 'utf8'), 'keep me');
});

test('a log or pid path under a regular file throws LOG_PATH at start(), before any child runs', () => {
  const aFile = path.join(tempDir(), 'a-file');
  writeFileSync(aFile, '');
  const file = path.join(aFile, 'logs', 'app.log');
  for (const option of ['outFile', 'errFile', 'logFile', 'pidFile']) {
    const monitor = new Monitor(fixture('idle.js'), { ...quiet, [option]: file });
    let started = false;
    monitor.on('start', () => (started = true));
    assert.throws(() => monitor.start(), (error: unknown) => {
      assert.ok(error instanceof KeepaliveError);
      assert.equal(error.code, 'LOG_PATH');
      assert.ok(error.message.startsWith(`${option} ${JSON.stringify(file)}: ENOTDIR`), error.message);
      return true;
    });
    assert.equal(monitor.state, 'idle');
    assert.equal(started, false);
  }
});

test('data has forever-monitor\'s shape', async () => {
  const monitor = new Monitor(fixture('idle.js'), { ...quiet, uid: 'abcd', id: 'api', args: ['--x'] });
  await startReady(monitor);
  const data = monitor.data;
  assert.equal(data.uid, 'abcd');
  assert.equal(data.id, 'api');
  assert.equal(data.file, fixture('idle.js'));
  assert.deepEqual(data.args, ['--x']);
  assert.equal(data.command, process.execPath);
  assert.equal(data.foreverPid, process.pid);
  assert.equal(data.running, true);
  assert.equal(data.pid, monitor.child?.pid);
  assert.equal(typeof data.ctime, 'number');
  await monitor.stop();
});

test('a missing script creates no log file and truncates none; a pid file under a file is LOG_PATH', () => {
  const dir = tempDir();
  const outFile = path.join(dir, 'out.log');
  writeFileSync(outFile, 'keep\n');
  const missing = new Monitor('no-such-script.js', { ...quiet, cwd: dir, outFile, errFile: path.join(dir, 'err.log'), append: false });
  missing.on('error', () => {});
  missing.start();
  assert.equal(readFileSync(outFile, 'utf8'), 'keep\n');
  assert.equal(existsSync(path.join(dir, 'err.log')), false);

  const underFile = new Monitor(fixture('idle.js'), { ...quiet, pidFile: path.join(outFile, 'app.pid') });
  assert.throws(() => underFile.start(), { code: 'LOG_PATH' });
});

test("the child is spawned at the end of start()'s tick: a stop() in that tick spawns nothing, a restart() there is the start", async () => {
  const stopped = new Monitor(fixture('idle.js'), quiet);
  let spawned = false;
  stopped.on('start', () => (spawned = true));
  stopped.start();
  assert.equal(stopped.child, undefined);
  const exited = nextEvent(stopped, 'exit');
  await stopped.stop();
  await exited;
  assert.deepEqual([spawned, stopped.state, stopped.times], [false, 'stopped', 0]);

  const restarted = new Monitor(fixture('idle.js'), quiet);
  const starts: string[] = [];
  restarted.on('start', () => starts.push('start'));
  restarted.on('restart', () => starts.push('restart'));
  const ready = nextReady(restarted);
  restarted.start();
  await restarted.restart();
  const [pid] = readyPids(await ready);
  assert.deepEqual([starts, restarted.child?.pid, restarted.times], [['start'], pid, 0]);
  await restarted.stop();
});
