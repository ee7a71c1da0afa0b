// 10. Memory limit: how long a steady leak runs over maxMemory before the restart, and how far over.
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { root } from '../lib/harness.mjs';
import { median, sleep } from '../lib/util.mjs';

export const id = 'memory-limit';
export const title = 'Memory limit: a steady leak, from crossing maxMemory to the restart';

const LIMIT_MIB = 256;
/** 8 MiB every 50 ms: 160 MiB/s, a fast leak. */
const STEP_MIB = 8;
const STEP_MS = 50;
/** How often the bench itself measures the tree, to see when it crossed and how far it went. */
const WATCH_MS = 20;

export async function run(ctx) {
  if (!ctx.systems.has('keepalive')) return { intro: 'keepalive only; not selected.', table: { head: [], rows: [] }, targets: [], summary: [], verdicts: [] };
  const { Monitor } = await import(pathToFileURL(path.join(root, 'dist', 'esm', 'index.js')).href);
  const { treeUsage } = await import(pathToFileURL(path.join(root, 'dist', 'esm', 'processes', 'tree-usage.js')).href);
  const limit = LIMIT_MIB * 1024 ** 2;
  const late = [];
  const over = [];
  for (let round = 0; round < ctx.config.runs; round += 1) {
    const monitor = new Monitor(ctx.fixture('leak.js'), { silent: true, args: [String(STEP_MIB), String(STEP_MS)], maxMemory: `${LIMIT_MIB}M`, env: ctx.run.env });
    let pid;
    let crossedAt;
    let peak = 0;
    let stoppingAt;
    monitor.on('status', (event) => {
      if (event.type === 'started' && pid === undefined) pid = event.pid;
      if (event.type === 'stopping' && stoppingAt === undefined) stoppingAt = performance.now();
    });
    monitor.start();
    while (stoppingAt === undefined) {
      await sleep(WATCH_MS);
      const usage = pid === undefined ? undefined : treeUsage(pid);
      if (!usage) continue;
      if (usage.bytes > limit && crossedAt === undefined) crossedAt = performance.now();
      peak = Math.max(peak, usage.bytes);
    }
    await monitor.stop();
    late.push(stoppingAt - crossedAt);
    over.push(peak - limit);
    ctx.log(`  round ${round + 1}: stopped ${(late.at(-1) / 1000).toFixed(2)} s after crossing, peak ${((peak - limit) / 1024 ** 2).toFixed(0)} MiB over`);
  }
  const seconds = median(late) / 1000;
  const mib = median(over) / 1024 ** 2;
  const rows = [[`keepalive, maxMemory ${LIMIT_MIB}M (defaults: a measure each 1 s, 3 in a row)`, `${seconds.toFixed(2)} s`, `${mib.toFixed(0)} MiB`]];
  return {
    intro:
      `A child that leaks ${STEP_MIB} MiB every ${STEP_MS} ms (${(STEP_MIB * 1000) / STEP_MS} MiB/s), under \`maxMemory: '${LIMIT_MIB}M'\` ` +
      `with the default memoryCheckInterval (1 s) and memoryChecks (3). The bench measures the tree itself every ${WATCH_MS} ms: the ` +
      `time from the first measure over the limit to the graceful stop, and the peak above the limit. Expected: between 2 and 3 ` +
      `intervals, and the leak's rate times that. pm2 measures every 30 s. Median of ${ctx.config.runs} run(s).`,
    table: { head: ['system', 'crossing to stop', 'peak over the limit'], rows },
    targets: [{ what: 'keepalive: restart within memoryCheckInterval x memoryChecks of crossing', value: `${seconds.toFixed(2)} s`, target: '<= 3 s + 0.5 s', met: seconds <= 3.5 }],
    summary: rows.map((row) => `${row[0]}: ${row[1]}, ${row[2]} over`),
    verdicts: [`crossing to stop ${seconds.toFixed(2)} s (target <= 3.5 s)`],
  };
}
