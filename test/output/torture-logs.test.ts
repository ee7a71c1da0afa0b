import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readFileSync, readlinkSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { setTimeout as delay } from 'node:timers/promises';
import { KeepaliveError, Monitor, type MonitorOptions } from '../../src/index.js';
import { fixture, tempDir } from '../helpers/paths.js';
import { nextEvent, nextReady } from '../helpers/events.js';
import { isRunning, killAtEnd, liveChildren } from '../helpers/processes.js';
import { random } from '../helpers/random.js';
import { statuses } from '../helpers/statuses.js';

const onLinux = { skip: process.platform !== 'linux' && 'needs /proc and /dev/full (Linux)' };
const leftovers = killAtEnd();

const ISO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z /;

// ---------------------------------------------------------------------------------------------
// A log path that cannot be opened at start(): a clear error, and no child.

/** start() must throw LOG_PATH naming `name` and its path, and run nothing. Stops what it ran if not. */
async function startFails(options: MonitorOptions, name: string): Promise<void> {
  const monitor = new Monitor([process.execPath, fixture('torture-graceful.js')], { silent: true, ...options });
  monitor.on('error', () => {});
  let spawned = false;
  monitor.on('start', () => (spawned = true));
  try {
    assert.throws(
      () => monitor.start(),
      (error: unknown) => {
        assert.ok(error instanceof KeepaliveError);
        assert.equal(error.code, 'LOG_PATH');
        assert.ok(error.message.includes(name), `the message names the option: ${error.message}`);
        const file = (options as Record<string, string>)[name] as string;
        assert.ok(error.message.includes(JSON.stringify(file)), `the message names the path: ${error.message}`);
        return true;
      },
      `start() with ${name} ${JSON.stringify((options as Record<string, string>)[name])}`,
    );
    assert.equal(monitor.child, undefined);
    assert.equal(monitor.state, 'idle', 'the monitor may be started again once the path is fixed');
    assert.equal(spawned, false);
  } finally {
    if (monitor.running) await monitor.stop();
  }
}

test('a log path under a regular file is a LOG_PATH error at start(), naming option and path; no child runs', async () => {
  const dir = tempDir();
  const notAFolder = path.join(dir, 'plain-file');
  writeFileSync(notAFolder, '');
  const underFile = path.join(notAFolder, 'logs', 'app.log');
  for (const name of ['outFile', 'errFile', 'logFile', 'pidFile']) await startFails({ [name]: underFile }, name);
  for (const name of ['outFile', 'errFile', 'logFile']) await startFails({ [name]: path.join(notAFolder, 'app.log') }, name);
  // One bad path among good ones is enough.
  await startFails({ outFile: path.join(dir, 'good.log'), errFile: underFile }, 'errFile');
  assert.deepEqual(liveChildren('torture-graceful.js'), []);
});

test('missing folders above log and pid files are created as mkdir -p does (0777 less the umask)', async () => {
  const dir = tempDir();
  const options = {
    outFile: path.join(dir, 'logs', 'deep', 'out.log'),
    errFile: path.join(dir, 'logs', 'err.log'),
    logFile: path.join(dir, 'other', 'all.log'),
    pidFile: path.join(dir, 'run', 'app.pid'),
  };
  const monitor = new Monitor([process.execPath, fixture('torture-graceful.js')], { silent: true, ...options });
  const started = nextEvent(monitor, 'start');
  monitor.start();
  await started;
  await monitor.stop();
  const umask = process.umask();
  for (const folder of ['logs', 'logs/deep', 'other', 'run']) {
    assert.equal(statSync(path.join(dir, folder)).mode & 0o777, 0o777 & ~umask, folder);
  }
  for (const file of [options.outFile, options.errFile, options.logFile]) assert.ok(existsSync(file), file);
});

