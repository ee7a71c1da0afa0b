// The loop the express scenarios share (crash-gap, reloads): each variant serves the unchanged
// express fixture on a free port, `rounds` times; `measure` loads it; the outcomes are kept per variant.
import { holdAll } from './harness.mjs';
import { freePort } from './util.mjs';

/** How many rounds the express scenarios run: `--runs`, at most 3 (each round takes a while). */
export function expressRounds(ctx) {
  return Math.max(1, Math.min(ctx.config.runs, 3));
}

export async function expressRuns(ctx, variants, measure, describe) {
  const rounds = expressRounds(ctx);
  const results = new Map(variants.map((variant) => [variant, []]));
  for (let round = 0; round < rounds; round += 1) {
    for (const variant of variants) {
      const port = await freePort();
      const readyFile = ctx.run.path('ready');
      const spec = {
        command: [process.execPath, ctx.fixture('express-crash.cjs')],
        env: { PORT: String(port), BENCH_READY_FILE: readyFile },
        ...(variant.listen && { listen: port }),
        ...(variant.pm2Cluster && { pm2Cluster: true }),
      };
      const { held, release } = await holdAll(ctx.run, [{ system: variant.system, task: { spec, readyFile } }]);
      const outcome = held[0].error ? { error: held[0].error } : await measure(variant, port, held[0].driver);
      await release();
      ctx.run.killAll();
      results.get(variant).push(outcome);
      ctx.log(`  ${variant.name}: ${outcome.error ?? describe(variant, outcome)}`);
    }
  }
  return results;
}
