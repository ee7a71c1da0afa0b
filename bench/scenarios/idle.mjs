// 6. Idle cost: CPU seconds the watchdog uses while its child idles.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { holdAll } from '../lib/harness.mjs';
import { cpuSecondsOf, median, sleep, waitForFile } from '../lib/util.mjs';
import { verdict } from '../lib/format.mjs';
import { idleTask, SYSTEMS } from './idle-child.mjs';

export const id = 'idle';
export const title = 'Idle cost: CPU the watchdog uses while its child idles';

export async function run(ctx) {
  const systems = SYSTEMS.filter((entry) => ctx.systems.has(entry.system));
  const seconds = ctx.config.idleSeconds;
  const used = new Map(systems.map((entry) => [entry.system, []]));
  const floor = [];
  for (let round = 0; round < ctx.config.idleRuns; round += 1) {
    // A bare node process that does nothing, measured alongside: the floor (V8's own housekeeping).
    const readyFile = ctx.run.path('ready');
    const bare = spawn(process.execPath, [ctx.fixture('idle.js')], { env: { ...ctx.run.env, BENCH_READY_FILE: readyFile }, stdio: 'ignore' });
    const { held, release } = await holdAll(ctx.run, systems.map(({ system }) => ({ system, task: idleTask(ctx) })));
    try {
      await waitForFile(readyFile);
      // Let start-up work (module loading, pm2's first status round) finish before counting.
      await sleep(1000);
      const before = held.map((entry) => (entry.error ? NaN : cpuSecondsOf(entry.watchdogPid)));
      const bareBefore = cpuSecondsOf(bare.pid);
      await sleep(seconds * 1000);
      held.forEach((entry, index) => used.get(entry.system).push(cpuSecondsOf(entry.watchdogPid) - before[index]));
      floor.push(cpuSecondsOf(bare.pid) - bareBefore);
    } finally {
      await release();
      bare.kill('SIGKILL');
      await once(bare, 'exit');
    }
    ctx.log(`  round ${round + 1}: ${systems.map((entry) => `${entry.system} ${used.get(entry.system).at(-1)?.toFixed(2)} s`).join(', ')}`);
  }
  const figure = (system) => median(used.get(system));
  const rows = systems.map((entry) => [
    entry.name,
    Number.isFinite(figure(entry.system)) ? `${figure(entry.system).toFixed(2)} s` : 'n/a',
    Number.isFinite(figure(entry.system)) ? `${((figure(entry.system) / seconds) * 100).toFixed(2)}%` : 'n/a',
  ]);
  const bareFigure = median(floor);
  rows.push(['bare node (`setInterval` only), for reference', `${bareFigure.toFixed(2)} s`, `${((bareFigure / seconds) * 100).toFixed(2)}%`]);
  const keepalive = figure('keepalive');
  // /proc counts in 10 ms ticks: "about zero" is within two ticks of a bare node process.
  const targets = used.has('keepalive')
    ? [{ what: `keepalive: CPU over ${seconds} s idle`, value: `${keepalive.toFixed(2)} s`, target: `~0 (<= bare node + 0.02 s = ${(bareFigure + 0.02).toFixed(2)} s)`, met: keepalive <= bareFigure + 0.02 + 1e-9 }]
    : [];
  return {
    intro:
      `CPU time (utime + stime from /proc/<pid>/stat, in 10 ms ticks) of the watchdog over ${seconds} s while its child idles, ` +
      `counted from 1 s after the child is ready; the systems run side by side; median of ${ctx.config.idleRuns} round(s).`,
    table: { head: ['watchdog', `CPU over ${seconds} s`, 'share of one core'], rows },
    targets,
    summary: rows.map((row) => `${row[0]}: ${row[1]}`),
    verdicts: targets.map((target) => `${target.what}: ${target.value} ${verdict(target.met)}`),
  };
}
