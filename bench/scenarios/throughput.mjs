// 1. A child cats a big file into outFile through each system; the output is checked byte for byte.
import { execFileSync } from 'node:child_process';
import { closeSync, openSync, rmSync } from 'node:fs';
import { sameBytes, contentHash } from '../lib/data.mjs';
import { driveToResult } from '../lib/harness.mjs';
import { median } from '../lib/util.mjs';
import { count, mb, ratio, seconds, verdict } from '../lib/format.mjs';

export const id = 'throughput';
export const title = 'Throughput: a child `cat`s a big file into outFile';

/** An ISO-8601 time (keepalive: `2024-01-01T00:00:00.000Z `; pm2: `2024-01-01T00:00:00: `). */
const TIMESTAMP = /^\[?\d{4}-\d\d-\d\d[T ][\d:.]+(?:Z|[+-]\d\d:?\d\d)?\]?:? /;

const SHELL = 'cat >> file (shell)';
const PIPE = 'cat | cat >> file (shell, a pipe)';
const TEE = 'cat | tee -a file (shell, echo)';
const FILES_ONLY = 'keepalive, files only';
const UNMOVABLE = 'keepalive, files only, unmovableLogs';

const VARIANTS = [
  { name: SHELL, system: 'shell', spec: {} },
  // References for the other modes: what a pipe costs when the reader adds nothing, and the
  // shell's own way to see the output and keep it.
  { name: PIPE, system: 'shell', spec: { pipe: true } },
  { name: TEE, system: 'shell', spec: { echo: true } },
  // The default: keepalive reads a pipe and writes the file, so that a reopen moves the output.
  // Its bound is the pipe, so its target is set against `cat | cat >> file`.
  { name: FILES_ONLY, system: 'keepalive', spec: {}, target: 1, against: PIPE },
  // The child holds the file itself, as with a shell redirect (the default before rotation).
  { name: UNMOVABLE, system: 'keepalive', spec: { unmovableLogs: true }, target: 0.9 },
  { name: 'keepalive, timestamps', system: 'keepalive', spec: { timestamp: true }, target: 0.5, reference: PIPE },
  { name: 'keepalive, echo', system: 'keepalive', spec: { echo: true }, target: 0.5, reference: TEE },
  { name: 'forever-monitor', system: 'forever-monitor', spec: {} },
  { name: 'pm2', system: 'pm2', spec: {} },
];

async function once(ctx, variant) {
  const { run, data } = ctx;
  const outFile = run.path('out.log');
  const errFile = run.path('err.log');
  const echoFile = variant.spec.echo ? run.path('echo.log') : undefined;
  const echoFd = echoFile ? openSync(echoFile, 'a') : undefined;
  try {
    const spec = { command: [ctx.bins.cat, data.bigFile], max: 1, outFile, errFile, ...variant.spec };
    // Each run starts with no dirty pages: otherwise the writeback of one run's gigabytes slows
    // the next, and the order of the rows decides the figures.
    execFileSync('sync');
    const result = await driveToResult(run, variant.system, { kind: 'run', spec }, { stdout: echoFd ?? 'ignore' });
    // Check the output even when the watchdog crashed: how much it lost is the figure then.
    let check;
    if (variant.spec.timestamp) {
      const seen = contentHash(outFile, TIMESTAMP);
      check = { identical: seen.hash === data.hash && seen.unprefixed === 0, actualBytes: seen.bytes };
    } else {
      check = sameBytes(data.bigFile, outFile);
    }
    if (check.identical && echoFile) {
      const echoed = sameBytes(data.bigFile, echoFile);
      if (!echoed.identical) check = { ...echoed, what: 'echo' };
    }
    const problem = result.error ?? (check.identical ? undefined : describeLoss(check, data.bytes));
    return { ms: result.ms, ok: !problem, problem };
  } finally {
    if (echoFd !== undefined) closeSync(echoFd);
    for (const file of [outFile, errFile, echoFile]) if (file) rmSync(file, { force: true });
  }
}

