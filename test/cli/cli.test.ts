import { test } from 'node:test';
import { spawnSync } from 'node:child_process';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { FLAGS } from '../../src/cli/flags.js';
import { fixture, root, tempDir } from '../helpers/paths.js';
import { bin, runBin } from '../helpers/bin.js';
import { statusLines } from '../helpers/statuses.js';
import { random } from '../helpers/random.js';

test('a crashing script is retried, then keepalive gives up with its exit code', async () => {
  const run = runBin(['start', '-m', '3', '--spinSleepTime', '0', fixture('cli-exit.js'), '7']);
  assert.deepEqual(await run.exited, { code: 7, signal: null });
  const lines = statusLines(run.stderr());
  assert.equal(lines.filter((line) => /^started pid \d+ \(run \d\)$/.test(line)).length, 3);
  assert.equal(lines.filter((line) => /^exited with code 7 after \d+ ms$/.test(line)).length, 3);
  assert.ok(lines.includes('restarting now (spinning)'), lines.join('\n'));
  assert.equal(lines.at(-1), 'gave up after 3 runs (max)');
});

test('a signal death gives 128 + the signal number, as a shell reports it', async () => {
  const run = runBin(['start', '-m', '1', fixture('cli-exit.js'), 'SIGKILL']);
  assert.deepEqual(await run.exited, { code: 137, signal: null });
  assert.ok(statusLines(run.stderr()).includes('gave up after 1 run (max)'));
});

test('a script that stops by the rules (stopExitCodes) passes on its status', async () => {
  const run = runBin(['start', '--stopExitCodes', '0,3', fixture('cli-exit.js'), '3']);
  assert.deepEqual(await run.exited, { code: 3, signal: null });
  assert.ok(statusLines(run.stderr()).includes('gave up after 1 run (stop-exit-code)'));
});

test('the default CLI rules retry a crash once a second (minUptime and spinSleepTime 1000)', async () => {
  const run = runBin(['start', '-m', '2', fixture('cli-exit.js'), '1']);
  assert.deepEqual(await run.exited, { code: 1, signal: null });
  assert.ok(statusLines(run.stderr()).includes('restarting in 1000 ms (spinning)'));
});

test('arguments after the script, --env, --hideEnv and --workingDir reach the script', async () => {
  const cwd = tempDir();
  const run = runBin(
    ['start', '-m', '1', '--env', 'KA_A=1', '--env', 'KA_B=x=y', '--hideEnv', 'KA_SECRET', '--workingDir', cwd,
      fixture('cli-args.js'), '--port', '80', '-m', '9', '--', '-x'],
    { env: { ...process.env, KA_SECRET: 'hush', KA_KEPT: 'yes' } },
  );
  assert.deepEqual(await run.exited, { code: 0, signal: null });
  assert.deepEqual(JSON.parse(run.stdout()), {
    args: ['--port', '80', '-m', '9', '--', '-x'],
    cwd,
    env: { KA_A: '1', KA_B: 'x=y', KA_KEPT: 'yes' },
  });
});

test('a relative script is found from where keepalive runs', async () => {
  const run = runBin(['start', '-m', '1', path.join('test', 'fixtures', 'cli-args.js')]);
  assert.deepEqual(await run.exited, { code: 0, signal: null });
  assert.deepEqual(JSON.parse(run.stdout()).args, []);
});

test('a config file: script, args and options from the file, flags override it', async () => {
  const dir = tempDir();
  writeFileSync(
    path.join(dir, 'app.json'),
    JSON.stringify({ script: fixture('cli-args.js'), args: ['from-file'], max: 3, spinSleepTime: 0, outFile: 'out.log', env: { KA_FROM: 'file' } }),
  );
  const run = runBin(['start', '-m', '1', '--env', 'KA_FLAG=1', path.join(dir, 'app.json')]);
  assert.deepEqual(await run.exited, { code: 0, signal: null });
  assert.equal(run.stdout(), '', 'with an outFile the output is not echoed');
  const printed = JSON.parse(readFileSync(path.join(dir, 'out.log'), 'utf8'));
  assert.deepEqual(printed.args, ['from-file']);
  assert.deepEqual(printed.env, { KA_FROM: 'file', KA_FLAG: '1' });
  assert.ok(statusLines(run.stderr()).includes('gave up after 1 run (max)'), 'the flag -m 1 won over max: 3');
});

