import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { gunzipSync, gzipSync } from 'node:zlib';
import { Monitor, type MonitorOptions } from '../../src/index.js';
import { archivePath } from '../../src/output/archive-names.js';
import { compressionsFinished } from '../../src/output/compress.js';
import { runBin } from '../helpers/bin.js';
import { nextEvent, nextReady } from '../helpers/events.js';
import { fixture, tempDir } from '../helpers/paths.js';

const LIMIT = 64 * 1024;
const LINES = 200_000;

/** The archives of `name` in `dir`, oldest first, as `ls -v` lists them; then the file itself. */
function filesOf(dir: string, name: string): string[] {
  const archives = execFileSync('ls', ['-v', dir], { encoding: 'utf8' }).split('\n').filter((each) => each.startsWith(`${name}.`));
  assert.deepEqual(archives, [...archives].sort(), '`ls -v` lists the archives in the order of their names');
  return [...archives, name].map((each) => path.join(dir, each));
}

function textOf(file: string): string {
  const data = readFileSync(file);
  return (file.endsWith('.gz') ? gunzipSync(data) : data).toString('utf8');
}

/** The numbers of the numbered lines of a text, in order: timestamps, status lines and the crash's stack are passed over. */
function numbersIn(text: string): number[] {
  return text.split('\n').flatMap((line) => {
    const number = /^(?:\S+Z )?(\d{6})x{57}$/.exec(line)?.[1];
    return number === undefined ? [] : [Number(number)];
  });
}

async function runBurst(options: MonitorOptions): Promise<void> {
  const monitor = new Monitor([process.execPath, fixture('numbered-burst.js'), String(LINES)], { silent: true, max: 1, maxLogSize: '64K', ...options });
  const ended = nextEvent(monitor, 'exit');
  monitor.start();
  await ended;
  await compressionsFinished();
}

const modes: [string, (dir: string) => MonitorOptions, string, number][] = [
  ['outFile', (dir) => ({ outFile: path.join(dir, 'out.log') }), 'out.log', 64],
  ['outFile with timestamps', (dir) => ({ outFile: path.join(dir, 'out.log'), timestamp: true }), 'out.log', 64 + 25],
  ['logFile: both streams, the crash and status lines', (dir) => ({ logFile: path.join(dir, 'all.log') }), 'all.log', 400],
  ['outFile, compressed', (dir) => ({ outFile: path.join(dir, 'out.log'), compressLogs: true }), 'out.log', 64],
  ['outFile with timestamps, compressed', (dir) => ({ outFile: path.join(dir, 'out.log'), timestamp: true, compressLogs: true }), 'out.log', 64 + 25],
];

for (const [mode, optionsIn, name, longestLine] of modes) {
  test(`rotation at 64 KiB, ${LINES} lines at full speed, then a crash (${mode}): every line exactly once, in order, in whole lines`, async () => {
    const dir = tempDir();
    const options = optionsIn(dir);
    await runBurst({ ...options, maxLogFiles: 10_000 });
    const files = filesOf(dir, name);
    assert.ok(files.length > 150, `hundreds of rotations: ${files.length - 1}`);
    const numbers = files.flatMap((file) => numbersIn(textOf(file)));
    assert.equal(numbers.length, LINES);
    numbers.forEach((number, index) => assert.equal(number, index + 1, `line ${index + 1}`));
    for (const file of files.slice(0, -1)) {
      const text = textOf(file);
      assert.ok(text.endsWith('\n'), `${path.basename(file)} ends with a whole line`);
      if (!options.compressLogs) assert.ok(statSync(file).size <= LIMIT + longestLine, `${path.basename(file)}: ${statSync(file).size} bytes`);
    }
    if (options.compressLogs) {
      assert.ok(files.slice(0, -1).every((file) => file.endsWith('.gz')), 'every archive is compressed');
      assert.deepEqual(readdirSync(dir).filter((each) => each.endsWith('.partial')), [], 'no compression is left half done');
    }
  });
}