test('a pidFile whose "folder" is a regular file is a LOG_PATH error at start(); no child runs', async () => {
  const dir = tempDir();
  const notAFolder = path.join(dir, 'plain-file');
  writeFileSync(notAFolder, '');
  await startFails({ pidFile: path.join(notAFolder, 'app.pid') }, 'pidFile');
});

test('a log folder that cannot be written is a LOG_PATH error at start(); no child runs', onLinux, () => {
  const dir = tempDir();
  chmodSync(dir, 0o755);
  const locked = path.join(dir, 'locked');
  mkdirSync(locked, { mode: 0o555 });
  chmodSync(locked, 0o555);
  const isRoot = process.getuid?.() === 0;
  for (const name of ['outFile', 'logFile', 'pidFile']) {
    const options = { silent: true, [name]: path.join(locked, 'app.log') };
    const input = JSON.stringify({ script: [process.execPath, fixture('torture-graceful.js')], options });
    // root may write anywhere: the monitor runs as "nobody" then, in a process of its own.
    const result = JSON.parse(
      execFileSync(process.execPath, [fixture('torture-start-host.mjs'), input], { ...(isRoot && { uid: 65534, gid: 65534 }), encoding: 'utf8' }),
    ) as Record<string, unknown>;
    assert.equal(result.code, 'LOG_PATH', JSON.stringify(result));
    assert.match(String(result.message), new RegExp(`${name} .*(EACCES|permission denied)`, 'i'));
    assert.equal(result.state, 'idle');
    assert.equal(result.children, 0, 'no child was spawned');
  }
  assert.equal(existsSync(path.join(locked, 'app.log')), false);
});

// ---------------------------------------------------------------------------------------------
// The log file deleted while the child runs.

/** Starts the IPC-driven writer fixture and resolves when it says ready. */
async function startWriter(monitor: Monitor): Promise<number> {
  const ready = new Promise((resolve) => monitor.once('message', resolve));
  monitor.start();
  await ready;
  const pid = monitor.child?.pid as number;
  leftovers.add(pid);
  return pid;
}

/** Has the writer fixture write `text`; resolves when its write completed. */
async function writeVia(monitor: Monitor, stream: 'stdout' | 'stderr', text: string): Promise<void> {
  const wrote = new Promise((resolve) => monitor.once('message', resolve));
  monitor.send({ stream, base64: Buffer.from(text).toString('base64') });
  await wrote;
}

test('outFile deleted while running (unmovableLogs): keepalive runs on; output goes to the deleted file until a restart after reopenLogs()', onLinux, async () => {
  const dir = tempDir();
  const outFile = path.join(dir, 'out.log');
  const monitor = new Monitor(fixture('torture-bytes.js'), { silent: true, fork: true, outFile, unmovableLogs: true });
  const pid = await startWriter(monitor);
  await writeVia(monitor, 'stdout', 'before\n');
  unlinkSync(outFile);
  await writeVia(monitor, 'stdout', 'after\n');
  assert.equal(monitor.state, 'running');
  assert.equal(isRunning(pid), true);
  // The child holds the file itself, like a shell redirect: its writes go on into the deleted file.
  assert.match(readlinkSync(`/proc/${pid}/fd/1`), /out\.log \(deleted\)$/);
  assert.equal(readFileSync(`/proc/${pid}/fd/1`, 'utf8'), 'before\nafter\n');
  assert.equal(existsSync(outFile), false, 'nothing recreates the file by itself');

  monitor.reopenLogs();
  assert.equal(existsSync(outFile), true, 'reopenLogs() (SIGHUP in the CLI) creates it again');
  await writeVia(monitor, 'stdout', 'still the old child\n');
  assert.equal(readFileSync(outFile, 'utf8'), '', 'the running child still holds the deleted file');
  const restarted = new Promise((resolve) => monitor.once('restart', resolve));
  const ready = new Promise((resolve) => monitor.once('message', resolve));
  await monitor.restart();
  await Promise.all([restarted, ready]);
  await writeVia(monitor, 'stdout', 'new child\n');
  await monitor.stop();
  assert.equal(readFileSync(outFile, 'utf8'), 'new child\n');
});

