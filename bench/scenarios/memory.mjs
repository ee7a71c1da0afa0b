// 4. Watchdog memory: RSS of the watchdog process with an idle child, fresh and after many restarts.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { holdAll } from '../lib/harness.mjs';
import { median, rssOf, sleep, waitForFile } from '../lib/util.mjs';
import { count, mb, ratio, verdict } from '../lib/format.mjs';
import { idleTask, SYSTEMS } from './idle-child.mjs';

export const id = 'memory';
export const title = 'Watchdog memory: RSS with an idle child';

/** A bare node process doing nothing: the floor under any watchdog written in node. */
async function bareNode(ctx) {
  const readyFile = ctx.run.path('ready');
  const child = spawn(process.execPath, [ctx.fixture('idle.js')], {
    env: { ...ctx.run.env, BENCH_READY_FILE: readyFile },
    stdio: 'ignore',
  });
  await waitForFile(readyFile);
  return { pid: child.pid, stop: () => (child.kill('SIGKILL'), once(child, 'exit')) };
}

export async function run(ctx) {
  const systems = SYSTEMS.filter((entry) => ctx.systems.has(entry.system));
  const wait = ctx.config.memoryWaitMs;
  const fresh = new Map(systems.map((entry) => [entry.system, []]));
  const floor = [];
  for (let round = 0; round < ctx.config.idleRuns; round += 1) {
    const bare = await bareNode(ctx);
    const { held, release } = await holdAll(ctx.run, systems.map(({ system }) => ({ system, task: idleTask(ctx) })));
    try {
      await sleep(wait);
      floor.push(rssOf(bare.pid));
      for (const entry of held) fresh.get(entry.system).push(entry.error ? NaN : rssOf(entry.watchdogPid));
    } finally {
      await release();
      await bare.stop();
    }
    ctx.log(`  round ${round + 1}: ${held.map((entry) => `${entry.system} ${entry.error ?? mb(rssOf(entry.watchdogPid) || fresh.get(entry.system).at(-1))}`).join(', ')}`);
  }

  // After many restarts: a leak grows with the number of restarts, heap slack does not, so the
  // live heap after a full GC is compared after a tenth of the restarts and after all of them.
  // Only the node libraries run that many in reasonable time (pm2 restarts through its daemon at a
  // fraction of the speed; the shell's RSS is that of `sh`).
  const restarts = ctx.config.memoryRestarts;
  const after = new Map();
  for (const entry of systems.filter(({ system }) => system === 'keepalive' || system === 'forever-monitor')) {
    const figure = {};
    for (const [key, runs] of [['early', Math.max(1, Math.round(restarts / 10))], ['late', restarts]]) {
      const task = idleTask(ctx, { before: { command: [ctx.bins.false], max: runs }, timeout: 1_200_000 });
      const { held, release } = await holdAll(ctx.run, [{ system: entry.system, task, nodeArgs: ['--expose-gc'] }], 1_200_000);
      try {
        const [one] = held;
        if (one.error || one.before?.runs !== runs) {
          figure.error = one.error ?? `ran ${one.before?.runs} of ${runs}`;
        } else {
          await sleep(wait);
          figure[key] = { rss: rssOf(one.watchdogPid), heap: one.heapUsed, runs };
        }
      } finally {
        await release();
      }
    }
    after.set(entry.system, figure);
    ctx.log(`  ${entry.system} after ${count(restarts)} restarts: ${figure.error ?? `RSS ${mb(figure.late.rss)}, live heap ${mb(figure.early.heap)} after ${count(figure.early.runs)}, ${mb(figure.late.heap)} after ${count(restarts)}`}`);
  }

  const median_ = (system) => median(fresh.get(system));
  const keepalive = median_('keepalive');
  const heapGrowth = (figure) => (figure?.late && figure?.early ? figure.late.heap - figure.early.heap : NaN);
  const rows = systems.map((entry) => {
    const idle = median_(entry.system);
    const later = after.get(entry.system);
    return [
      entry.name,
      mb(idle),
      later ? (later.error ?? mb(later.late.rss)) : 'not measured',
      later?.early ? `${mb(later.early.heap)} → ${mb(later.late.heap)}` : '',
      later?.early ? `${(heapGrowth(later) / (later.late.runs - later.early.runs)).toFixed(0)} bytes per restart` : '',
      entry.system === 'keepalive' ? '' : ratio(keepalive / idle),
    ];
  });
  rows.push(['bare node (`setInterval` only), for reference', mb(median(floor)), '', '', '', ratio(keepalive / median(floor))]);
  const targets = [];
  if (fresh.has('keepalive') && fresh.has('forever-monitor')) {
    targets.push({ what: 'keepalive: idle RSS relative to forever-monitor', value: ratio(keepalive / median_('forever-monitor')), target: '<= 1.00', met: keepalive <= median_('forever-monitor') });
  }
  const keepaliveAfter = after.get('keepalive');
  if (keepaliveAfter?.late) {
    // Flat: the live heap grows by less than 1 MB between a tenth of the restarts and all of them.
    const growth = heapGrowth(keepaliveAfter);
    targets.push({ what: `keepalive: live heap growth from ${count(keepaliveAfter.early.runs)} to ${count(restarts)} restarts`, value: mb(growth), target: '< 1 MB (flat)', met: growth < 1024 * 1024 });
  }
  return {
    intro:
      `RSS (VmRSS in /proc) of the watchdog process ${wait / 1000} s after its child (bench/fixtures/idle.js) said it was ready; ` +
      `median of ${ctx.config.idleRuns} round(s). "After restarts": the same watchdog process first ran \`/bin/false\` ${count(restarts)} times ` +
      '(max, no delay), then the idle child; the live heap is read after a forced full GC (the driver runs with --expose-gc), once after a tenth of the restarts and once after all, so that a leak shows as growth and GC slack does not. The node watchdogs run in a small driver process (bench/lib/driver.mjs) that holds one IPC channel to the harness.',
    table: {
      head: ['watchdog', 'idle RSS', `RSS after ${count(restarts)} restarts`, `live heap after GC, ${count(Math.round(restarts / 10))} → ${count(restarts)} restarts`, 'heap growth', 'keepalive idle RSS relative to it'],
      rows,
    },
    targets,
    summary: rows.map((row) => `${row[0]}: ${row[1]}${row[2] && row[2] !== 'not measured' ? `, ${row[2]} after ${count(restarts)} restarts` : ''}`),
  };
}
