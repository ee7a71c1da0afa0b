// Runs one watchdog in a process of its own, so that its memory and CPU can be read from /proc
// without the harness in the figures. The harness sends one task over IPC and reads the answers.
//
//   run           start the spec, wait until the watchdog gives up, answer { ms, runs }
//   hold          start the spec, wait for the child's ready file, answer 'ready' with the watchdog's
//                 pid, reload or restart when told to, stop when told to; with `before`, first run
//                 that spec to its end
//   stop-latency  start the spec, wait for the ready file, answer how long stop() took to settle
//   hang          start the spec, wait for the ready file, make the child hang (GET task.hangUrl),
//                 answer how long until a new child is ready (its pid in the ready file), or 'timeout'
import { existsSync, readFileSync } from 'node:fs';
import http from 'node:http';
import { now, waitForFile, waitUntil } from './util.mjs';

const SYSTEMS = ['keepalive', 'forever-monitor', 'pm2', 'shell'];

function send(message) {
  return new Promise((resolve) => process.send(message, resolve));
}

function nextMessage() {
  return new Promise((resolve) => process.once('message', resolve));
}

function withTimeout(promise, ms) {
  let timer;
  const timeout = new Promise((resolve) => {
    timer = setTimeout(() => resolve('timeout'), ms);
  });
  return Promise.race([promise.then(() => 'done'), timeout]).finally(() => clearTimeout(timer));
}

async function runToEnd(adapter, spec) {
  await adapter.prepare?.();
  const started = now();
  const handle = await adapter.start(spec);
  const { tailMs = 0, ...result } = await handle.done;
  // tailMs: time the adapter spent after the real end (pm2: waiting to see its logs go quiet).
  const ms = now() - started - tailMs;
  return { ms, ...result, watchdogPid: handle.watchdogPid };
}

async function main() {
  const { system, task } = await nextMessage();
  if (!SYSTEMS.includes(system)) throw new Error(`unknown system ${system}`);
  const adapter = await import(`../systems/${system}.mjs`);
  try {
    if (task.kind === 'run') {
      await send({ type: 'result', ...(await runToEnd(adapter, task.spec)) });
    } else if (task.kind === 'hold') {
      const before = task.before ? await runToEnd(adapter, task.before) : undefined;
      const handle = await adapter.start(task.spec);
      await waitForFile(task.readyFile, task.timeout ?? 30_000, `the child of ${system} to be ready`);
      // With --expose-gc, the live heap after a full collection: what a leak would make grow.
      globalThis.gc?.();
      const heapUsed = globalThis.gc ? process.memoryUsage().heapUsed : undefined;
      await send({ type: 'ready', watchdogPid: handle.watchdogPid, before, heapUsed });
      // `reload` (or `restart`) messages first, each answered once done; then the stop.
      for (let message = await nextMessage(); message.type !== 'stop'; message = await nextMessage()) {
        const error = await handle[message.type]().then(() => undefined, (failure) => String(failure?.message ?? failure));
        await send({ type: 'reloaded', error });
      }
      const outcome = await withTimeout(handle.stop(), task.stopTimeout ?? 10_000);
      await send({ type: 'result', outcome });
    } else if (task.kind === 'stop-latency') {
      const handle = await adapter.start(task.spec);
      await waitForFile(task.readyFile, task.timeout ?? 30_000, `the child of ${system} to be ready`);
      const started = now();
      const outcome = await withTimeout(handle.stop(), task.stopTimeout ?? 5_000);
      const ms = now() - started;
      await send({ type: 'result', outcome, ms, childGone: !existsSync(`/proc/${readPid(task.readyFile)}`) });
    } else if (task.kind === 'hang') {
      const handle = await adapter.start(task.spec);
      await waitForFile(task.readyFile, task.timeout ?? 30_000, `the child of ${system} to be ready`);
      const hung = readPid(task.readyFile);
      const started = now();
      http.get(task.hangUrl).on('error', () => {});
      const replaced = await waitUntil(() => ![0, hung].includes(readPid(task.readyFile)), task.limit, 'a new child').then(() => true, () => false);
      const ms = now() - started;
      await withTimeout(handle.stop(), task.stopTimeout ?? 10_000);
      await send({ type: 'result', outcome: replaced ? 'restarted' : 'timeout', ms });
    } else {
      throw new Error(`unknown task ${task.kind}`);
    }
  } finally {
    await adapter.close?.();
  }
  // Exit now rather than when the event loop empties: a library's leftover timer must not cost
  // the harness a second per task.
  process.exit(0);
}

function readPid(file) {
  try {
    return Number(readFileSync(file, 'utf8').trim());
  } catch {
    return 0;
  }
}

main().catch(async (error) => {
  await send({ type: 'error', message: String(error?.stack ?? error) }).catch(() => {});
  process.exit(1);
});
