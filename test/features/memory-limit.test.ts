import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { test } from 'node:test';
import { Monitor, type StatusEvent } from '../../src/index.js';
import { afterMeasure } from '../../src/features/memory-limit.js';
import { readProcessTable } from '../../src/processes/process-table.js';
import { treeOf, treeUsage } from '../../src/processes/tree-usage.js';
import { bin } from '../helpers/bin.js';
import { nextReady, readyPids } from '../helpers/events.js';
import { fixture } from '../helpers/paths.js';
import { statuses } from '../helpers/statuses.js';

const MiB = 1024 * 1024;
const linuxOnly = process.platform === 'linux' ? false : 'needs /proc';

test('the memory rule: over the limit for `checks` measures in a row restarts; one at or under it starts the count again', () => {
  const limit = 100;
  const cases: [measures: number[], checks: number, restartsAt: number | undefined][] = [
    [[101, 101, 101], 3, 2],
    [[101, 101, 100, 101, 101], 3, undefined], // a measure at the limit forgives what came before
    [[50, 500, 500, 20, 500, 500, 500], 3, 6],
    [[101], 1, 0],
    [[500, 500, 500, 500], 5, undefined], // a spike shorter than the checks
  ];
  for (const [measures, checks, restartsAt] of cases) {
    let over = 0;
    let at: number | undefined;
    measures.forEach((bytes, index) => {
      const next = afterMeasure(over, bytes, limit, checks);
      over = next.over;
      if (next.restart && at === undefined) at = index;
    });
    assert.equal(at, restartsAt, `${measures.join(',')} with ${checks} checks`);
  }
});

test('treeUsage: the resident memory of a child and its grandchild, the largest named', { skip: linuxOnly }, async () => {
  const child = spawn(process.execPath, [fixture('leak.js'), 'spike', '64', '60000', '1', '60000'], { stdio: ['ignore', 'pipe', 'inherit'] });
  try {
    const [line] = (await once(child.stdout, 'data')) as [Buffer];
    const [, grandchild] = readyPids(line.toString().trim());
    const usage = treeUsage(child.pid as number);
    assert.ok(usage, 'the tree is alive');
    assert.equal(usage.processes, 2);
    assert.equal(usage.largest.pid, grandchild, JSON.stringify(usage));
    assert.equal(usage.largest.name, 'node');
    assert.ok(usage.largest.bytes >= 64 * MiB, `the grandchild holds its 64 MiB: ${usage.largest.bytes}`);
    assert.ok(usage.bytes > usage.largest.bytes, 'the child counts too');
    assert.ok(usage.cpuSeconds > 0);
  } finally {
    // The child's group is the test's: its grandchild is stopped by pid.
    for (const entry of treeOf(child.pid as number, readProcessTable())) process.kill(entry.pid, 'SIGKILL');
  }
});

/** Starts a monitor on leak.js and resolves with the first memory-limit event and the restart after it. */
async function firstMemoryRestart(args: string[], options: { maxMemory: string; memoryCheckInterval: number; memoryChecks?: number }) {
  const monitor = new Monitor(fixture('leak.js'), { silent: true, args, ...options, killTTL: 2000 });
  const seen = statuses(monitor);
  const ready = nextReady(monitor);
  let output = '';
  monitor.on('stdout', (chunk) => (output += chunk.toString()));
  const restarted = new Promise<void>((resolve) => monitor.once('restart', () => resolve()));
  monitor.start();
  const pids = readyPids(await ready);
  await restarted;
  await monitor.stop();
  const limitEvent = seen.find((event): event is Extract<StatusEvent, { type: 'memory-limit' }> => event.type === 'memory-limit');
  return { seen, pids, limitEvent, output, monitor };
}

test('maxMemory: a steadily leaking child is restarted gracefully, with the reason memory-limit', { skip: linuxOnly }, async () => {
  const { seen, pids, limitEvent } = await firstMemoryRestart(['grow', '8', '50'], { maxMemory: '150M', memoryCheckInterval: 100 });
  assert.ok(limitEvent, 'a memory-limit status event');
  assert.ok(limitEvent.bytes > 150 * MiB);
  assert.equal(limitEvent.limit, 150 * MiB);
  assert.equal(limitEvent.checks, 3);
  assert.equal(limitEvent.largest.pid, pids[0]);
  const types = seen.map((event) => event.type);
  const at = types.indexOf('memory-limit');
  assert.deepEqual(types.slice(at, at + 3), ['memory-limit', 'stopping', 'exited'], 'stopped gracefully, after it says why');
  const restarting = seen.find((event) => event.type === 'restarting');
  assert.deepEqual(restarting && restarting.type === 'restarting' && restarting.reason, 'memory-limit');
});

test('maxMemory: a leak in a grandchild is caught, and the grandchild is named as the largest', { skip: linuxOnly }, async () => {
  const { pids, limitEvent } = await firstMemoryRestart(['grandchild', '8', '50'], { maxMemory: '150M', memoryCheckInterval: 100 });
  assert.ok(limitEvent);
  assert.equal(limitEvent.largest.pid, pids[1]);
  assert.ok(limitEvent.bytes > 150 * MiB);
});

test('maxMemory: a start-up spike shorter than the checks is forgiven; the leak after it is not', { skip: linuxOnly }, async () => {
  // 200 MiB held for 50 ms, measured every 400 ms: one measure may see it, three in a row are needed.
  const { output, limitEvent, seen, pids } = await firstMemoryRestart(['spike', '200', '50', '8', '50'], { maxMemory: '150M', memoryCheckInterval: 400 });
  assert.ok(output.includes('spiked'), 'the restart came after the spike');
  assert.ok(limitEvent);
  assert.equal(limitEvent.largest.pid, pids[0], 'the restart was for the leak of the child, not the spike of its grandchild');
  assert.equal(seen.filter((event) => event.type === 'restarting').length, 1);
});

test('maxMemory: a bare number is refused with a unit suggested, as a library option and as a flag', () => {
  assert.throws(() => new Monitor('app.js', { maxMemory: '512' }), { code: 'INVALID_OPTION', message: /option maxMemory: expected a size with a unit, such as "512M"/ });
  const run = spawnSync(process.execPath, [bin, 'start', '--maxMemory', '512', 'app.js'], { encoding: 'utf8' });
  assert.equal(run.status, 2);
  assert.match(run.stderr, /^keepalive: option maxMemory: expected a size with a unit, such as "512M"/);
});

const noProcSkip = ((): string | false => {
  if (process.platform !== 'linux') return 'mount namespaces are Linux only';
  const probe = spawnSync('unshare', ['-rm', 'true'], { encoding: 'utf8' });
  return probe.status === 0 ? false : `unshare -rm is not permitted here: ${probe.stderr ?? probe.error?.message}`;
})();

test('maxMemory where /proc does not exist: a clear error before anything runs', { skip: noProcSkip }, () => {
  // A mount namespace with an empty /proc, as on a system without one.
  const hidden = spawnSync('unshare', ['-rm', 'sh', '-c', 'mount -t tmpfs none /proc && exec "$@"', 'sh',
    process.execPath, bin, 'start', '--maxMemory', '512M', fixture('idle.js')], { encoding: 'utf8', timeout: 20_000 });
  assert.equal(hidden.status, 2, hidden.stderr);
  assert.match(hidden.stderr, /^keepalive: option maxMemory: needs \/proc to measure the memory of the child's tree/);
});
