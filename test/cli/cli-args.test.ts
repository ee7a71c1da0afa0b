import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseArgs, UsageError } from '../../src/cli/args.js';
import { FLAGS } from '../../src/cli/flags.js';
import { START_HELP } from '../../src/cli/help.js';
import { ConfigError, planStart } from '../../src/cli/config.js';
import { main, type Io } from '../../src/cli.js';
import { KeepaliveError, resolveOptions } from '../../src/index.js';
import { tempDir } from '../helpers/paths.js';
import { random } from '../helpers/random.js';

function start(...argv: string[]) {
  const command = parseArgs(['start', ...argv]);
  assert.equal(command.kind, 'start');
  return command;
}

function usageError(argv: string[], pattern: RegExp): void {
  assert.throws(() => parseArgs(argv), (error: unknown) => {
    assert.ok(error instanceof UsageError, `expected a UsageError for ${JSON.stringify(argv)}`);
    assert.match(error.message, pattern);
    return true;
  });
}

/** Runs main in-process with buffers instead of the process's streams. */
async function runMain(argv: string[]): Promise<{ status: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const io: Io = { out: (text) => (out += text), err: (text) => (err += text) };
  const status = await main(argv, io);
  return { status, out, err };
}

test('options before the script; everything after it belongs to the script', () => {
  const command = start('-m', '3', 'app.js', '--port', '80', '-m', '9');
  assert.equal(command.target, 'app.js');
  assert.deepEqual(command.scriptArgs, ['--port', '80', '-m', '9']);
  assert.deepEqual(command.options, { max: 3 });
});

test('"--" separates the options from the script, and is passed on after it', () => {
  assert.deepEqual(start('-w', '--', '-odd-name.js', '-x').target, '-odd-name.js');
  const command = start('app.js', '--', '--flag');
  assert.deepEqual(command.scriptArgs, ['--', '--flag']);
  assert.equal(start('app.js').scriptArgs, undefined);
});

test('every flag maps to its option, with converted values', () => {
  const command = start(
    '--max', '5', '--minUptime', '2s', '--spinSleepTime', '250', '--maxSpinSleepTime', '1m',
    '--restartWindow', '1h', '--stopExitCodes', '0,143', '--stopExitCodes', '3',
    '-o', 'out.log', '-e', 'err.log', '-l', 'all.log', '--no-append', '-s', '-t',
    '-c', 'node --expose-gc', '--sourceDir', 'src', '--workingDir', '/srv', '--pidFile', 'app.pid',
    '--killSignal', 'int', '--killTTL', '1.5s', '--no-killTree',
    '--env', 'A=1', '--env', 'B=x=y', '--env', 'C=', '--hideEnv', 'SECRET', '--hideEnv', 'TOKEN',
    '--fork', '-w', '--watchDirectory', 'lib', '--watchDirectory', 'conf', '--watchIgnore', '*.log',
    '--no-watchIgnoreDotFiles', '--usePolling', '--pollingInterval', '500', '-q',
    'app.js',
  );
  assert.deepEqual(command.options, {
    max: 5, minUptime: 2000, spinSleepTime: 250, maxSpinSleepTime: 60_000, restartWindow: 3_600_000,
    stopExitCodes: [0, 143, 3], outFile: 'out.log', errFile: 'err.log', logFile: 'all.log',
    append: false, silent: true, timestamp: true, command: 'node --expose-gc', sourceDir: 'src',
    cwd: '/srv', pidFile: 'app.pid', killSignal: 'SIGINT', killTTL: 1500, killTree: false,
    env: { A: '1', B: 'x=y', C: '' }, hideEnv: ['SECRET', 'TOKEN'], fork: true, watch: true,
    watchDirectory: ['lib', 'conf'], watchIgnorePatterns: ['*.log'], watchIgnoreDotFiles: false,
    usePolling: true, pollingInterval: 500,
  });
  assert.equal(command.quiet, true);
});