function describeLoss(check, expected) {
  const where = check.what === 'echo' ? 'echoed output' : 'outFile';
  if (check.actualBytes < expected) return `${where} short by ${count(expected - check.actualBytes)} bytes`;
  if (check.actualBytes > expected && check.what !== undefined) return `${where} has ${count(check.actualBytes - expected)} extra bytes`;
  return `${where} differs from the input`;
}

export async function run(ctx) {
  const variants = VARIANTS.filter((variant) => ctx.systems.has(variant.system));
  const results = new Map(variants.map((variant) => [variant, []]));
  for (let round = 0; round < ctx.config.runs; round += 1) {
    // Rounds interleave the systems, so that a noisy moment hurts each a little, not one a lot.
    for (const variant of variants) {
      const outcome = await once(ctx, variant);
      ctx.log(`  ${variant.name}: ${outcome.ok ? seconds(outcome.ms) : `FAILED (${outcome.problem})`}`);
      results.get(variant).push(outcome);
    }
  }
  const figures = new Map(
    variants.map((variant) => {
      const outcomes = results.get(variant);
      const good = outcomes.filter((outcome) => outcome.ok).map((outcome) => outcome.ms);
      const failures = outcomes.filter((outcome) => !outcome.ok).map((outcome) => outcome.problem);
      return [variant.name, { ms: median(good), good: good.length, runs: outcomes.length, failures }];
    }),
  );
  const shellMs = figures.get(SHELL)?.ms;
  const pipeMs = figures.get(PIPE)?.ms;
  const keepaliveMs = figures.get(FILES_ONLY)?.ms;
  const rows = variants.map((variant) => {
    const figure = figures.get(variant.name);
    const mbps = figure.ms > 0 ? ctx.data.bytes / 1024 / 1024 / (figure.ms / 1000) : NaN;
    return [
      variant.name,
      seconds(figure.ms),
      Number.isFinite(mbps) ? `${mbps.toFixed(0)} MB/s` : 'n/a',
      `${figure.good}/${figure.runs}`,
      ratio(shellMs / figure.ms),
      ratio(pipeMs / figure.ms),
      variant.system === 'keepalive' ? '' : ratio(figure.ms / keepaliveMs),
      figure.failures.length ? [...new Set(figure.failures)].join('; ') : '',
    ];
  });
  const targets = variants
    .filter((variant) => variant.target)
    .map((variant) => {
      const figure = figures.get(variant.name);
      const base = variant.against ?? SHELL;
      const value = figures.get(base)?.ms / figure.ms;
      const reference = variant.reference && figures.get(variant.reference);
      return {
        what: `${variant.name}: speed relative to \`${base.split(' (')[0]}\``,
        value: reference ? `${ratio(value)} (\`${variant.reference.split(' (')[0]}\`: ${ratio(shellMs / reference.ms)})` : ratio(value),
        target: `>= ${variant.target}`,
        met: Number.isFinite(value) && figure.failures.length === 0 ? value >= variant.target : false,
      };
    });
  return {
    intro:
      `Input: ${mb(ctx.data.bytes)} of text lines, \`cat\` by each system into \`outFile\` (stderr into \`errFile\`); ` +
      `the time runs from start to the moment every byte is in the file. Output checked byte for byte ` +
      `(timestamps stripped first); a run that lost or changed a byte is a failure, not a time. ` +
      `Median of the correct runs. \`cat | cat\` shows what a pipe costs when its reader adds nothing, ` +
      `the bound for any watchdog that reads the output (timestamps); \`tee\` is the shell's echo.`,
    table: {
      head: ['system', 'seconds', 'throughput', 'correct runs', 'speed vs `cat >> file`', 'speed vs `cat | cat >> file`', 'keepalive (files only) speed-up over it', 'failures'],
      rows,
    },
    targets,
    summary: variants.map((variant) => {
      const figure = figures.get(variant.name);
      return `${variant.name}: ${seconds(figure.ms)} (${ratio(shellMs / figure.ms)} of cat)${figure.failures.length ? `, ${figure.failures.length} failed` : ''}`;
    }),
    verdicts: targets.map((target) => `${target.what}: ${target.value} (target ${target.target}) ${verdict(target.met)}`),
  };
}