test('logFile deleted while running (timestamps: keepalive writes): runs on; output goes to the deleted file until reopenLogs()', onLinux, async () => {
  const dir = tempDir();
  const logFile = path.join(dir, 'all.log');
  const monitor = new Monitor(fixture('torture-bytes.js'), { silent: true, fork: true, logFile, timestamp: true });
  const seen = statuses(monitor);
  let received = 0;
  monitor.on('stdout', (chunk: Buffer) => (received += chunk.length));
  const pid = await startWriter(monitor);
  unlinkSync(logFile);
  await writeVia(monitor, 'stdout', 'into the deleted file\n');
  while (received < 22) await new Promise((resolve) => monitor.once('stdout', resolve));
  assert.equal(isRunning(pid), true);
  assert.equal(monitor.state, 'running');
  assert.equal(existsSync(logFile), false);
  assert.deepEqual(seen.filter((event) => event.type === 'output-failed'), [], 'writing to a deleted file is no failure');
  monitor.reopenLogs();
  await writeVia(monitor, 'stdout', 'into the new file\n');
  while (received < 22 + 18) await new Promise((resolve) => monitor.once('stdout', resolve));
  await monitor.stop();
  const log = readFileSync(logFile, 'utf8');
  assert.match(log, /Z into the new file\n/);
  assert.doesNotMatch(log, /deleted/);
});

// ---------------------------------------------------------------------------------------------
// A full disk: /dev/full fails every write with ENOSPC.

/** CPU time (ms) this process uses while `ms` pass: an idle watchdog uses next to none. */
async function cpuDuring(ms: number): Promise<number> {
  const before = process.cpuUsage();
  await delay(ms);
  const used = process.cpuUsage(before);
  return (used.user + used.system) / 1000;
}

/** Starts the writer fixture (unless it runs), waits for its "ready" on stderr, and returns its pid. */
async function writerReady(monitor: Monitor): Promise<number> {
  const ready = nextReady(monitor, 'stderr');
  if (!monitor.running) monitor.start();
  await ready;
  const pid = monitor.child?.pid as number;
  leftovers.add(pid);
  return pid;
}

test('outFile /dev/full with timestamps: the watchdog stays up, reports once per episode, never spins', onLinux, async () => {
  const monitor = new Monitor([process.execPath, fixture('torture-writer.js'), '2000'], { silent: true, outFile: '/dev/full', timestamp: true });
  const seen = statuses(monitor);
  const errors: Error[] = [];
  monitor.on('error', (error) => errors.push(error));
  const pid = await writerReady(monitor);
  const failed = () => seen.filter((event) => event.type === 'output-failed');
  assert.equal(failed().length, 1, 'one report for 200 failed chunks');
  assert.match(JSON.stringify(failed()[0]), /\/dev\/full.*ENOSPC/);
  assert.equal(monitor.state, 'running');
  assert.equal(isRunning(pid), true);
  const cpu = await cpuDuring(500);
  assert.ok(cpu < 150, `idle while the disk stays full (${cpu} ms of CPU in 500 ms)`);

  // A restart writes again into the same full disk: still the same episode.
  const restarted = writerReady(monitor);
  await monitor.restart();
  await restarted;
  assert.equal(failed().length, 1, 'still one report after a restart');
  await monitor.stop();
  // A new start() is a new episode.
  await writerReady(monitor);
  assert.equal(failed().length, 2, 'one more report for the next start()');
  await monitor.stop();
  assert.deepEqual(seen.filter((event) => event.type === 'output-recovered'), []);
  assert.deepEqual(errors, []);
});

