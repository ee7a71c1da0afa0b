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
  // Two windows: V8 collects the garbage of start-up (module loading) once, in the first half
  // minute or so after a process goes quiet; the second window shows the steady cost.
  const used = new Map(systems.map((entry) => [entry.system, { first: [], then: [] }]));
  const floor = { first: [], then: [] };
  for (let round = 0; round < ctx.config.idleRuns; round += 1) {
    // A bare node process that does nothing, measured alongside: the floor (V8's own housekeeping).
    const readyFile = ctx.run.path('ready');
    const bare = spawn(process.execPath, [ctx.fixture('idle.js')], { env: { ...ctx.run.env, BENCH_READY_FILE: readyFile }, stdio: 'ignore' });
    const { held, release } = await holdAll(ctx.run, systems.map(({ system }) => ({ system, task: idleTask(ctx) })));
    try {
      await waitForFile(readyFile);
      // Let start-up work (module loading, pm2's first status round) finish before counting.
      await sleep(1000);
      const read = () => ({ held: held.map((entry) => (entry.error ? NaN : cpuSecondsOf(entry.watchdogPid))), bare: cpuSecondsOf(bare.pid) });
      const start = read();
      await sleep(seconds * 1000);
      const middle = read();
      await sleep(seconds * 1000);
      const end = read();
      held.forEach((entry, index) => {
        used.get(entry.system).first.push(middle.held[index] - start.held[index]);
        used.get(entry.system).then.push(end.held[index] - middle.held[index]);
      });
      floor.first.push(middle.bare - start.bare);
      floor.then.push(end.bare - middle.bare);
    } finally {
      await release();
      bare.kill('SIGKILL');
      await once(bare, 'exit');
    }
    const last = (system, window) => used.get(system)[window].at(-1)?.toFixed(2);
    ctx.log(`  round ${round + 1}: ${systems.map((entry) => `${entry.system} ${last(entry.system, 'first')} s, then ${last(entry.system, 'then')} s`).join('; ')}`);
  }
  const figure = (system, window) => median(used.get(system)[window]);
  const cell = (value) => (Number.isFinite(value) ? `${value.toFixed(2)} s` : 'n/a');
  const share = (value) => (Number.isFinite(value) ? `${((value / seconds) * 100).toFixed(2)}%` : 'n/a');
  const rows = systems.map((entry) => [entry.name, cell(figure(entry.system, 'first')), cell(figure(entry.system, 'then')), share(figure(entry.system, 'then'))]);
  const bareFirst = median(floor.first);
  const bareFigure = median(floor.then);
  rows.push(['bare node (`setInterval` only), for reference', cell(bareFirst), cell(bareFigure), share(bareFigure)]);
  const keepalive = figure('keepalive', 'then');
  // /proc counts in 10 ms ticks: "about zero" is within two ticks of a bare node process.
  const targets = used.has('keepalive')
    ? [{ what: `keepalive: CPU over ${seconds} s idle (steady)`, value: `${keepalive.toFixed(2)} s (first ${seconds} s: ${figure('keepalive', 'first').toFixed(2)} s)`, target: `~0 (<= bare node + 0.02 s = ${(bareFigure + 0.02).toFixed(2)} s)`, met: keepalive <= bareFigure + 0.02 + 1e-9 }]
    : [];
  return {
    intro:
      `CPU time (utime + stime from /proc/<pid>/stat, in 10 ms ticks) of the watchdog while its child idles, in two windows of ${seconds} s ` +
      `from 1 s after the child is ready: the first holds V8's one-off collection of start-up garbage (it comes with the modules a ` +
      `watchdog loads, not with time), the second the steady cost. The systems run side by side; median of ${ctx.config.idleRuns} round(s).`,
    table: { head: ['watchdog', `CPU, first ${seconds} s`, `CPU, next ${seconds} s`, 'share of one core (next)'], rows },
    targets,
    summary: rows.map((row) => `${row[0]}: ${row[1]}, then ${row[2]}`),
    verdicts: targets.map((target) => `${target.what}: ${target.value} ${verdict(target.met)}`),
  };
}
