// 3. Restart cost: /bin/false restarted N times with no delay.
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { benchDir, driveToResult } from '../lib/harness.mjs';
import { median } from '../lib/util.mjs';
import { count, millis, ratio, verdict } from '../lib/format.mjs';

export const id = 'restarts';
export const title = 'Restart cost: `/bin/false` restarted with no delay';

const VARIANTS = [
  { name: 'shell `while` loop', system: 'shell' },
  { name: 'keepalive', system: 'keepalive', target: 1.5 },
  { name: 'forever-monitor', system: 'forever-monitor' },
  { name: 'pm2', system: 'pm2', share: 10 },
];

export async function run(ctx) {
  const variants = VARIANTS.filter((variant) => ctx.systems.has(variant.system));
  const results = new Map(variants.map((variant) => [variant, []]));
  const rounds = Math.max(1, Math.min(ctx.config.runs, 3));
  for (let round = 0; round < rounds; round += 1) {
    for (const variant of variants) {
      // pm2 restarts through its daemon at a few per ten ms: a tenth of the runs says as much.
      const runs = Math.max(10, Math.round(ctx.config.restarts / (variant.share ?? 1)));
      const spec = { command: [ctx.bins.false], max: runs };
      const result = await driveToResult(ctx.run, variant.system, { kind: 'run', spec });
      const perRun = result.error || result.runs !== runs ? NaN : result.ms / runs;
      ctx.log(`  ${variant.name}: ${result.error ?? `${count(result.runs)} runs, ${millis(perRun, 3)} each`}`);
      results.get(variant).push({ perRun, runs, error: result.error ?? (result.runs !== runs ? `${result.runs} runs` : undefined) });
    }
  }
  // The floor for any watchdog written in node: spawn() of the same program in a loop, nothing else.
  const floor = [];
  for (let round = 0; round < rounds; round += 1) {
    const output = execFileSync(process.execPath, [path.join(benchDir, 'lib', 'spawn-loop.mjs'), ctx.bins.false, String(ctx.config.restarts)], {
      env: ctx.run.env,
      encoding: 'utf8',
    });
    floor.push(Number(output));
  }
  ctx.log(`  bare node spawn loop: ${millis(median(floor), 3)} each`);
  const figures = new Map(variants.map((variant) => [variant, median(results.get(variant).map((r) => r.perRun))]));
  const shell = figures.get(variants.find((variant) => variant.system === 'shell'));
  const keepalive = figures.get(variants.find((variant) => variant.system === 'keepalive'));
  const rows = variants.map((variant) => {
    const outcomes = results.get(variant);
    const errors = [...new Set(outcomes.map((outcome) => outcome.error).filter(Boolean))];
    return [
      variant.name,
      count(outcomes[0].runs),
      millis(figures.get(variant), 3),
      ratio(figures.get(variant) / shell),
      variant.system === 'keepalive' ? '' : ratio(keepalive / figures.get(variant)),
      errors.join('; '),
    ];
  });
  rows.push([
    'bare node `spawn()` loop, for reference (bench/lib/spawn-loop.mjs)',
    count(ctx.config.restarts),
    millis(median(floor), 3),
    ratio(median(floor) / shell),
    ratio(keepalive / median(floor)),
    '',
  ]);
  const targets = variants
    .filter((variant) => variant.target)
    .map((variant) => {
      const value = figures.get(variant) / shell;
      return { what: 'keepalive: restart cost relative to the shell loop', value: ratio(value), target: `<= ${variant.target}`, met: value <= variant.target };
    });
  return {
    intro:
      `Each system runs \`${ctx.bins.false}\` until it has run it N times, restarting at once ` +
      '(keepalive: `max: N, spinSleepTime: 0`; forever-monitor: `max: N, minUptime: 0`; pm2: `restart_delay: 0, min_uptime: 0`, ' +
      'exits counted on its bus; shell: `while [ $i -lt N ]; do /bin/false; ...; done`). ' +
      `Time per run, including the program's own start; median of ${rounds} round(s).`,
    table: { head: ['system', 'runs', 'per run', 'vs shell loop', 'keepalive relative to it', 'failures'], rows },
    targets,
    summary: [
      ...variants.map((variant) => `${variant.name}: ${millis(figures.get(variant), 3)} per restart (${ratio(figures.get(variant) / shell)} the shell loop)`),
      `bare node spawn() loop: ${millis(median(floor), 3)} per run (${ratio(median(floor) / shell)} the shell loop)`,
    ],
  };
}