test('logFile /dev/full: child output and status lines fail quietly, one report, the child keeps running', onLinux, async () => {
  const monitor = new Monitor([process.execPath, fixture('torture-writer.js'), '500'], { silent: true, logFile: '/dev/full' });
  const seen = statuses(monitor);
  const pid = await writerReady(monitor);
  assert.deepEqual(
    seen.filter((event) => event.type === 'output-failed').map((event) => event.type === 'output-failed' && event.file),
    ['/dev/full'],
  );
  const cpu = await cpuDuring(300);
  assert.ok(cpu < 100, `idle (${cpu} ms of CPU in 300 ms)`);
  assert.equal(isRunning(pid), true);
  await monitor.stop();
  assert.equal(seen.at(-1)?.type, 'stopped');
});

test('outFile /dev/full, unmovableLogs: the child holds the file and meets ENOSPC itself; keepalive has nothing to report', onLinux, async () => {
  const monitor = new Monitor([process.execPath, fixture('torture-writer.js'), '500'], { silent: true, outFile: '/dev/full', unmovableLogs: true });
  const seen = statuses(monitor);
  // A stderr listener makes stderr a pipe; stdout stays the child's own descriptor of /dev/full.
  const pid = await writerReady(monitor);
  assert.match(readlinkSync(`/proc/${pid}/fd/1`), /^\/dev\/full$/);
  assert.deepEqual(seen.filter((event) => event.type === 'output-failed'), []);
  assert.equal(isRunning(pid), true);
  await monitor.stop();
});

// ---------------------------------------------------------------------------------------------
// Output kept exactly: binary with NUL bytes, an 8 MiB line, UTF-8 split across chunks, both
// streams in one logFile. The writer fixture writes each piece on request; with a listener, the
// next piece is requested only once the monitor has read the last one, so chunk boundaries
// fall exactly where the pieces end (inside characters, inside lines).

interface Piece {
  readonly stream: 'stdout' | 'stderr';
  readonly data: Buffer;
}

const EIGHT_MIB = 8 * 1024 * 1024;
/** 5 bytes with a 3-byte character: the cuts of a long line (every 1 MiB) fall near or inside one. */
const LONG_UNIT = 'a€b';
const LONG_TIMES = Math.ceil(EIGHT_MIB / Buffer.byteLength(LONG_UNIT));

function binaryPieces(): Piece[] {
  const next = random(6);
  const noise = Buffer.alloc(64 * 1024);
  for (let i = 0; i < noise.length; i++) noise[i] = Math.floor(next() * 256);
  const every = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
  const smile = Buffer.from('😀');
  const euro = Buffer.from('€');
  return [
    { stream: 'stdout', data: Buffer.from('\0\0\0 starts with NULs\n') },
    { stream: 'stdout', data: every },
    { stream: 'stderr', data: Buffer.concat([Buffer.from('err \0 '), every]) },
    { stream: 'stdout', data: noise },
    // UTF-8 cut inside characters, across three chunks, in a line that ends in the third.
    { stream: 'stdout', data: Buffer.concat([Buffer.from('\nsplit x'), euro.subarray(0, 2)]) },
    { stream: 'stdout', data: Buffer.concat([euro.subarray(2), smile.subarray(0, 1)]) },
    { stream: 'stdout', data: Buffer.concat([smile.subarray(1), Buffer.from(' end\n')]) },
    { stream: 'stderr', data: Buffer.concat([smile.subarray(0, 3)]) },
    { stream: 'stderr', data: Buffer.concat([smile.subarray(3), Buffer.from('\n')]) },
    // The last words: no newline at the end.
    { stream: 'stdout', data: Buffer.from('no newline at the end') },
  ];
}

interface Session {
  readonly options: MonitorOptions;
  /** Wait for the monitor to have read each piece (a stdout/stderr listener) before the next. */
  readonly lockstep: boolean;
}

