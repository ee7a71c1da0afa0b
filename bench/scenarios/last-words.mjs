// 2. A child writes N lines and throws: how many lines each system keeps.
import { closeSync, openSync, readFileSync, rmSync } from 'node:fs';
import { countNumberedLines } from '../lib/data.mjs';
import { driveToResult } from '../lib/harness.mjs';
import { median } from '../lib/util.mjs';
import { count, verdict } from '../lib/format.mjs';

export const id = 'last-words';
export const title = 'Last words: a child writes many lines, then throws';

const VARIANTS = [
  { name: 'shell (`node app.js >> out 2>> err`)', system: 'shell', spec: {} },
  { name: 'keepalive, files only', system: 'keepalive', spec: {}, mustKeepAll: true },
  { name: 'keepalive, unmovableLogs', system: 'keepalive', spec: { unmovableLogs: true }, mustKeepAll: true },
  { name: 'keepalive, echo', system: 'keepalive', spec: { echo: true }, mustKeepAll: true },
  { name: 'keepalive, timestamps', system: 'keepalive', spec: { timestamp: true }, mustKeepAll: true },
  { name: 'forever-monitor', system: 'forever-monitor', spec: {} },
  { name: 'pm2', system: 'pm2', spec: {} },
];

function read(file) {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return '';
  }
}

async function once(ctx, variant) {
  const { run, config } = ctx;
  const outFile = run.path('out.log');
  const errFile = run.path('err.log');
  const echoFile = variant.spec.echo ? run.path('echo.log') : undefined;
  const echoFd = echoFile ? openSync(echoFile, 'a') : undefined;
  try {
    const command = [process.execPath, ctx.fixture('lines-then-throw.js'), String(config.lines)];
    const spec = { command, max: 1, outFile, errFile, ...variant.spec };
    const result = await driveToResult(run, variant.system, { kind: 'run', spec }, { stdout: echoFd ?? 'ignore' });
    return {
      kept: countNumberedLines(outFile, config.lines),
      echoed: echoFile ? countNumberedLines(echoFile, config.lines) : undefined,
      stack: read(errFile).includes(`threw after ${config.lines} lines`),
      error: result.error,
    };
  } finally {
    if (echoFd !== undefined) closeSync(echoFd);
    for (const file of [outFile, errFile, echoFile]) if (file) rmSync(file, { force: true });
  }
}

export async function run(ctx) {
  const variants = VARIANTS.filter((variant) => ctx.systems.has(variant.system));
  const results = new Map(variants.map((variant) => [variant, []]));
  for (let round = 0; round < ctx.config.lastWordsRuns; round += 1) {
    for (const variant of variants) {
      const outcome = await once(ctx, variant);
      ctx.log(`  ${variant.name}: ${count(outcome.kept)} lines${outcome.error ? ` (${outcome.error})` : ''}`);
      results.get(variant).push(outcome);
    }
  }
  const lines = ctx.config.lines;
  const rows = [];
  const targets = [];
  const summary = [];
  for (const variant of variants) {
    const outcomes = results.get(variant);
    const kept = outcomes.map((outcome) => outcome.kept);
    const stacks = outcomes.filter((outcome) => outcome.stack).length;
    const echoed = outcomes.map((outcome) => outcome.echoed).filter((value) => value !== undefined);
    rows.push([
      variant.name,
      count(median(kept)),
      `${count(Math.min(...kept))} to ${count(Math.max(...kept))}`,
      `${((median(kept) / lines) * 100).toFixed(1)}%`,
      `${stacks}/${outcomes.length}`,
      echoed.length ? `${count(Math.min(...echoed))} echoed` : '',
    ]);
    summary.push(`${variant.name}: kept ${count(Math.min(...kept))} to ${count(Math.max(...kept))} of ${count(lines)}`);
    if (variant.mustKeepAll) {
      targets.push({
        what: `${variant.name}: lines kept in every run`,
        value: count(Math.min(...kept)),
        target: `= ${count(lines)}`,
        met: Math.min(...kept) === lines && stacks === outcomes.length && echoed.every((value) => value === lines),
      });
    }
  }
  return {
    intro:
      `The child (bench/fixtures/lines-then-throw.js) writes ${count(lines)} numbered lines to stdout, then throws. ` +
      `Counted: distinct numbered lines in \`outFile\`, after the watchdog says the run is over. ` +
      `${ctx.config.lastWordsRuns} run(s) per system.`,
    table: { head: ['system', 'lines kept (median)', 'range', 'share', 'stack trace in errFile', 'echo'], rows },
    targets,
    summary,
    verdicts: targets.map((target) => `${target.what}: ${target.value} (target ${target.target}) ${verdict(target.met)}`),
  };
}
