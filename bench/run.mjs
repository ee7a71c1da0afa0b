#!/usr/bin/env node
// keepalive's benchmark: keepalive against forever-monitor, pm2 and the shell, side by side in one
// run on one machine. Writes BENCHMARKS.md and prints a summary.
//
//   node bench/run.mjs [--quick] [--runs N] [--size 1g] [--lines N] [--restarts N]
//                      [--only a,b] [--systems a,b] [--out FILE]
//
// A run limited by --only or --systems writes bench/results/BENCHMARKS-partial.md unless --out says
// otherwise, so that it never replaces the full report.
import { execFileSync } from 'node:child_process';
import { accessSync, constants, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { contentHash, writeTextFile } from './lib/data.mjs';
import { benchDir, root, Run } from './lib/harness.mjs';
import { renderReport } from './lib/report.mjs';
import { machine, now } from './lib/util.mjs';

const SCENARIOS = [
  'throughput', 'last-words', 'restarts', 'memory', 'cli', 'idle', 'stop', 'orphans', 'crash-gap', 'reloads', 'apps', 'rotation', 'footprint',
  'memory-limit', 'hang',
];
const SYSTEMS = ['keepalive', 'forever-monitor', 'pm2', 'shell'];

const FULL = {
  runs: 5,
  size: 1024 ** 3,
  lines: 200_000,
  lastWordsRuns: 5,
  restarts: 2000,
  memoryRestarts: 10_000,
  memoryWaitMs: 5000,
  idleSeconds: 30,
  idleRuns: 3,
  cliRuns: 10,
  stopRuns: 5,
  killTTL: 500,
  orphanRuns: 2,
  orphanCrashes: 5,
  hangRuns: 10,
  hangLimitMs: 60_000,
  hangKillTTL: 500,
  hangCostSeconds: 30,
};
const QUICK = {
  ...FULL,
  runs: 1,
  size: 64 * 1024 ** 2,
  lastWordsRuns: 1,
  restarts: 300,
  memoryRestarts: 1000,
  memoryWaitMs: 2000,
  idleSeconds: 3,
  idleRuns: 1,
  cliRuns: 3,
  stopRuns: 1,
  orphanRuns: 1,
  hangRuns: 3,
  hangLimitMs: 20_000,
  hangCostSeconds: 5,
};

function bytes(text) {
  const match = /^(\d+(?:\.\d+)?)([kmg]?)i?b?$/i.exec(text);
  if (!match) throw new Error(`--size: expected a size such as 64m or 1g, got ${text}`);
  const unit = { '': 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3 }[match[2].toLowerCase()];
  return Math.round(Number(match[1]) * unit);
}

function positive(name, text) {
  const value = Number(text);
  if (!Number.isInteger(value) || value < 1) throw new Error(`--${name}: expected a whole number >= 1, got ${text}`);
  return value;
}

function list(name, text, allowed) {
  const items = text.split(',').map((item) => item.trim()).filter(Boolean);
  for (const item of items) if (!allowed.includes(item)) throw new Error(`--${name}: unknown ${item} (known: ${allowed.join(', ')})`);
  return items;
}

function parse(argv) {
  const { values } = parseArgs({
    args: argv,
    options: {
      quick: { type: 'boolean', default: false },
      runs: { type: 'string' },
      size: { type: 'string' },
      lines: { type: 'string' },
      restarts: { type: 'string' },
      'idle-seconds': { type: 'string' },
      only: { type: 'string' },
      systems: { type: 'string' },
      out: { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  const config = { ...(values.quick ? QUICK : FULL), quick: values.quick };
  if (values.runs) config.runs = config.lastWordsRuns = config.stopRuns = config.hangRuns = positive('runs', values.runs);
  if (values.size) config.size = bytes(values.size);
  if (values.lines) config.lines = positive('lines', values.lines);
  if (values.restarts) config.restarts = config.memoryRestarts = positive('restarts', values.restarts);
  if (values['idle-seconds']) config.idleSeconds = positive('idle-seconds', values['idle-seconds']);
  return {
    help: values.help,
    config,
    scenarios: values.only ? list('only', values.only, SCENARIOS) : SCENARIOS,
    systems: new Set(values.systems ? list('systems', values.systems, SYSTEMS) : SYSTEMS),
    // A partial run must not overwrite the full report: it goes to bench/results/ (not committed).
    out: path.resolve(
      values.out ?? (values.only || values.systems ? path.join(benchDir, 'results', 'BENCHMARKS-partial.md') : path.join(root, 'BENCHMARKS.md')),
    ),
    argv,
  };
}

/** The command line that reproduces this report (without where it was written). */
function reproduce(argv) {
  const kept = [];
  for (let i = 0; i < argv.length; i += 1) {
    if (argv[i] === '--out') i += 1;
    else if (!argv[i].startsWith('--out=')) kept.push(argv[i]);
  }
  return ['npm run bench', ...(kept.length ? ['--', ...kept] : [])].join(' ');
}

/** The program's file on PATH (not a shell builtin: `false` must be a real process). */
function which(program) {
  for (const dir of (process.env.PATH ?? '/usr/bin:/bin').split(':')) {
    const file = path.join(dir || '.', program);
    try {
      accessSync(file, constants.X_OK);
      return file;
    } catch {}
  }
  throw new Error(`${program} is not on PATH`);
}

async function main() {
  const options = parse(process.argv.slice(2));
  if (options.help) {
    console.log('usage: node bench/run.mjs [--quick] [--runs N] [--size 1g] [--lines N] [--restarts N] [--idle-seconds N] [--only a,b] [--systems a,b] [--out FILE]');
    console.log(`scenarios: ${SCENARIOS.join(', ')}\nsystems: ${SYSTEMS.join(', ')}`);
    return;
  }
  if (options.systems.has('keepalive') && !existsSync(path.join(root, 'dist/esm/index.js'))) {
    throw new Error('dist/esm/index.js is missing: run `npm run build` first (or `npm run bench`)');
  }
  const { config } = options;
  const run = new Run();
  const stop = () => {
    run.cleanup();
    process.exit(130);
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  const log = (line) => console.error(line);
  const started = now();
  const results = [];
  try {
    const ctx = {
      run,
      config,
      systems: options.systems,
      log,
      bins: { cat: which('cat'), false: which('false') },
      fixture: (name) => path.join(benchDir, 'fixtures', name),
      data: undefined,
    };
    if (options.scenarios.includes('throughput') || options.scenarios.includes('rotation')) {
      const bigFile = run.path('input.txt');
      log(`writing ${config.size} bytes of text to ${bigFile}`);
      writeTextFile(bigFile, config.size);
      // Flush it to disk now, so that its write-back does not slow the first system measured.
      execFileSync('sync');
      ctx.data = { bigFile, bytes: config.size, hash: contentHash(bigFile).hash };
    }
    for (const id of options.scenarios) {
      const scenario = await import(`./scenarios/${id}.mjs`);
      log(`\n== ${scenario.title}`);
      const scenarioStarted = now();
      const result = await scenario.run(ctx);
      run.killAll();
      results.push({ id, title: scenario.title, ...result, seconds: (now() - scenarioStarted) / 1000 });
    }
  } finally {
    run.cleanup();
  }
  const report = renderReport({
    machine: machine(),
    date: new Date(),
    config,
    command: reproduce(options.argv),
    results,
    seconds: (now() - started) / 1000,
  });
  mkdirSync(path.dirname(options.out), { recursive: true });
  writeFileSync(options.out, report.markdown);
  console.log(report.summary);
  console.log(`\nreport written to ${path.relative(process.cwd(), options.out) || options.out}`);
}

main().catch((error) => {
  console.error(error?.stack ?? error);
  process.exitCode = 1;
});