/** Runs the writer fixture through `pieces` (plus an 8 MiB line when asked) and lets it exit. */
async function writeAll(session: Session, pieces: readonly Piece[], longLine: 'stdout' | undefined): Promise<void> {
  const monitor = new Monitor(fixture('torture-bytes.js'), { silent: true, fork: true, max: 1, ...session.options });
  const received = { stdout: 0, stderr: 0 };
  const arrived = new Set<() => void>();
  if (session.lockstep) {
    for (const stream of ['stdout', 'stderr'] as const) {
      monitor.on(stream, (chunk: Buffer) => {
        received[stream] += chunk.length;
        arrived.forEach((check) => check());
      });
    }
  }
  const expected = { stdout: 0, stderr: 0 };
  const readAll = (): Promise<void> =>
    new Promise((resolve) => {
      const check = (): void => {
        if (received.stdout < expected.stdout || received.stderr < expected.stderr) return;
        arrived.delete(check);
        resolve();
      };
      arrived.add(check);
      check();
    });
  const messages: unknown[] = [];
  let onMessage: (() => void) | undefined;
  monitor.on('message', (message) => {
    messages.push(message);
    onMessage?.();
  });
  const nextMessage = (): Promise<void> =>
    new Promise((resolve) => {
      if (messages.shift() !== undefined) return resolve();
      onMessage = () => {
        onMessage = undefined;
        messages.shift();
        resolve();
      };
    });
  const done = nextEvent(monitor, 'exit');
  monitor.start();
  await nextMessage();
  leftovers.add(monitor.child?.pid as number);
  const send = async (message: object, stream: 'stdout' | 'stderr', length: number): Promise<void> => {
    expected[stream] += length;
    monitor.send(message);
    await nextMessage();
    if (session.lockstep) await readAll();
  };
  for (const [index, piece] of pieces.entries()) {
    if (longLine && index === 1) {
      await send({ stream: longLine, repeat: LONG_UNIT, times: LONG_TIMES }, longLine, Buffer.byteLength(LONG_UNIT) * LONG_TIMES);
    }
    await send({ stream: piece.stream, base64: piece.data.toString('base64') }, piece.stream, piece.data.length);
  }
  monitor.send({ exit: 0 });
  await done;
}

/** The bytes as written: the pieces of one stream, with the long line where writeAll put it. */
function written(pieces: readonly Piece[], stream: 'stdout' | 'stderr', longLine: boolean): Buffer {
  const parts: Buffer[] = [];
  for (const [index, piece] of pieces.entries()) {
    if (longLine && stream === 'stdout' && index === 1) parts.push(Buffer.from(LONG_UNIT.repeat(LONG_TIMES)));
    if (piece.stream === stream) parts.push(piece.data);
  }
  return Buffer.concat(parts);
}

/** Removes one time prefix from the start of every line, and fails if a line has none. */
function unstamp(file: Buffer): Buffer {
  const lines = file.toString('latin1').split('\n');
  const last = lines.pop();
  const stripped = [...lines, ...(last ? [last] : [])].map((line, index) => {
    assert.match(line.slice(0, 25), ISO, `line ${index + 1} starts with a time`);
    return line.replace(ISO, '');
  });
  return Buffer.from(stripped.join('\n') + (last ? '' : '\n'), 'latin1');
}

const modes: { name: string; session: Session; stamped: boolean }[] = [
  { name: 'files only, keepalive writes them', session: { options: {}, lockstep: false }, stamped: false },
  { name: 'unmovableLogs, the child holds the files', session: { options: { unmovableLogs: true }, lockstep: false }, stamped: false },
  { name: 'pipes, raw, chunks cut inside characters', session: { options: {}, lockstep: true }, stamped: false },
  { name: 'timestamps, chunks cut inside characters', session: { options: { timestamp: true }, lockstep: true }, stamped: true },
  { name: 'timestamps, no listener', session: { options: { timestamp: true }, lockstep: false }, stamped: true },
];

