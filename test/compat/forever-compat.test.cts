// Code written for forever-monitor 3, run against keepalive's CommonJS build: `require`, the
// constructor and `start()`, callbacks, and listeners attached after `start()`, as in
// forever-monitor's README and its users' code. Real processes throughout.
import assert = require('node:assert/strict');
import childProcess = require('node:child_process');
import events = require('node:events');
import fs = require('node:fs');
import os = require('node:os');
import path = require('node:path');
import nodeTest = require('node:test');

const { test, after } = nodeTest;
const root = path.resolve(__dirname, '..', '..', '..');
const forever: typeof import('../../src/index.js') = require(path.join(root, 'dist', 'cjs', 'index.js'));
type Monitor = InstanceType<typeof forever.Monitor>;

const fixture = (name: string): string => path.join(root, 'test', 'fixtures', name);
const tempDir = (): string => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'keepalive-forever-'));
  after(() => fs.rmSync(dir, { recursive: true, force: true }));
  return dir;
};
const hasPerl = childProcess.spawnSync('perl', ['-e', '1']).status === 0;

/** Everything a monitor emits on `stream` from now on, as text. */
function collect(child: Monitor, stream: 'stdout' | 'stderr'): { text: string } {
  const seen = { text: '' };
  child.on(stream, (data: Buffer) => (seen.text += data.toString()));
  return seen;
}

/** Waits until `file` holds `text` (a child that writes its own file says ready there). */
async function fileSays(file: string, text: string): Promise<void> {
  while (!(fs.existsSync(file) && fs.readFileSync(file, 'utf8').includes(text))) await new Promise((resolve) => setTimeout(resolve, 10));
}

/** Resolves with the first line the monitor's child writes on stdout that starts with "ready". */
function ready(child: Monitor): Promise<string> {
  return new Promise((resolve) => {
    let text = '';
    child.on('stdout', function onData(data: Buffer) {
      text += data.toString();
      const line = text.split('\n').find((candidate) => candidate.startsWith('ready'));
      if (line === undefined) return;
      child.removeListener('stdout', onData);
      resolve(line);
    });
  });
}