test('short flags combine, values may follow = or stick to the letter, the last one wins', () => {
  assert.deepEqual(start('-stw', 'app.js').options, { silent: true, timestamp: true, watch: true });
  assert.deepEqual(start('-m4', '--killTTL=20', 'app.js').options, { max: 4, killTTL: 20 });
  assert.deepEqual(start('-m', '4', '--max', '6', 'app.js').options, { max: 6 });
  assert.deepEqual(start('--killSignal', '9', 'app.js').options, { killSignal: 9 });
  assert.deepEqual(start('app.js').options, {});
});

test('every flag in the table is in the help text', () => {
  for (const flag of FLAGS) {
    if (flag.name === 'help' || flag.name === 'version') continue;
    const shown = flag.onByDefault ? `--no-${flag.name}` : `--${flag.name}`;
    assert.ok(START_HELP.includes(shown), `${shown} is missing from the help`);
  }
});

test('the help of start fits in 80 columns', () => {
  const long = START_HELP.split('\n').filter((line) => line.length > 80);
  assert.deepEqual(long, []);
});

test('help, version and commands', () => {
  assert.deepEqual(parseArgs(['--help']), { kind: 'help', topic: 'general' });
  assert.deepEqual(parseArgs(['-h']), { kind: 'help', topic: 'general' });
  assert.deepEqual(parseArgs(['help']), { kind: 'help', topic: 'general' });
  assert.deepEqual(parseArgs(['help', 'start']), { kind: 'help', topic: 'start' });
  assert.deepEqual(parseArgs(['start', '--help']), { kind: 'help', topic: 'start' });
  assert.deepEqual(parseArgs(['start', '-m', '2', '-h', 'app.js']), { kind: 'help', topic: 'start' });
  assert.deepEqual(parseArgs(['--version']), { kind: 'version' });
  // After the script, --help is the script's.
  assert.deepEqual(start('app.js', '--help').scriptArgs, ['--help']);
});

test('bad input: one message naming the flag and the value', () => {
  const cases: [string[], RegExp][] = [
    [[], /missing command/],
    [['stat', 'app.js'], /unknown command "stat"/],
    [['app.js'], /unknown command "app.js" \(did you mean keepalive start app.js\?\)/],
    [['--max', '3', 'start', 'app.js'], /unknown option --max .*after "start"/],
    [['help', 'stop'], /no help on "stop"/],
    [['start'], /missing the script/],
    [['start', '-m', '3'], /missing the script/],
    [['start', '-m', 'abc', 'app.js'], /^-m\/--max: expected a whole number >= 1, got "abc"$/],
    [['start', '-m', '0', 'app.js'], /--max: .* got "0"/],
    [['start', '-m', '-1', 'app.js'], /--max: expected a whole number >= 1, got nothing/],
    [['start', '--max', '1.5', 'app.js'], /--max: .* got "1.5"/],
    [['start', '--minUptime', '-5', 'app.js'], /--minUptime: expected a time/],
    [['start', '--killTTL', '5x', 'app.js'], /--killTTL: expected a time .* got "5x"/],
    [['start', '--spinSleepTime', 'NaN', 'app.js'], /--spinSleepTime: .* got "NaN"/],
    [['start', '--killSignal', 'SIGFOO', 'app.js'], /--killSignal: expected a signal .* got "SIGFOO"/],
    [['start', '--killSignal', '999', 'app.js'], /--killSignal: .* got "999"/],
    [['start', '--stopExitCodes', '0,x', 'app.js'], /--stopExitCodes: .* got "0,x"/],
    [['start', '--stopExitCodes', '256', 'app.js'], /--stopExitCodes: .* got "256"/],
    [['start', '--env', 'NOVALUE', 'app.js'], /--env: expected KEY=VALUE, got "NOVALUE"/],
    [['start', '--env', '=x', 'app.js'], /--env: expected KEY=VALUE, got "=x"/],
    [['start', '--hideEnv', 'A=B', 'app.js'], /--hideEnv: .* got "A=B"/],
    [['start', '-o', '', 'app.js'], /-o\/--outFile: expected a value, got nothing/],
    [['start', '--bogus', 'app.js'], /unknown option --bogus/],
    [['start', '--minuptime', '5', 'app.js'], /unknown option --minuptime \(did you mean --minUptime\?\)/],
    [['start', '--no-max', 'app.js'], /unknown option --no-max/],
    [['start', '--max.x=3', 'app.js'], /unknown option --max.x=3/],
    [['start', '-z', 'app.js'], /unknown option -z/],
  ];
  for (const [argv, pattern] of cases) usageError(argv, pattern);
});