for (const mode of modes) {
  test(`binary with NULs, an 8 MiB line without newline, UTF-8 split across chunks: kept exactly (${mode.name})`, async () => {
    const dir = tempDir();
    const outFile = path.join(dir, 'out.log');
    const errFile = path.join(dir, 'err.log');
    const pieces = binaryPieces();
    await writeAll({ ...mode.session, options: { ...mode.session.options, outFile, errFile } }, pieces, 'stdout');
    const out = readFileSync(outFile);
    const err = readFileSync(errFile);
    const expectedOut = written(pieces, 'stdout', true);
    const expectedErr = written(pieces, 'stderr', false);
    // assert.deepEqual on 8 MiB buffers prints megabytes when it fails: compare, then say where.
    for (const [name, actual, expected] of [['outFile', out, expectedOut], ['errFile', err, expectedErr]] as const) {
      const kept = mode.stamped ? unstamp(actual) : actual;
      if (!kept.equals(expected)) {
        let at = 0;
        while (at < kept.length && kept[at] === expected[at]) at++;
        assert.fail(`${name}: ${kept.length} bytes instead of ${expected.length}, first difference at byte ${at}`);
      }
    }
  });
}

// ---------------------------------------------------------------------------------------------
// stdout and stderr interleaved in one logFile.

const INTERLEAVED: Piece[] = [
  { stream: 'stdout', data: Buffer.from('out 1\n') },
  { stream: 'stderr', data: Buffer.from('err 1\n') },
  { stream: 'stdout', data: Buffer.from('out 2 has a part') },
  { stream: 'stderr', data: Buffer.from('err 2 whole\n') },
  { stream: 'stdout', data: Buffer.from(' and its end\n') },
  { stream: 'stderr', data: Buffer.from('err 3 ünïcødé €\n') },
  { stream: 'stdout', data: Buffer.from('out 3\n') },
];

/** What the child wrote, without keepalive's own status lines ("<time> keepalive: ..."). */
function childLines(log: string): string {
  return log.replace(/^\S+Z keepalive: .*\n/gm, '');
}

test('stdout and stderr interleaved in logFile, unmovableLogs: the exact order the child wrote', async () => {
  const logFile = path.join(tempDir(), 'all.log');
  await writeAll({ options: { logFile, unmovableLogs: true }, lockstep: false }, INTERLEAVED, undefined);
  assert.equal(childLines(readFileSync(logFile, 'utf8')), Buffer.concat(INTERLEAVED.map((piece) => piece.data)).toString());
});

test('stdout and stderr interleaved in logFile, through pipes: the exact order the monitor read', async () => {
  const logFile = path.join(tempDir(), 'all.log');
  await writeAll({ options: { logFile }, lockstep: true }, INTERLEAVED, undefined);
  assert.equal(childLines(readFileSync(logFile, 'utf8')), Buffer.concat(INTERLEAVED.map((piece) => piece.data)).toString());
});

test('stdout and stderr interleaved in logFile with timestamps: whole lines, never mixed, each stream exact', async () => {
  const logFile = path.join(tempDir(), 'all.log');
  await writeAll({ options: { logFile, timestamp: true }, lockstep: true }, INTERLEAVED, undefined);
  const lines = childLines(readFileSync(logFile, 'utf8')).split('\n').slice(0, -1);
  assert.ok(lines.every((line) => ISO.test(line)), 'every line has one time');
  // A line is written when it is complete: the partial "out 2" waits for its end.
  assert.deepEqual(lines.map((line) => line.replace(ISO, '')), ['out 1', 'err 1', 'err 2 whole', 'out 2 has a part and its end', 'err 3 ünïcødé €', 'out 3']);
});

for (const timestamp of [false, true]) {
  test(`logFile: a status line after output without a final newline starts on a line of its own (timestamp: ${timestamp})`, async () => {
    const logFile = path.join(tempDir(), 'all.log');
    await writeAll({ options: { logFile, timestamp }, lockstep: true }, [{ stream: 'stdout', data: Buffer.from('last words') }], undefined);
    const log = readFileSync(logFile, 'utf8');
    assert.match(log, /last words\n\S+Z keepalive: exited with code 0/);
  });
}