test('the module exports Monitor, start, kill, checkProcess and version', () => {
  assert.equal(typeof forever.Monitor, 'function');
  assert.equal(typeof forever.start, 'function');
  assert.equal(typeof forever.kill, 'function');
  assert.equal(typeof forever.checkProcess, 'function');
  assert.equal(forever.version, JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')).version);
});

test("forever-monitor's README: new (forever.Monitor)(file, { max: 3, silent: true, args: [] }) exits after 3 runs", async () => {
  const child = new forever.Monitor(fixture('exit-with.js'), { max: 3, silent: true, args: [] });
  const exited = new Promise<boolean>((resolve) => child.on('exit', (_monitor: Monitor, spinning: boolean) => resolve(spinning)));
  child.start();
  assert.equal(await exited, false);
  assert.equal(child.times, 3);
  assert.equal(child.running, false);
});

test("forever-monitor's README: forever.start(['perl', '-le', 'print \"moo\"'], { max: 1, silent: true }), stdout heard after start()", { skip: !hasPerl && 'perl is not installed' }, async () => {
  const child = forever.start(['perl', '-le', 'print "moo"'], { max: 1, silent: true });
  const out = collect(child, 'stdout');
  await events.once(child, 'exit');
  assert.equal(out.text, 'moo\n');
  assert.equal(child.command, 'perl');
  assert.deepEqual(child.args, ['-le', 'print "moo"']);
  assert.match(child.uid, /^[A-Za-z0-9_][A-Za-z0-9_-]{3}$/);
});

const MODES: Record<string, (dir: string) => object> = {
  'silent, no files': () => ({ silent: true }),
  'files only': (dir) => ({ silent: true, outFile: path.join(dir, 'out.log'), errFile: path.join(dir, 'err.log') }),
  unmovableLogs: (dir) => ({ silent: true, outFile: path.join(dir, 'out.log'), errFile: path.join(dir, 'err.log'), unmovableLogs: true }),
  'logFile with timestamps': (dir) => ({ silent: true, logFile: path.join(dir, 'all.log'), timestamp: true }),
  // stdout only to its file; stderr straight to this process's stderr (the terminal, for a CLI).
  'stderr to the console': (dir) => ({ outFile: path.join(dir, 'out.log'), echoFileOutput: false }),
};

for (const [mode, options] of Object.entries(MODES)) {
  test(`listeners attached in the same tick as start() get every byte (${mode})`, async () => {
    const child = forever.start([process.execPath, fixture('say-both.js'), 'to stdout', 'to stderr'], { max: 1, ...options(tempDir()) });
    const out = collect(child, 'stdout');
    const err = collect(child, 'stderr');
    await events.once(child, 'exit');
    assert.equal(out.text, 'to stdout\n');
    assert.equal(err.text, 'to stderr\n');
  });
}

for (const unmovableLogs of [false, true]) {
  test(`a listener attached later hears the child from then on (outFile${unmovableLogs ? ', unmovableLogs: followed in the file' : ''})`, async () => {
    const outFile = path.join(tempDir(), 'out.log');
    const child = forever.start(fixture('speak-on-usr1.js'), { silent: true, outFile, unmovableLogs });
    await events.once(child, 'start');
    await fileSays(outFile, 'ready');
    const out = collect(child, 'stdout');
    for (const line of ['said 1\n', 'said 2\n']) {
      process.kill(child.child?.pid as number, 'SIGUSR1');
      while (!out.text.includes(line)) await events.once(child, 'stdout');
    }
    await child.stop();
    assert.equal(out.text, 'said 1\nsaid 2\n');
  });
}

test('a listener attached later to a file the child holds hears its last words before exit:code', async () => {
  const outFile = path.join(tempDir(), 'out.log');
  const child = forever.start(fixture('cli-write-on-usr1.js'), { silent: true, outFile, unmovableLogs: true, max: 1 });
  await events.once(child, 'start');
  await fileSays(outFile, 'ready');
  const out = collect(child, 'stdout');
  const ended = new Promise<string>((resolve) => child.on('exit:code', () => resolve(out.text)));
  process.kill(child.child?.pid as number, 'SIGUSR1');
  assert.equal(await ended, 'after SIGUSR1\n');
});

test('a listener attached later to a stream the child writes to the terminal (or nowhere) hears it from the next run', async () => {
  const child = forever.start(fixture('speak-on-usr1.js'), { silent: true });
  await events.once(child, 'start');
  const out = collect(child, 'stdout');
  const restarted = events.once(child, 'restart');
  void child.restart();
  await restarted;
  while (!out.text.includes('ready')) await events.once(child, 'stdout');
  await child.stop();
  assert.match(out.text, /^ready \d+\n$/);
});

test("the options are the monitor's properties, with forever's names; writing one throws in strict code", () => {
  const dir = tempDir();
  fs.writeFileSync(path.join(dir, '.foreverignore'), '# built files\n*.log\n\nbuild/**\n');
  const given = {
    max: 5, silent: true, killTTL: 100, killSignal: 'SIGINT' as const, killTree: false, minUptime: 10, spinSleepTime: 20,
    outFile: 'o.log', errFile: 'e.log', logFile: 'l.log', pidFile: 'app.pid', append: false, cwd: dir, sourceDir: dir,
    args: ['-p', 8090], uid: 'abcd', id: 'web', checkFile: false, fork: true, hideEnv: ['SECRET'],
    watch: true, watchDirectory: dir, watchIgnorePatterns: ['*.tmp'], watchIgnoreDotFiles: false, usePolling: true, pollingInterval: 50,
  };
  const child = new forever.Monitor('app.js', given);
  const expected = { ...given, args: [path.join(dir, 'app.js'), '-p', '8090'], command: process.execPath, watchIgnorePatterns: ['*.tmp', '*.log', 'build/**'] };
  for (const [name, value] of Object.entries(expected)) {
    if (name === 'watch') continue;
    assert.deepEqual((child as unknown as Record<string, unknown>)[name], value, name);
  }
  assert.equal(typeof child.parser, 'function');
  assert.deepEqual(child.parser('node --expose-gc', ['app.js']), { command: 'node', args: ['--expose-gc', 'app.js'] });
  assert.deepEqual(child.spawnWith, {});
  assert.equal(child.isMaster, true);
  assert.throws(() => ((child as unknown as Record<string, unknown>).max = 1), TypeError);
  assert.equal(child.max, 5);
});

test('arguments may be numbers and booleans, in args and in an array script; they reach the child as strings', async () => {
  const child = forever.start([process.execPath, fixture('gc-exposed.js'), 8090], { max: 1, silent: true, args: ['-p', 80, true] });
  const out = collect(child, 'stdout');
  await events.once(child, 'exit');
  assert.deepEqual(JSON.parse(out.text).args, ['8090', '-p', '80', 'true']);
});

test("options, forever's old name for args, works once warned; args and options together are refused", async () => {
  const warned = events.once(process, 'warning');
  const child = new forever.Monitor(fixture('gc-exposed.js'), { max: 1, silent: true, options: ['--port', 80] });
  const [warning] = (await warned) as [Error & { code?: string }];
  assert.equal(warning.name, 'DeprecationWarning');
  assert.equal(warning.code, 'KEEPALIVE_DEP_OPTIONS');
  const out = collect(child, 'stdout');
  child.start();
  await events.once(child, 'exit');
  assert.deepEqual(JSON.parse(out.text).args, ['--port', '80']);
  assert.throws(() => new forever.Monitor('app.js', { options: ['a'], args: ['b'] }), { code: 'INVALID_OPTION' });
});

test("command may carry flags ('node --expose-gc'), and parser replaces the split", async () => {
  const withFlag = forever.start(fixture('gc-exposed.js'), { max: 1, silent: true, command: 'node --expose-gc' });
  const flagged = collect(withFlag, 'stdout');
  await events.once(withFlag, 'exit');
  assert.equal(JSON.parse(flagged.text).gc, 'function');
  assert.equal(withFlag.command, 'node --expose-gc');
  assert.deepEqual([withFlag.data.command, withFlag.data.file, withFlag.data.args], ['node --expose-gc', fixture('gc-exposed.js'), []]);

  const calls: unknown[] = [];
  const parser = (command: string, args: string[]) => {
    calls.push([command, args]);
    return { command: process.execPath, args: ['--expose-gc', ...args, 'parsed'] };
  };
  const parsed = forever.start(fixture('gc-exposed.js'), { max: 1, silent: true, command: 'my node', parser });
  const out = collect(parsed, 'stdout');
  await events.once(parsed, 'exit');
  assert.deepEqual(calls, [['my node', [fixture('gc-exposed.js')]]]);
  assert.deepEqual(JSON.parse(out.text), { gc: 'function', args: ['parsed'] });
  assert.equal(parsed.parser, parser);
});

test('spinning: without spinSleepTime one spinning run ends it; with it, max runs are counted through exit', async () => {
  const once = forever.start(fixture('exit-with.js'), { max: 10, silent: true, minUptime: 60_000 });
  const [, spinning] = await events.once(once, 'exit');
  assert.equal(spinning, true);
  assert.equal(once.times, 1);

  const retried = forever.start(fixture('exit-with.js'), { max: 3, silent: true, minUptime: 60_000, spinSleepTime: 10 });
  let restarts = 0;
  retried.on('restart', () => restarts++);
  const [, spun] = await events.once(retried, 'exit');
  assert.equal(spun, true);
  assert.equal(retried.times, 3);
  assert.equal(restarts, 2);
});

test('restart() within minUptime restarts; it is not a spinning exit', async () => {
  const child = forever.start(fixture('idle.js'), { silent: true, minUptime: 60_000, max: 1 });
  const first = ready(child);
  const firstPid = Number((await first).split(' ')[1]);
  const second = ready(child);
  void child.restart();
  await events.once(child, 'restart');
  const secondPid = Number((await second).split(' ')[1]);
  assert.notEqual(secondPid, firstPid);
  assert.equal(forever.checkProcess(firstPid), false);
  assert.equal(child.running, true);
  await child.stop();
});

test("a missing script is an error in forever's words", async () => {
  const child = new forever.Monitor(path.join(tempDir(), 'nope.js'), { silent: true });
  const failed = new Promise<Error & { code?: string }>((resolve) => child.on('error', resolve));
  child.start();
  const error = await failed;
  assert.match(error.message, /^Target script does not exist: .*nope\.js$/);
  assert.equal(error.code, 'SCRIPT_NOT_FOUND');
});

test('kill(pid, killTree, signal, callback) signals a process and its descendants; checkProcess tells who lives', async () => {
  // The grandchild ignores SIGTERM: SIGKILL, forever-monitor's default, ends both.
  const child = forever.start([process.execPath, fixture('grandchild.js')], { silent: true, max: 1 });
  const grandchild = Number((await ready(child)).split(' ')[1]);
  const pid = child.child?.pid as number;
  assert.equal(forever.checkProcess(pid), true);
  assert.equal(forever.checkProcess(String(grandchild)), true);
  const exited = events.once(child, 'exit');
  await new Promise<void>((resolve) => void forever.kill(pid, true, undefined, resolve));
  await exited;
  while (forever.checkProcess(grandchild)) await new Promise((resolve) => setTimeout(resolve, 10));
  assert.equal(forever.checkProcess(pid), false);
  assert.equal(forever.checkProcess(process.pid), true);
  for (const notAPid of [0, -1, 'abc', undefined]) assert.equal(forever.checkProcess(notAPid as number), false, String(notAPid));
  assert.throws(() => forever.kill(0), { code: 'INVALID_ARGUMENT' });
  assert.throws(() => forever.kill(-1, false, 'SIGTERM'), { code: 'INVALID_ARGUMENT' });
});

test("spawnWith as forever's README shows it: customFds and setsid: false are ignored with a warning, shell: true is refused", async () => {
  const codes: string[] = [];
  const onWarning = (warning: Error & { code?: string }): void => void codes.push(warning.code ?? '');
  process.on('warning', onWarning);
  const child = forever.start(fixture('exit-with.js'), { max: 1, silent: true, spawnWith: { customFds: [-1, -1, -1], setsid: false, shell: false } });
  await events.once(child, 'exit');
  process.off('warning', onWarning);
  assert.deepEqual(codes.sort(), ['KEEPALIVE_SPAWNWITH_CUSTOMFDS', 'KEEPALIVE_SPAWNWITH_SETSID']);
  assert.throws(() => new forever.Monitor('app.js', { spawnWith: { shell: true } as object }), /keepalive never runs a shell/);
});

test('watch mode restarts for a changed file, never for one that .foreverignore or a dot names', async () => {
  const dir = tempDir();
  fs.copyFileSync(fixture('idle.js'), path.join(dir, 'app.js'));
  fs.writeFileSync(path.join(dir, '.foreverignore'), '*.log\n');
  const child = new forever.Monitor(path.join(dir, 'app.js'), { silent: true, watch: true });
  const changed: string[] = [];
  child.on('watch:restart', (info: { file: string }) => changed.push(path.basename(info.file)));
  assert.deepEqual(child.watchIgnorePatterns, ['*.log']);
  child.start();
  await events.once(child, 'start');
  // The watcher is ready once a change is seen: touch a file until one is.
  while (changed.length === 0) {
    fs.writeFileSync(path.join(dir, 'first.js'), `// ${Date.now()}\n`);
    await Promise.race([events.once(child, 'watch:restart'), new Promise((resolve) => setTimeout(resolve, 500))]);
  }
  await events.once(child, 'restart');
  changed.length = 0;
  fs.writeFileSync(path.join(dir, 'notes.log'), 'ignored\n');
  fs.writeFileSync(path.join(dir, '.hidden'), 'ignored\n');
  // Nothing may come for those: give a change time to show up, past the watcher's quiet time.
  await new Promise((resolve) => setTimeout(resolve, 600));
  assert.deepEqual(changed, []);
  fs.writeFileSync(path.join(dir, 'second.js'), '// changed\n');
  await events.once(child, 'watch:restart');
  assert.deepEqual(changed, ['second.js']);
  await child.stop();
});
