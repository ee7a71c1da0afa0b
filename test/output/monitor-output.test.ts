import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { Monitor, type MonitorOptions } from '../../src/index.js';
import { fixture, tempDir } from '../helpers/paths.js';
import { nextEvent, nextReady } from '../helpers/events.js';

const LINES = 200_000;
const ISO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z /;

function countLines(text: string): number {
  let count = 0;
  for (let at = text.indexOf('\n'); at !== -1; at = text.indexOf('\n', at + 1)) count++;
  return count;
}

async function runToEnd(script: string | string[], options: MonitorOptions): Promise<void> {
  const monitor = new Monitor(script, { silent: true, max: 1, ...options });
  const done = nextEvent(monitor, 'exit');
  monitor.start();
  await done;
}

for (const mode of ['files only', 'unmovableLogs', 'timestamps', 'listeners'] as const) {
  test(`last words: all ${LINES} lines and the stack trace are kept (${mode})`, async () => {
    const dir = tempDir();
    const outFile = path.join(dir, 'out.log');
    const errFile = path.join(dir, 'err.log');
    const options = { silent: true, max: 1, outFile, errFile, timestamp: mode === 'timestamps', unmovableLogs: mode === 'unmovableLogs' };
    const monitor = new Monitor(fixture('last-words.js'), options);
    let emitted = 0;
    if (mode === 'listeners') monitor.on('stdout', (chunk: Buffer) => (emitted += countLines(chunk.toString())));
    let linesAtExit = -1;
    monitor.on('exit:code', () => (linesAtExit = countLines(readFileSync(outFile, 'utf8'))));
    const done = nextEvent(monitor, 'exit');
    monitor.start();
    await done;
    const out = readFileSync(outFile, 'utf8');
    assert.equal(linesAtExit, LINES, 'complete when exit:code listeners run');
    assert.equal(countLines(out), LINES);
    const last = out.slice(out.lastIndexOf('\n', out.length - 2) + 1);
    assert.match(last, new RegExp(`line ${LINES}\\n$`));
    if (mode === 'timestamps') assert.match(last, ISO);
    if (mode === 'listeners') assert.equal(emitted, LINES);
    assert.match(readFileSync(errFile, 'utf8'), /Error: last words/);
  });
}

for (const unmovableLogs of [false, true]) {
  test(`last words with echo${unmovableLogs ? ' (unmovableLogs: the echo follows the file)' : ''}: the host's own stdout and the outFile both get all ${LINES} lines`, () => {
    const dir = tempDir();
    const outFile = path.join(dir, 'out.log');
    const options = { max: 1, silent: false, outFile, unmovableLogs };
    const echoed = execFileSync(process.execPath, [fixture('host.mjs'), JSON.stringify({ script: fixture('last-words.js'), options })], {
      maxBuffer: 64 * 1024 * 1024,
      stdio: ['ignore', 'pipe', 'ignore'],
    }).toString();
    assert.equal(countLines(echoed), LINES);
    assert.equal(countLines(readFileSync(outFile, 'utf8')), LINES);
  });
}

test('logFile: both streams, and one line per lifecycle event', async () => {
  const dir = tempDir();
  const logFile = path.join(dir, 'all.log');
  await runToEnd(fixture('last-words.js'), { logFile, args: ['3'] });
  const log = readFileSync(logFile, 'utf8');
  assert.match(log, /^line 1\nline 2\nline 3\n/m);
  assert.match(log, /Error: last words/);
  assert.match(log, /^\S+Z keepalive: started pid \d+ \(run 1\)$/m);
  assert.match(log, /^\S+Z keepalive: exited with code 1 after \d+ ms$/m);
  assert.match(log, /^\S+Z keepalive: gave up after 1 run \(max\)$/m);
});

test('append is the default; append: false truncates once at start()', async () => {
  const dir = tempDir();
  const outFile = path.join(dir, 'out.log');
  writeFileSync(outFile, 'old\n');
  await runToEnd([process.execPath, fixture('exit-with.js'), '0'], { outFile });
  assert.equal(readFileSync(outFile, 'utf8'), 'old\nready\n');
  await runToEnd([process.execPath, fixture('exit-with.js'), '0'], { outFile, append: false, max: 2 });
  assert.equal(readFileSync(outFile, 'utf8'), 'ready\nready\n', 'truncated at start(), not at each restart');
});

test('log files are created 0644 less the umask, never world-writable', async () => {
  const dir = tempDir();
  const outFile = path.join(dir, 'out.log');
  const previous = process.umask(0);
  try {
    await runToEnd([process.execPath, fixture('exit-with.js'), '0'], { outFile });
  } finally {
    process.umask(previous);
  }
  assert.equal(statSync(outFile).mode & 0o777, 0o644);
});

test('timestamps: every line starts with an ISO-8601 time; stripped, the output is exact', async () => {
  const dir = tempDir();
  const outFile = path.join(dir, 'out.log');
  await runToEnd(fixture('last-words.js'), { outFile, timestamp: true, args: ['1000'] });
  const lines = readFileSync(outFile, 'utf8').split('\n').slice(0, -1);
  assert.equal(lines.length, 1000);
  assert.ok(lines.every((line) => ISO.test(line)));
  assert.deepEqual(lines.map((line) => line.replace(ISO, '')), Array.from({ length: 1000 }, (_, i) => `line ${i + 1}`));
});

test('reopenLogs(): output after logrotate moved the file goes to a new file', async () => {
  const dir = tempDir();
  const outFile = path.join(dir, 'out.log');
  // timestamps make keepalive hold the file, so a reopen moves the running child's output too.
  const monitor = new Monitor(fixture('ipc-echo.js'), { silent: true, fork: true, outFile, timestamp: true });
  const ready = new Promise((resolve) => monitor.once('message', resolve));
  monitor.start();
  await ready;
  renameSync(outFile, `${outFile}.1`);
  monitor.reopenLogs();
  await monitor.stop();
  assert.equal(statSync(outFile).size, 0, 'a new, empty file was opened at the old path');
});

test('listeners of stdout/stderr get raw chunks; exit listeners see complete files', async () => {
  const dir = tempDir();
  const errFile = path.join(dir, 'err.log');
  const monitor = new Monitor(fixture('last-words.js'), { silent: true, max: 1, errFile, args: ['10'] });
  let stderr = '';
  monitor.on('stderr', (chunk: Buffer) => (stderr += chunk.toString()));
  let atExit = '';
  monitor.on('exit', () => (atExit = readFileSync(errFile, 'utf8')));
  const ready = nextReady(monitor); // attaching a stdout listener before start
  void ready;
  const done = nextEvent(monitor, 'exit');
  monitor.start();
  await done;
  assert.match(stderr, /Error: last words/);
  assert.equal(atExit, stderr);
});

test('echo to a closed pipe (as in `| head -1`) neither crashes the host nor stalls the child', async () => {
  const dir = tempDir();
  const outFile = path.join(dir, 'out.log');
  const options = { max: 1, silent: false, outFile };
  const host = spawn(process.execPath, [fixture('host.mjs'), JSON.stringify({ script: fixture('last-words.js'), options })], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  host.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  host.stdout.once('data', () => host.stdout.destroy());
  const [code] = (await once(host, 'exit')) as [number | null];
  assert.equal(code, 0, stderr);
  assert.doesNotMatch(stderr, /EPIPE|Unhandled/);
  assert.equal(countLines(readFileSync(outFile, 'utf8')), LINES, 'the file still gets every line');
});
