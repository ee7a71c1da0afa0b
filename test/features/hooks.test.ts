import assert from 'node:assert/strict';
import { readFileSync, existsSync } from 'node:fs';
import { createServer } from 'node:http';
import { once } from 'node:events';
import path from 'node:path';
import { test } from 'node:test';
import { Monitor, type StatusEvent } from '../../src/index.js';
import { hookKinds } from '../../src/features/hooks.js';
import { OneAtATime, type HookEvent } from '../../src/features/hook-run.js';
import { runBin } from '../helpers/bin.js';
import { nextEvent } from '../helpers/events.js';
import { fixture, tempDir } from '../helpers/paths.js';
import { until } from '../helpers/polling.js';
import { isRunning } from '../helpers/processes.js';
import { statuses } from '../helpers/statuses.js';

interface HookLine {
  env: Record<string, string>;
  pid: number;
  start: number;
  end?: number;
  grandchild?: number;
}

function hookLines(file: string): HookLine[] {
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8').split('\n').filter(Boolean).map((line) => JSON.parse(line) as HookLine);
}

const hook = (file: string, how = '0'): string[] => [process.execPath, fixture('hook.js'), file, how];

test('which status events call which hooks: every restart, a restart for memory or health also its own, a give-up', () => {
  const restarting = (reason: Extract<StatusEvent, { type: 'restarting' }>['reason']): StatusEvent => ({ type: 'restarting', delay: 0, reason });
  assert.deepEqual(hookKinds(restarting('exited')), ['restart']);
  assert.deepEqual(hookKinds(restarting('backoff')), ['restart']);
  assert.deepEqual(hookKinds(restarting('memory-limit')), ['restart', 'memory-limit']);
  assert.deepEqual(hookKinds(restarting('unhealthy')), ['restart', 'unhealthy']);
  assert.deepEqual(hookKinds({ type: 'gave-up', runs: 3, reason: 'max' }), ['give-up']);
  assert.deepEqual(hookKinds({ type: 'stopped' }), []);
});

test('one run at a time: events during a run are folded into one more run, which says how many it stands for', async () => {
  const runs: HookEvent[] = [];
  const ends: (() => void)[] = [];
  const hooks = new OneAtATime((event) => {
    runs.push(event);
    return new Promise<void>((resolve) => ends.push(resolve));
  });
  const event = (restarts: number): HookEvent => ({
    event: 'restart', name: 'app', pid: restarts, exitCode: 1, signal: null, restarts, uptimeMs: 5, reason: 'crash', coalesced: 0,
  });
  for (let restarts = 1; restarts <= 10; restarts++) hooks.push(event(restarts));
  assert.deepEqual(runs.map((run) => [run.restarts, run.coalesced]), [[1, 0]]);
  ends.shift()?.();
  await until('the second run', () => runs.length === 2, 1000);
  assert.deepEqual(runs.map((run) => [run.restarts, run.coalesced]), [[1, 0], [10, 8]], 'the latest event, and the 8 before it');
  ends.shift()?.();
  await new Promise((resolve) => setImmediate(resolve));
  assert.equal(runs.length, 2);
});

test('onRestart and onGiveUp: the event in the environment', async () => {
  const dir = tempDir();
  const restarts = path.join(dir, 'restart.jsonl');
  const gaveUp = path.join(dir, 'give-up.jsonl');
  const monitor = new Monitor(fixture('exit-with.js'), { silent: true, args: ['7'], max: 2, onRestart: hook(restarts), onGiveUp: hook(gaveUp) });
  const pids: number[] = [];
  monitor.on('status', (event) => event.type === 'started' && pids.push(event.pid));
  const exit = nextEvent(monitor, 'exit');
  monitor.start();
  await exit;
  await until('both hooks', () => hookLines(restarts).length === 1 && hookLines(gaveUp).length === 1, 10_000);
  const [restart] = hookLines(restarts);
  const [giveUp] = hookLines(gaveUp);
  assert.ok(restart && giveUp);
  assert.deepEqual({ ...restart.env, KEEPALIVE_UPTIME_MS: 'n' }, {
    KEEPALIVE_EVENT: 'restart', KEEPALIVE_NAME: 'exit-with', KEEPALIVE_PID: String(pids[0]), KEEPALIVE_EXIT_CODE: '7',
    KEEPALIVE_SIGNAL: '', KEEPALIVE_RESTARTS: '1', KEEPALIVE_UPTIME_MS: 'n', KEEPALIVE_REASON: 'crash', KEEPALIVE_COALESCED: '0',
  });
  assert.match(restart.env.KEEPALIVE_UPTIME_MS ?? '', /^\d+$/);
  assert.equal(giveUp.env.KEEPALIVE_EVENT, 'give-up');
  assert.equal(giveUp.env.KEEPALIVE_REASON, 'max');
  assert.equal(giveUp.env.KEEPALIVE_PID, String(pids[1]));
  assert.equal(giveUp.env.KEEPALIVE_RESTARTS, '1');
});