test('rotation keeps maxLogFiles archives: the newest, and they go on to the last line', async () => {
  const dir = tempDir();
  await runBurst({ outFile: path.join(dir, 'out.log'), maxLogFiles: 5 });
  const files = filesOf(dir, 'out.log');
  assert.equal(files.length, 6);
  const numbers = files.flatMap((file) => numbersIn(textOf(file)));
  assert.equal(numbers.at(-1), LINES);
  numbers.forEach((number, index) => assert.equal(number, (numbers[0] as number) + index));
});

test('a foreground keepalive exits only once every archive is compressed: no .gz.partial left, every line kept', async () => {
  const dir = tempDir();
  const out = path.join(dir, 'out.log');
  const run = runBin(['start', '-m', '1', '-o', out, '--maxLogSize', '64K', '--maxLogFiles', '10000', '--compressLogs', fixture('numbered-burst.js'), String(LINES)], { timeout: 60_000 });
  assert.equal((await run.exited).code, 1, run.stderr());
  const files = filesOf(dir, 'out.log');
  assert.ok(files.slice(0, -1).every((file) => file.endsWith('.gz')), 'every archive is compressed');
  assert.deepEqual(readdirSync(dir).filter((each) => each.endsWith('.partial')), []);
  assert.equal(files.flatMap((file) => numbersIn(textOf(file))).length, LINES);
});

test('at start, what an earlier watchdog left is finished: a partial compression removed and redone, an archive beside its complete .gz removed', async () => {
  const dir = tempDir();
  const out = path.join(dir, 'out.log');
  const [first, second] = [Date.UTC(2026, 0, 1), Date.UTC(2026, 0, 2)].map((time) => archivePath(out, time)) as [string, string];
  writeFileSync(first, 'first\n');
  writeFileSync(`${first}.gz.partial`, 'half a gzip');
  writeFileSync(second, 'second\n');
  writeFileSync(`${second}.gz`, gzipSync('second\n'));
  const monitor = new Monitor([process.execPath, fixture('exit-with.js'), '0'], { outFile: out, maxLogSize: '64K', compressLogs: true, silent: true, max: 1 });
  const ended = nextEvent(monitor, 'exit');
  monitor.start();
  await ended;
  await compressionsFinished();
  assert.deepEqual(readdirSync(dir).sort(), [path.basename(out), `${path.basename(first)}.gz`, `${path.basename(second)}.gz`]);
  assert.equal(textOf(`${first}.gz`), 'first\n');
});

test('maxLogAge: archives older than it are removed at start, read from their names; the newest is always kept', async () => {
  const dir = tempDir();
  const out = path.join(dir, 'out.log');
  const day = 86_400_000;
  const names = [40, 35, 1].map((days) => archivePath(out, Date.now() - days * day));
  for (const name of names) writeFileSync(name, 'old\n');
  const start = async (maxLogAge: string): Promise<void> => {
    const monitor = new Monitor([process.execPath, fixture('exit-with.js'), '0'], { outFile: out, maxLogSize: '64K', maxLogAge, silent: true, max: 1 });
    const ended = nextEvent(monitor, 'exit');
    monitor.start();
    await ended;
  };
  await start('30d');
  assert.deepEqual(readdirSync(dir).filter((name) => name !== 'out.log').sort(), [path.basename(names[2] as string)]);
  await start('12h');
  assert.deepEqual(readdirSync(dir).filter((name) => name !== 'out.log').sort(), [path.basename(names[2] as string)], 'the newest stays');
});

test('a reopen (SIGHUP) only reads the new file: a compression under way is left to finish, archives are not redone', async () => {
  const dir = tempDir();
  const out = path.join(dir, 'out.log');
  const monitor = new Monitor(fixture('idle.js'), { outFile: out, maxLogSize: '64K', compressLogs: true, silent: true });
  const ready = nextReady(monitor);
  monitor.start();
  await ready;
  // What a compression under way has beside its archive, and an archive queued for compression.
  const archive = archivePath(out, Date.UTC(2026, 0, 1));
  writeFileSync(archive, 'kept\n');
  writeFileSync(`${archive}.gz.partial`, 'half a gzip');
  try {
    monitor.reopenLogs();
    assert.deepEqual(readdirSync(dir).sort(), [path.basename(out), path.basename(archive), `${path.basename(archive)}.gz.partial`]);
  } finally {
    await monitor.stop();
  }
});