test('status lines go to stderr, never into the output files; -q silences them', async () => {
  const dir = tempDir();
  const out = path.join(dir, 'out.log');
  const err = path.join(dir, 'err.log');
  const loud = runBin(['start', '-m', '1', '-o', out, '-e', err, fixture('cli-exit.js'), '0']);
  assert.deepEqual(await loud.exited, { code: 0, signal: null });
  assert.ok(statusLines(loud.stderr()).length >= 3);
  assert.equal(readFileSync(out, 'utf8'), '');
  assert.equal(readFileSync(err, 'utf8'), '');

  const quiet = runBin(['start', '-q', '-m', '1', fixture('cli-args.js')]);
  assert.deepEqual(await quiet.exited, { code: 0, signal: null });
  assert.equal(quiet.stderr(), '');
  assert.match(quiet.stdout(), /^\{"args":\[\]/);
});

test('start-up failures exit 1 with one line: missing script, a log path under a file, bad config', async () => {
  const dir = tempDir();
  writeFileSync(path.join(dir, 'bad.json'), '{ "script": "app.js", "max": "3" }');
  const cases: [string[], RegExp][] = [
    [['start', path.join(dir, 'missing.js')], /script not found: .*missing\.js/],
    [['start', '-o', path.join(dir, 'bad.json', 'such', 'out.log'), fixture('cli-ready.js')], /^keepalive: outFile ".*out\.log": ENOTDIR[^\n]*\n$/],
    [['start', '--pidFile', path.join(dir, 'bad.json', 'app.pid'), fixture('cli-ready.js')], /^keepalive: pidFile .*app\.pid/],
    [['start', path.join(dir, 'bad.json')], /config file .*bad\.json: option max: expected a whole number >= 1, got "3"/],
    [['start', path.join(dir, 'missing.json')], /cannot read config file .*missing\.json/],
  ];
  for (const [argv, pattern] of cases) {
    const run = runBin(argv);
    assert.deepEqual(await run.exited, { code: 1, signal: null }, argv.join(' '));
    assert.match(run.stderr(), pattern);
    assert.doesNotMatch(run.stderr(), /started pid/, 'nothing was started');
    assert.doesNotMatch(run.stderr(), /\n\s+at /, 'no stack trace');
  }
  assert.deepEqual(readdirSync(dir).sort(), ['bad.json']);
});

test('usage errors exit 2 with one line, start nothing and create no file', async () => {
  const cwd = tempDir();
  const cases: [string[], RegExp][] = [
    [['start', '-o', 'out.log', '--pidFile', 'app.pid', '-m', 'x', fixture('cli-ready.js')], /^keepalive: -m\/--max: expected a whole number >= 1, got "x" \(see keepalive --help\)\n$/],
    [['start', '-o', 'out.log', '--killSignal', 'NOPE', fixture('cli-ready.js')], /--killSignal: .*"NOPE"/],
    [['start', '-l', 'all.log', '--env', 'KEY', fixture('cli-ready.js')], /--env: expected KEY=VALUE, got "KEY"/],
    [['start', '-o', 'out.log', '--wat', fixture('cli-ready.js')], /unknown option --wat/],
    [['start', '-o', 'out.log'], /missing the script/],
    [['restart', 'app.js'], /restart: "app\.js" is a script, not a name/],
    [[], /missing command/],
  ];
  for (const [argv, pattern] of cases) {
    const run = runBin(argv, { cwd });
    assert.deepEqual(await run.exited, { code: 2, signal: null }, argv.join(' '));
    assert.match(run.stderr(), pattern);
    assert.equal(run.stderr().split('\n').length, 2, 'one line');
    assert.equal(run.stdout(), '');
  }
  assert.deepEqual(readdirSync(cwd), []);
});

test('--help, help start and --version through the bin', async () => {
  const help = runBin(['--help']);
  assert.deepEqual(await help.exited, { code: 0, signal: null });
  assert.match(help.stdout(), /^Usage: keepalive start/);
  const start = runBin(['help', 'start']);
  assert.deepEqual(await start.exited, { code: 0, signal: null });
  assert.match(start.stdout(), /--stopExitCodes/);
  const version = runBin(['--version']);
  assert.deepEqual(await version.exited, { code: 0, signal: null });
  const { version: expected } = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as { version: string };
  assert.equal(version.stdout(), `${expected}\n`);
});


test('fuzz through the bin: 40 random command lines end in 0, 1 or 2 without a stack trace', async () => {
  // No -c, and -m 1 in front: whatever a vector starts (an empty log file it created can be
  // its script) runs once at most. Each vector runs in a folder of its own.
  const flags = FLAGS.filter((flag) => flag.name !== 'command');
  const words = [
    ...flags.flatMap((flag) => [`--${flag.name}`, ...(flag.short ? [`-${flag.short}`] : [])]),
    '--no-append', '--constructor', '--', '-', '0', '-1', '2s', 'x', 'SIGINT', 'A=1', '0,1', 'out.log',
    'start', 'help', 'app.js', 'app.json', '💥',
  ];
  const next = random(Number(process.env.KEEPALIVE_FUZZ_SEED ?? 7));
  const pick = (): string => words[Math.floor(next() * words.length)] as string;
  const vectors = Array.from({ length: 40 }, () => ['start', '-m', '1', ...Array.from({ length: 1 + Math.floor(next() * 6) }, pick)]);
  // A few at a time: each is a node start-up.
  for (let i = 0; i < vectors.length; i += 4) {
    await Promise.all(vectors.slice(i, i + 4).map(async (argv) => {
      const run = runBin(argv, { cwd: tempDir(), timeout: 15_000 });
      const { code } = await run.exited;
      assert.ok(code === 0 || code === 1 || code === 2, `${JSON.stringify(argv)} exited ${code}: ${run.stderr()}`);
      assert.doesNotMatch(run.stderr(), /\n\s+at |unexpected error/, `${JSON.stringify(argv)}: ${run.stderr()}`);
    }));
  }
});

test('a closed pipe ends --help, unit and list quietly: no message, the status of a SIGPIPE death or 0', () => {
  const home = tempDir();
  const commands = [['--help'], ['help', 'start'], ['unit', fixture('cli-ready.js')], ['list'], ['list', '--json']];
  for (const args of commands) {
    // `true` has closed the pipe long before node has started and written.
    const quoted = [process.execPath, bin, ...args].map((word) => `'${word}'`).join(' ');
    const result = spawnSync('bash', ['-c', `${quoted} | true; exit "\${PIPESTATUS[0]}"`], {
      encoding: 'utf8', env: { ...process.env, KEEPALIVE_HOME: home },
    });
    assert.equal(result.stderr, '', args.join(' '));
    assert.ok([0, 141].includes(result.status as number), `${args.join(' ')}: status ${result.status}`);
  }
});

test('a command that cannot be spawned is said once, then the give-up', async () => {
  const run = runBin(['start', '-m', '1', '-c', '/nonexistent/keepalive-prog', 'x']);
  assert.deepEqual(await run.exited, { code: 1, signal: null });
  const lines = run.stderr().trimEnd().split('\n');
  assert.equal(lines.filter((line) => line.includes('/nonexistent/keepalive-prog')).length, 1, run.stderr());
  assert.match(run.stderr(), /keepalive: could not start: spawn \/nonexistent\/keepalive-prog ENOENT\n/);
  assert.match(lines.at(-1) as string, /keepalive: gave up after 1 run \(max\)$/);
});

test('a missing script is one line, and nothing else is said', async () => {
  const dir = tempDir();
  const run = runBin(['start', path.join(dir, 'app.js')]);
  assert.deepEqual(await run.exited, { code: 1, signal: null });
  assert.equal(run.stderr(), `keepalive: script not found: ${path.join(dir, 'app.js')}\n`);
});

test('unit offers ExecReload (SIGHUP reopens the logs), but not with --unmovableLogs, where it could not move them', async () => {
  const plain = runBin(['unit', '-o', '/var/log/app.log', fixture('cli-ready.js')]);
  assert.deepEqual(await plain.exited, { code: 0, signal: null });
  assert.match(plain.stdout(), /^ExecReload=\/bin\/kill -HUP \$MAINPID$/m);
  const unmovable = runBin(['unit', '--unmovableLogs', '-o', '/var/log/app.log', fixture('cli-ready.js')]);
  assert.deepEqual(await unmovable.exited, { code: 0, signal: null });
  assert.doesNotMatch(unmovable.stdout(), /^ExecReload=/m);
  assert.match(unmovable.stdout(), /^# No ExecReload: with --unmovableLogs/m);
  assert.match(unmovable.stdout(), /^ExecStart=.* --unmovableLogs /m);
});