test('a slow hook never delays the restart: the new child runs while the hook still does', async () => {
  const dir = tempDir();
  const file = path.join(dir, 'slow.jsonl');
  const monitor = new Monitor(fixture('exit-with.js'), { silent: true, max: 2, onRestart: hook(file, '3000') });
  const times: Record<string, number> = {};
  monitor.on('status', (event) => {
    if (event.type === 'exited' && times.exited === undefined) times.exited = performance.now();
    if (event.type === 'started' && event.run === 2) times.restarted = performance.now();
  });
  const exit = nextEvent(monitor, 'exit');
  monitor.start();
  await exit;
  assert.equal(hookLines(file).length, 0, 'the hook has not ended when the restarted child has run and exited');
  const gap = (times.restarted ?? NaN) - (times.exited ?? NaN);
  assert.ok(gap < 3000, `the restart came ${gap.toFixed(0)} ms after the exit, before the 3 s hook ended`);
  await until('the hook to end', () => hookLines(file).length === 1, 10_000);
});

test('a hook that hangs is killed with its process group after hookTimeout, and said in a status line', async () => {
  const dir = tempDir();
  const file = path.join(dir, 'hang.jsonl');
  const monitor = new Monitor(fixture('exit-with.js'), { silent: true, max: 2, onGiveUp: hook(file, 'hang'), hookTimeout: 300 });
  const seen = statuses(monitor);
  monitor.start();
  await until('the hook-failed status', () => seen.some((event) => event.type === 'hook-failed'), 10_000);
  const failed = seen.find((event) => event.type === 'hook-failed');
  assert.deepEqual(failed, {
    type: 'hook-failed', hook: 'onGiveUp', error: 'still running after 300 ms (hookTimeout): its process group got SIGKILL',
  });
  const [line] = hookLines(file);
  assert.ok(line?.grandchild);
  await until('the hook and its grandchild to be gone', () => !isRunning(line.pid) && !isRunning(line.grandchild as number), 5000);
});

test('a storm of restarts does not start a storm of hooks: one at a time, every restart accounted for', async () => {
  const dir = tempDir();
  const file = path.join(dir, 'storm.jsonl');
  const monitor = new Monitor(fixture('exit-with.js'), { silent: true, max: 21, spinSleepTime: 0, onRestart: hook(file, '400') });
  const exit = nextEvent(monitor, 'exit');
  monitor.start();
  await exit;
  const accounted = (): number => hookLines(file).reduce((sum, line) => sum + 1 + Number(line.env.KEEPALIVE_COALESCED), 0);
  await until(() => `20 restarts accounted for, got ${accounted()}`, () => accounted() === 20, 15_000);
  const lines = hookLines(file);
  assert.ok(lines.length < 10, `${lines.length} runs for 20 restarts`);
  assert.equal(lines.at(-1)?.env.KEEPALIVE_RESTARTS, '20', 'the last run tells of the last restart');
  for (let at = 1; at < lines.length; at++) {
    assert.ok((lines[at]?.start ?? 0) >= (lines[at - 1]?.end ?? Infinity), 'never two runs at once');
  }
});

