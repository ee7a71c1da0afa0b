// 8. Orphans: a child leaves a grandchild and crashes, five times; how many grandchildren live on.
import { randomBytes } from 'node:crypto';
import { holdAll } from '../lib/harness.mjs';
import { killAll, median, pidsWithMarker, sleep } from '../lib/util.mjs';
import { count } from '../lib/format.mjs';

export const id = 'orphans';
export const title = 'Orphans: a child leaves a grandchild, then crashes';

const SYSTEMS = [
  { name: 'shell `while true` loop', system: 'shell' },
  { name: 'keepalive', system: 'keepalive' },
  { name: 'forever-monitor', system: 'forever-monitor' },
  { name: 'pm2', system: 'pm2' },
];

export async function run(ctx) {
  const systems = SYSTEMS.filter((entry) => ctx.systems.has(entry.system));
  const crashes = ctx.config.orphanCrashes;
  const results = new Map(systems.map((entry) => [entry.system, []]));
  for (let round = 0; round < ctx.config.orphanRuns; round += 1) {
    for (const entry of systems) {
      const marker = `keepalive-bench-orphan-${randomBytes(6).toString('hex')}`;
      const readyFile = ctx.run.path('ready');
      const task = {
        readyFile,
        spec: {
          command: [process.execPath, ctx.fixture('grandchild-then-crash.js')],
          env: {
            BENCH_COUNTER_FILE: ctx.run.path('counter'),
            BENCH_CRASHES: String(crashes),
            BENCH_MARKER: marker,
            BENCH_READY_FILE: readyFile,
          },
        },
      };
      const { held, release } = await holdAll(ctx.run, [{ system: entry.system, task }]);
      const outcome = {};
      try {
        if (held[0].error) outcome.error = held[0].error;
        // The sixth run is up: the five crashed runs and their leftovers are behind it.
        else outcome.afterCrashes = pidsWithMarker(marker).length;
      } finally {
        await release(); // stop the watchdog; its driver process exits
      }
      await sleep(200);
      outcome.afterStop = pidsWithMarker(marker).length;
      killAll(pidsWithMarker(marker));
      ctx.run.killAll();
      results.get(entry.system).push(outcome);
      ctx.log(`  ${entry.name}: ${outcome.error ?? `${outcome.afterCrashes} alive after ${crashes} crashes, ${outcome.afterStop} after stop`}`);
    }
  }
  const rows = systems.map((entry) => {
    const outcomes = results.get(entry.system);
    const errors = outcomes.filter((outcome) => outcome.error).map((outcome) => outcome.error);
    const good = outcomes.filter((outcome) => !outcome.error);
    return [
      entry.name,
      good.length ? `${count(median(good.map((outcome) => outcome.afterCrashes)))} of ${crashes}` : 'n/a',
      good.length ? `${count(median(good.map((outcome) => outcome.afterStop)))} of ${crashes}` : 'n/a',
      [...new Set(errors)].join('; '),
    ];
  });
  const keepalive = results.get('keepalive')?.filter((outcome) => !outcome.error) ?? [];
  const targets = results.has('keepalive')
    ? [{
        what: `keepalive: grandchildren alive after ${crashes} crashes and after stop`,
        value: keepalive.length ? `${Math.max(...keepalive.map((o) => o.afterCrashes))} and ${Math.max(...keepalive.map((o) => o.afterStop))}` : 'n/a',
        target: '0 and 0',
        met: keepalive.length > 0 && keepalive.every((o) => o.afterCrashes === 0 && o.afterStop === 0),
      }]
    : [];
  return {
    intro:
      `The child (bench/fixtures/grandchild-then-crash.js) starts a grandchild (bench/fixtures/sleeper.js, not detached, a unique marker in its argv) ` +
      `and crashes, ${crashes} times; the run after that stays up. Counted in /proc by the marker: grandchildren alive once that run is up, ` +
      'and after the watchdog is stopped (keepalive `stop()`, forever-monitor `stop()`, `pm2 delete`, SIGTERM to the shell loop\'s process group) and its process has exited. ' +
      `Median of ${ctx.config.orphanRuns} run(s).`,
    table: { head: ['system', `alive after ${crashes} crashes`, 'alive after stop', 'problems'], rows },
    targets,
    summary: rows.map((row) => `${row[0]}: ${row[1]} alive after the crashes, ${row[2]} after stop`),
  };
}
