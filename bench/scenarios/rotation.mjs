// 9. Rotation: a child `cat`s the big file while the log rotates at 10 MiB. keepalive (rotation as
// the writer) against s6-log (the same, in C) and logrotate's copytruncate (a copy, then a
// truncation, while the writer goes on), with keepalive without rotation as the reference.
import { execFileSync, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { closeSync, openSync, readdirSync, readSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { driveToResult } from '../lib/harness.mjs';
import { count, ratio, seconds, verdict } from '../lib/format.mjs';
import { median, now } from '../lib/util.mjs';

export const id = 'rotation';
export const title = 'Rotation: a child `cat`s a big file into a log that rotates at 10 MiB';

const LIMIT = 10 * 1024 * 1024;
const KEEP = 100_000;

function has(program) {
  try {
    execFileSync('sh', ['-c', `command -v ${program}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

const NO_ROTATION = 'keepalive, no rotation';
const NO_ROTATION_TS = 'keepalive, timestamps, no rotation';
const VARIANTS = [
  { name: NO_ROTATION, kind: 'keepalive', spec: {} },
  { name: 'keepalive, rotation', kind: 'keepalive', spec: { maxLogSize: '10M' }, against: NO_ROTATION },
  { name: 'keepalive, rotation, compressed', kind: 'keepalive', spec: { maxLogSize: '10M', compressLogs: true }, against: NO_ROTATION },
  { name: NO_ROTATION_TS, kind: 'keepalive', spec: { timestamp: true } },
  { name: 'keepalive, timestamps, rotation', kind: 'keepalive', spec: { timestamp: true, maxLogSize: '10M' }, against: NO_ROTATION_TS, versus: 's6-log, timestamps' },
  { name: 's6-log', kind: 's6-log', spec: {}, tool: 's6-log' },
  { name: 's6-log, timestamps', kind: 's6-log', spec: { timestamp: true }, tool: 's6-log' },
  { name: 'logrotate copytruncate', kind: 'logrotate', spec: {}, tool: 'logrotate' },
];

/** The files a run left, oldest first. */
function filesIn(dir, kind) {
  const names = readdirSync(dir);
  if (kind === 's6-log') return [...names.filter((name) => name.startsWith('@')).sort(), 'current'].map((name) => path.join(dir, name));
  if (kind === 'logrotate') {
    const archives = names.filter((name) => /^out\.log\.\d+$/.test(name)).sort((a, b) => Number(b.split('.').pop()) - Number(a.split('.').pop()));
    return [...archives, 'out.log'].map((name) => path.join(dir, name));
  }
  const archives = names.filter((name) => /^out\.log\.\d{8}T\d{6}\.\d{3}Z(\.gz)?$/.test(name)).sort();
  return [...archives, 'out.log'].map((name) => path.join(dir, name));
}

function* chunksOf(files) {
  const buffer = Buffer.allocUnsafe(4 << 20);
  for (const file of files) {
    if (file.endsWith('.gz')) {
      yield execFileSync('gzip', ['-dc', file], { maxBuffer: 1 << 30 });
      continue;
    }
    let fd;
    try {
      fd = openSync(file, 'r');
    } catch {
      continue;
    }
    try {
      for (let read; (read = readSync(fd, buffer, 0, buffer.length, null)) > 0; ) yield buffer.subarray(0, read);
    } finally {
      closeSync(fd);
    }
  }
}

/** The sha1 of the files one after the other, and which numbered lines (`info N`) they hold. */
function check(files, lines) {
  const hash = createHash('sha1');
  const seen = new Uint8Array(lines + 2);
  let found = 0;
  let rest = '';
  const count = (text) => {
    // After a timestamp, keepalive's (`2026-12-01T17:01:15.347Z `) or s6-log's (`2026-12-01 17:01:15.347728129  `).
    for (const match of text.matchAll(/^(?:[\d-]+[T ][\d:.]+Z? +)?info (\d+) /gm)) {
      const n = Number(match[1]);
      if (n <= lines && !seen[n]) {
        seen[n] = 1;
        found += 1;
      }
    }
  };
  for (const chunk of chunksOf(files)) {
    hash.update(chunk);
    const text = rest + chunk.toString('latin1');
    const end = text.lastIndexOf('\n');
    rest = text.slice(end + 1);
    count(text.slice(0, end + 1));
  }
  count(rest);
  return { hash: hash.digest('hex'), lost: lines - found, found };
}

async function shell(script, args) {
  const started = now();
  const sh = spawn('/bin/sh', ['-c', script, 'sh', ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  sh.stderr.on('data', (chunk) => (stderr += chunk));
  const [code] = await once(sh, 'exit');
  return { ms: now() - started, error: code === 0 ? undefined : `exit ${code}: ${stderr.trim().split('\n')[0]}` };
}

async function once_(ctx, variant) {
  const { run, data } = ctx;
  const dir = run.folder('rotation');
  const out = path.join(dir, 'out.log');
  execFileSync('sync');
  let result;
  if (variant.kind === 'keepalive') {
    const spec = { command: [ctx.bins.cat, data.bigFile], max: 1, outFile: out, errFile: path.join(dir, 'err.log'), maxLogFiles: KEEP, ...variant.spec };
    result = await driveToResult(run, 'keepalive', { kind: 'run', spec });
  } else if (variant.kind === 's6-log') {
    const script = variant.spec.timestamp ? 'cat "$1" | s6-log -b n100000 s10485760 T "$2"' : 'cat "$1" | s6-log -b n100000 s10485760 "$2"';
    result = await shell(script, [data.bigFile, dir]);
  } else {
    const conf = path.join(dir, 'logrotate.conf');
    writeFileSync(conf, `${out} {\n  size 10M\n  rotate ${KEEP}\n  copytruncate\n  nocompress\n  missingok\n}\n`);
    // logrotate checks the size as often as it can be run while the writer appends (cron does it hourly).
    const script = '(cat "$1" >> "$2"; touch "$2.done") & while [ ! -e "$2.done" ]; do logrotate -s "$3" "$4" || exit 1; done; wait';
    result = await shell(script, [data.bigFile, out, path.join(dir, 'state'), conf]);
  }
  const files = filesIn(dir, variant.kind);
  const seen = check(files, ctx.lines);
  const identical = seen.hash === data.hash;
  return { ms: result.ms, error: result.error, lost: seen.lost, identical, archives: files.length - 1 };
}

export async function run(ctx) {
  const variants = VARIANTS.filter((variant) => (variant.kind === 'keepalive' ? ctx.systems.has('keepalive') : ctx.systems.has('shell')));
  const skipped = variants.filter((variant) => variant.tool && !has(variant.tool)).map((variant) => variant.name);
  const measured = variants.filter((variant) => !skipped.includes(variant.name));
  const outcomes = new Map(measured.map((variant) => [variant.name, []]));
  // The numbered lines of the input itself (lines are over 60 bytes long).
  ctx.lines = check([ctx.data.bigFile], Math.ceil(ctx.data.bytes / 60)).found;
  for (let round = 0; round < ctx.config.runs; round += 1) {
    for (const variant of measured) {
      const outcome = await once_(ctx, variant);
      ctx.log(`  ${variant.name}: ${seconds(outcome.ms)}, ${outcome.archives} archives, ${count(outcome.lost)} lines lost${outcome.error ? `, ${outcome.error}` : ''}`);
      outcomes.get(variant.name).push(outcome);
    }
  }
  const figure = (name) => {
    const list = outcomes.get(name) ?? [];
    return {
      ms: median(list.filter((each) => !each.error).map((each) => each.ms)),
      lost: Math.max(0, ...list.map((each) => each.lost)),
      identical: list.filter((each) => each.identical).length,
      archives: median(list.map((each) => each.archives)),
      runs: list.length,
      errors: [...new Set(list.map((each) => each.error).filter(Boolean))],
    };
  };
  const mibps = (ms) => ctx.data.bytes / 1024 / 1024 / (ms / 1000);
  const rows = measured.map((variant) => {
    const f = figure(variant.name);
    return [
      variant.name, seconds(f.ms), `${mibps(f.ms).toFixed(0)} MiB/s`, count(f.archives), count(f.lost),
      variant.spec.timestamp ? 'n/a (stamped)' : `${f.identical}/${f.runs}`,
      variant.against ? ratio(figure(variant.against).ms / f.ms) : '', f.errors.join('; '),
    ];
  });
  const targets = measured
    .filter((variant) => variant.versus && outcomes.has(variant.versus))
    .map((variant) => {
      const mine = figure(variant.name);
      const theirs = figure(variant.versus);
      const value = theirs.ms / mine.ms;
      return {
        what: `${variant.name}: speed relative to ${variant.versus}, lines lost`,
        value: `${ratio(value)}, ${count(mine.lost)} lost`,
        target: '> 1x, 0 lost',
        met: value > 1 && mine.lost === 0,
      };
    });
  const notes = [
    'The input ends in an unfinished line (it is cut at its size): s6-log drops such a line at the end of its input, so it is not byte-identical and loses that one line.',
    'The compressed row includes the time to compress every archive (a foreground keepalive waits for it before it exits); the output itself is written at the speed of the row above.',
    ...(skipped.length ? [`Not measured (not installed; \`scripts/install-system-tools.sh\` installs them): ${skipped.join(', ')}.`] : []),
  ];
  return {
    intro:
      `Input: the throughput scenario's ${count(ctx.data.bytes)} bytes of numbered lines, \`cat\` into a log that rotates at 10 MiB ` +
      `(every archive kept). keepalive renames at a line boundary as the writer; s6-log (\`-b n100000 s10485760\`, \`T\` for ` +
      `timestamps) does the same in C; logrotate (\`size 10M\`, \`copytruncate\`, run in a loop while \`cat >> out.log\` appends) ` +
      `copies, then truncates. "Byte-identical": the archives and the current file, concatenated oldest first, are the input.`,
    table: {
      head: ['system', 'seconds', 'throughput', 'archives', 'lines lost (worst run)', 'byte-identical', 'speed vs the same without rotation', 'failures'],
      rows,
    },
    notes,
    targets,
    summary: measured.map((variant) => {
      const f = figure(variant.name);
      return `${variant.name}: ${seconds(f.ms)} (${mibps(f.ms).toFixed(0)} MiB/s), ${count(f.lost)} lines lost`;
    }),
    verdicts: targets.map((target) => `${target.what}: ${target.value} (target ${target.target}) ${verdict(target.met)}`),
  };
}