test('a failing hook is a status line; the monitor carries on', async () => {
  const dir = tempDir();
  const monitor = new Monitor(fixture('exit-with.js'), { silent: true, max: 2, onRestart: hook(path.join(dir, 'x'), 'fail') });
  const seen = statuses(monitor);
  const exit = nextEvent(monitor, 'exit');
  monitor.start();
  await until('the hook-failed status', () => seen.some((event) => event.type === 'hook-failed'), 10_000);
  assert.deepEqual(seen.find((event) => event.type === 'hook-failed'), { type: 'hook-failed', hook: 'onRestart', error: 'exited with code 3' });
  await exit;
  assert.equal(monitor.times, 2, 'both runs, as without the hook');
  const missing = new Monitor(fixture('exit-with.js'), { silent: true, max: 2, onRestart: ['/nonexistent/notify'] });
  const seenMissing = statuses(missing);
  missing.start();
  await until('the hook-failed status', () => seenMissing.some((event) => event.type === 'hook-failed'), 10_000);
  assert.match(JSON.stringify(seenMissing.find((event) => event.type === 'hook-failed')), /cannot run \/nonexistent\/notify: spawn \/nonexistent\/notify ENOENT/);
});

test('notifyUrl: a JSON POST of the same fields; a server that fails is a status line', async () => {
  const bodies: HookEvent[] = [];
  let status = 200;
  const server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk.toString()));
    request.on('end', () => {
      assert.equal(request.method, 'POST');
      assert.equal(request.headers['content-type'], 'application/json');
      bodies.push(JSON.parse(body) as HookEvent);
      response.writeHead(status).end();
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  try {
    const monitor = new Monitor(fixture('exit-with.js'), { silent: true, args: ['4'], max: 2, notifyUrl: `http://127.0.0.1:${port}/hook` });
    monitor.start();
    await until('two POSTs', () => bodies.length === 2, 10_000);
    const restart = bodies.find((body) => body.event === 'restart');
    assert.deepEqual(restart && { ...restart, pid: 0, uptimeMs: 0 }, {
      event: 'restart', name: 'exit-with', pid: 0, exitCode: 4, signal: null, restarts: 1, uptimeMs: 0, reason: 'crash', coalesced: 0,
    });
    assert.equal(bodies.find((body) => body.event === 'give-up')?.reason, 'max');

    status = 500;
    const failing = new Monitor(fixture('exit-with.js'), { silent: true, max: 1, notifyUrl: `http://127.0.0.1:${port}/hook` });
    const seen = statuses(failing);
    failing.start();
    await until('the hook-failed status', () => seen.some((event) => event.type === 'hook-failed'), 10_000);
    assert.deepEqual(seen.find((event) => event.type === 'hook-failed'), {
      type: 'hook-failed', hook: 'notifyUrl', error: `POST http://127.0.0.1:${port}/hook: HTTP 500`,
    });
  } finally {
    server.close();
  }
});

test('the CLI: --onRestart and --onGiveUp take a command line, split as -c is, never through a shell', async () => {
  const dir = tempDir();
  const file = path.join(dir, 'cli hook.jsonl');
  // As with -c, a backslash keeps a space inside a word.
  const hookLine = `${process.execPath} ${fixture('hook.js')} ${file.replace(/ /g, '\\ ')}`;
  const run = runBin(['start', '-q', '-m', '2', '--minUptime', '0', '--spinSleepTime', '0', '--name', 'clihooks',
    '--onRestart', hookLine, '--onGiveUp', hookLine,
    fixture('exit-with.js'), '3'], { env: { ...process.env, KEEPALIVE_HOME: path.join(dir, 'home') } });
  assert.deepEqual(await run.exited, { code: 3, signal: null });
  await until('both hooks', () => hookLines(file).length === 2, 10_000);
  const events = hookLines(file).map((line) => [line.env.KEEPALIVE_EVENT, line.env.KEEPALIVE_NAME, line.env.KEEPALIVE_EXIT_CODE]).sort();
  assert.deepEqual(events, [['give-up', 'clihooks', '3'], ['restart', 'clihooks', '3']]);
});
