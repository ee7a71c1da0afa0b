import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from '../../src/cli/args.js';
import { CLI_DEFAULTS, ConfigError, loadConfig, planStart } from '../../src/cli/config.js';
import { tempDir } from '../helpers/paths.js';

function plan(argv: string[], cwd: string) {
  const command = parseArgs(['start', ...argv]);
  assert.equal(command.kind, 'start');
  return planStart(command, cwd);
}

function writeConfig(dir: string, data: unknown, name = 'app.json'): string {
  const file = path.join(dir, name);
  writeFileSync(file, typeof data === 'string' ? data : JSON.stringify(data));
  return file;
}

test('a script on the command line: resolved where keepalive runs, CLI defaults filled in', () => {
  const cwd = tempDir();
  const result = plan(['-m', '2', 'app.js', 'a', 'b'], cwd);
  assert.equal(result.script, path.join(cwd, 'app.js'));
  assert.deepEqual(result.options, { ...CLI_DEFAULTS, max: 2, args: ['a', 'b'], echoFileOutput: false });
  assert.equal(result.quiet, false);
  // With --sourceDir, or a command that is not node, the script is passed on as given.
  assert.equal(plan(['--sourceDir', '/srv', 'app.js'], cwd).script, 'app.js');
  assert.equal(plan(['-c', 'python3 -u', 'app.py'], cwd).script, 'app.py');
  assert.equal(plan(['-c', 'node --expose-gc', 'app.js'], cwd).script, path.join(cwd, 'app.js'));
  assert.equal(plan(['--minUptime', '0', 'app.js'], cwd).options.minUptime, 0);
});

test('a stream goes to its file or else to the console, as in the shell, unless --silent is given either way', () => {
  const cwd = tempDir();
  const echo = (argv: string[]) => {
    const { silent, echoFileOutput } = plan([...argv, 'app.js'], cwd).options;
    return { silent, echoFileOutput };
  };
  assert.deepEqual(echo([]), { silent: undefined, echoFileOutput: false });
  assert.deepEqual(echo(['-o', 'out.log']), { silent: undefined, echoFileOutput: false });
  assert.deepEqual(echo(['-l', 'all.log']), { silent: undefined, echoFileOutput: false });
  assert.deepEqual(echo(['--no-silent', '-e', 'err.log']), { silent: false, echoFileOutput: undefined });
  assert.deepEqual(echo(['-s', '-e', 'err.log']), { silent: true, echoFileOutput: undefined });
});

test('a config file: paths relative to its folder, flags override it, env merges', () => {
  const cwd = tempDir();
  const dir = path.join(cwd, 'conf');
  mkdirSync(dir);
  writeConfig(dir, {
    script: 'server.js',
    args: ['--port', '80'],
    max: 5,
    outFile: 'logs/out.log',
    pidFile: '/run/app.pid',
    watchDirectory: ['lib', '/etc/app'],
    env: { A: '1', B: '2' },
    killSignal: 'SIGINT',
  });
  const result = plan(['-m', '7', '--env', 'B=3', path.join('conf', 'app.json'), '--port', '81'], cwd);
  assert.equal(result.script, path.join(dir, 'server.js'));
  assert.deepEqual(result.options, {
    ...CLI_DEFAULTS,
    args: ['--port', '81'],
    max: 7,
    outFile: path.join(dir, 'logs/out.log'),
    pidFile: '/run/app.pid',
    watchDirectory: [path.join(dir, 'lib'), '/etc/app'],
    env: { A: '1', B: '3' },
    killSignal: 'SIGINT',
    echoFileOutput: false,
  });
  // Without script arguments on the command line, the file's args stay.
  assert.deepEqual(plan(['conf/app.json'], cwd).options.args, ['--port', '80']);
});

test('a config file may set the CLI defaults, and a command as an array', () => {
  const dir = tempDir();
  writeConfig(dir, { script: ['python3', '-u', 'app.py'], minUptime: 0, silent: false, logFile: 'all.log' });
  const result = plan(['app.json'], dir);
  assert.deepEqual(result.script, ['python3', '-u', 'app.py']);
  assert.equal(result.options.minUptime, 0);
  assert.equal(result.options.silent, false);
  // With sourceDir the script stays relative to it, and sourceDir to the file.
  writeConfig(dir, { script: 'app.js', sourceDir: 'src' }, 'src.json');
  const withSource = plan(['src.json'], dir);
  assert.equal(withSource.script, 'app.js');
  assert.equal(withSource.options.sourceDir, path.join(dir, 'src'));
});

test('a bad config file is a ConfigError that names the file and the key', () => {
  const dir = tempDir();
  const cases: [unknown, RegExp][] = [
    ['{ "script": ', /is not valid JSON/],
    [[], /expected a JSON object, got \[\]/],
    [null, /expected a JSON object, got null/],
    [{ max: 3 }, /"script" is missing/],
    [{ script: 42 }, /"script" must be a path or an array .* got 42/],
    [{ script: [] }, /"script" must be .* got \[\]/],
    [{ script: 'app.js', maxx: 3 }, /unknown option "maxx"/],
    [{ script: 'app.js', Max: 3 }, /unknown option "Max" \(did you mean max\?\)/],
    [{ script: 'app.js', max: '3' }, /option max: expected a whole number >= 1, got "3"/],
    [{ script: 'app.js', args: 'x' }, /option args: expected an array of arguments/],
    [{ script: 'app.js', killSignal: 'SIGNOPE' }, /option killSignal/],
    [{ script: 'app.js', maxSpinSleepTime: 10 }, /option maxSpinSleepTime: .*spinSleepTime \(1000\)/],
  ];
  for (const [data, pattern] of cases) {
    const file = writeConfig(dir, data);
    assert.throws(() => loadConfig(file), (error: unknown) => {
      assert.ok(error instanceof ConfigError);
      assert.ok(error.message.includes(file), error.message);
      assert.match(error.message, pattern);
      return true;
    });
  }
  assert.throws(() => loadConfig(path.join(dir, 'missing.json')), /cannot read config file .*missing.json: ENOENT/);
});
