// 7. Stop latency: from stop() to settled, for a child that exits on SIGTERM and one that ignores it.
import { driveToResult } from '../lib/harness.mjs';
import { median } from '../lib/util.mjs';
import { millis, ratio } from '../lib/format.mjs';

export const id = 'stop';
export const title = 'Stop latency: from `stop()` to settled';

const SYSTEMS = [
  { name: 'keepalive', system: 'keepalive' },
  { name: 'forever-monitor', system: 'forever-monitor' },
  { name: 'pm2', system: 'pm2' },
];

const CHILDREN = [
  { name: 'exits on SIGTERM', args: [] },
  { name: 'ignores SIGTERM (and SIGINT)', args: ['--ignore-sigterm'] },
];

export async function run(ctx) {
  const systems = SYSTEMS.filter((entry) => ctx.systems.has(entry.system));
  const killTTL = ctx.config.killTTL;
  const stopTimeout = Math.max(5000, killTTL * 6);
  const results = new Map();
  for (let round = 0; round < ctx.config.stopRuns; round += 1) {
    for (const child of CHILDREN) {
      for (const entry of systems) {
        const readyFile = ctx.run.path('ready');
        const spec = {
          command: [process.execPath, ctx.fixture('idle.js'), ...child.args],
          env: { BENCH_READY_FILE: readyFile },
          killTTL,
        };
        const result = await driveToResult(ctx.run, entry.system, { kind: 'stop-latency', spec, readyFile, stopTimeout });
        // Whatever a system left running must not slow the next measurement.
        ctx.run.killAll();
        const key = `${entry.system}/${child.name}`;
        if (!results.has(key)) results.set(key, []);
        const outcome = result.error
          ? { error: result.error }
          : result.outcome === 'timeout'
            ? { error: `not settled after ${stopTimeout / 1000} s${result.childGone ? '' : ', child still running'}` }
            : { ms: result.ms, childGone: result.childGone };
        results.get(key).push(outcome);
        ctx.log(`  ${entry.name}, child ${child.name}: ${outcome.error ?? millis(outcome.ms, 1)}`);
      }
    }
  }
  const figure = (system, child) => {
    const outcomes = results.get(`${system}/${child.name}`) ?? [];
    const errors = [...new Set(outcomes.filter((outcome) => outcome.error).map((outcome) => outcome.error))];
    const good = outcomes.filter((outcome) => !outcome.error);
    return { ms: median(good.map((outcome) => outcome.ms)), errors, runs: outcomes.length, good: good.length };
  };
  const rows = [];
  for (const child of CHILDREN) {
    const keepalive = figure('keepalive', child).ms;
    for (const entry of systems) {
      const { ms, errors, runs, good } = figure(entry.system, child);
      rows.push([
        child.name,
        entry.name,
        good === 0 ? 'never' : `${millis(ms, 1)}${good < runs ? ` (${good} of ${runs} runs)` : ''}`,
        entry.system === 'keepalive' ? '' : Number.isFinite(ms) ? ratio(keepalive / ms) : 'n/a',
        errors.join('; '),
      ]);
    }
  }
  const targets = [];
  if (systems.some((entry) => entry.system === 'keepalive')) {
    const polite = figure('keepalive', CHILDREN[0]);
    const stubborn = figure('keepalive', CHILDREN[1]);
    targets.push({ what: 'keepalive: stop, child exits on SIGTERM', value: millis(polite.ms, 1), target: '< 100 ms', met: polite.errors.length === 0 && polite.ms < 100 });
    targets.push({
      what: `keepalive: stop, child ignores SIGTERM (killTTL ${killTTL} ms)`,
      value: millis(stubborn.ms, 1),
      target: `~${killTTL} ms (< ${killTTL + 150} ms)`,
      met: stubborn.errors.length === 0 && stubborn.ms >= killTTL && stubborn.ms < killTTL + 150,
    });
  }
  return {
    intro:
      `The child (bench/fixtures/idle.js) says it is ready; then the time from \`stop()\` until it settles (keepalive: the promise; ` +
      `forever-monitor: its \`stop\` event; pm2: \`pm2.delete()\` calls back). Each system is asked for SIGTERM, then SIGKILL after ${killTTL} ms ` +
      `(keepalive \`killTTL\`; forever-monitor \`killSignal: 'SIGTERM', killTTL\`; pm2 \`kill_timeout\`, whose first signal is SIGINT). ` +
      `"never": not settled within ${stopTimeout / 1000} s. Median of ${ctx.config.stopRuns} run(s).`,
    table: { head: ['child', 'system', 'stop to settled', 'keepalive relative to it', 'problems'], rows },
    targets,
    summary: rows.map((row) => `${row[1]}, child ${row[0]}: ${row[2]}`),
  };
}