test('main: a usage error is one line on stderr with a hint, exit 2, nothing on stdout', async () => {
  const { status, out, err } = await runMain(['start', '--killTTL', 'soon', 'app.js']);
  assert.equal(status, 2);
  assert.equal(out, '');
  assert.equal(err, 'keepalive: --killTTL: expected a time >= 0 in ms, or with a unit: 500ms, 2s, 5m, 1h, got "soon" (see keepalive --help)\n');
});

test('main: options the Monitor rejects together are a usage error too', async () => {
  const { status, err } = await runMain(['start', '--maxSpinSleepTime', '10', 'app.js']);
  assert.equal(status, 2);
  assert.match(err, /^keepalive: option maxSpinSleepTime: .*got 10 \(see keepalive --help\)\n$/);
});

test('main: help and version go to stdout with exit 0', async () => {
  const help = await runMain(['help', 'start']);
  assert.equal(help.status, 0);
  assert.equal(help.out, START_HELP);
  const version = await runMain(['--version']);
  assert.equal(version.status, 0);
  assert.match(version.out, /^\d+\.\d+\.\d+\n$/);
});


/** Words that parsers trip over: flags, half flags, numbers, odd values, unicode. */
const WORDS = [
  'start', 'help', '--help', '-h', '--version', '--', '-', '---', '--=', '-=', '=', '', ' ',
  ...FLAGS.flatMap((flag) => [`--${flag.name}`, `--no-${flag.name}`, `--${flag.name}=`, ...(flag.short ? [`-${flag.short}`] : [])]),
  '-mst', '-m3', '--max=2', '--max.x', '--__proto__', '--constructor', '--__proto__.x=1', '--toString',
  '0', '1', '-1', '1.5', '1e3', 'Infinity', 'NaN', '0x10', '2s', '5m', '9999999999999999999999',
  'SIGTERM', 'int', 'SIGFOO', '15', '0,143', ',', 'A=1', '=', 'A', '*.log', '../x', '/dev/null',
  'app.js', 'app.json', 'missing.json', 'x'.repeat(300), 'é', '💥', 'true', 'false', 'null', '{}',
];

test('fuzz (seed: KEEPALIVE_FUZZ_SEED): 600 random command lines end in exit 0, 1 or 2 without a stack trace', async () => {
  const cwd = tempDir();
  const next = random(Number(process.env.KEEPALIVE_FUZZ_SEED ?? 20240501));
  const pick = (): string => WORDS[Math.floor(next() * WORDS.length)] as string;
  for (let i = 0; i < 600; i++) {
    const argv = Array.from({ length: Math.floor(next() * 7) }, pick);
    // Most vectors start a command, so that the option parser is what gets exercised.
    if (next() < 0.8) argv.unshift('start');
    let command;
    try {
      command = parseArgs(argv);
    } catch (error) {
      assert.ok(error instanceof UsageError, `${JSON.stringify(argv)} threw ${(error as Error).stack}`);
      assert.doesNotMatch(error.message, /\n/, 'one line');
      continue;
    }
    // A start is planned and its options checked as main does, without starting a child here.
    if (command.kind === 'start') {
      try {
        const plan = planStart(command, cwd);
        resolveOptions(plan.script, plan.options);
      } catch (error) {
        const known = error instanceof ConfigError || (error instanceof KeepaliveError && error.code === 'INVALID_OPTION');
        assert.ok(known, `${JSON.stringify(argv)} threw ${(error as Error).stack}`);
      }
      continue;
    }
    const { status, err } = await runMain(argv);
    assert.ok([0, 1, 2].includes(status), `${JSON.stringify(argv)} exited ${status}`);
    assert.doesNotMatch(err, /\n\s+at /, `${JSON.stringify(argv)} printed a stack trace`);
  }
});
