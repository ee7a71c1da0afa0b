import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, readdirSync, symlinkSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { KeepaliveError, Monitor, type MonitorOptions } from '../../src/index.js';
import { OPTION_NAMES, PATH_OPTIONS } from '../../src/options/options.js';
import { fixture, tempDir } from '../helpers/paths.js';
import { nextEvent } from '../helpers/events.js';
import { recordHostFailures } from '../helpers/host-failures.js';
import { between, pick, random, type Random } from '../helpers/random.js';

interface Printed {
  argv: string[];
  script: string;
  cwd: string;
  env: Record<string, string>;
  pid: number;
  ppid: number;
}

/** Runs the argv fixture (or `script`) once and returns what it printed about itself. */
async function printed(script: string | string[], options: MonitorOptions = {}): Promise<Printed> {
  const monitor = new Monitor(script, { silent: true, max: 1, ...options });
  let out = '';
  monitor.on('stdout', (chunk: Buffer) => (out += chunk.toString()));
  const errors: Error[] = [];
  monitor.on('error', (error) => errors.push(error));
  const done = nextEvent(monitor, 'exit');
  monitor.start();
  await done;
  assert.deepEqual(errors, []);
  assert.equal(monitor.lastExit?.code, 0, `the fixture ran and exited 0 (${out})`);
  return JSON.parse(out) as Printed;
}

/** Shell metacharacters: each must reach the child as the very same string. */
const NASTY_ARGS = [
  ';', 'a; touch pwned-semicolon', '$(touch pwned-subshell)', '`touch pwned-backtick`', '"', "'", '"\'"',
  '*', '?', '[a-z]*', '~', '$HOME', '${PATH}', '|', '||', '&&', '&', '>', '>> pwned-redirect', '<', '2>&1',
  '\\', '\\n', 'line\nbreak', 'tab\there', ' leading and trailing ', '', '-', '--', '--flag=$(id)', '#comment',
  '!', '!!', 'ünïcødé 日本語 😀', '%PATH%', '^', '(', ')', '{a,b}',
];

test('a script path with spaces, quotes and non-ASCII characters runs as given', async () => {
  const dir = path.join(tempDir(), 'folder with spaces', 'ünï cødé 日本 (x) $HOME');
  mkdirSync(dir, { recursive: true });
  const script = path.join(dir, "my script's $(name) ;*.js");
  copyFileSync(fixture('torture-argv.js'), script);
  const info = await printed(script, { cwd: dir });
  assert.equal(info.script, script);
  assert.equal(info.cwd, dir);
  // The same through sourceDir and a relative script.
  const viaSourceDir = await printed(path.basename(script), { sourceDir: dir });
  assert.equal(viaSourceDir.script, script);
});

test('arguments with shell metacharacters are passed literally; no shell runs them', async () => {
  const cwd = tempDir();
  const asArray = await printed([process.execPath, fixture('torture-argv.js'), ...NASTY_ARGS], { cwd });
  assert.deepEqual(asArray.argv, NASTY_ARGS);
  const asArgs = await printed(fixture('torture-argv.js'), { cwd, args: NASTY_ARGS });
  assert.deepEqual(asArgs.argv, NASTY_ARGS);
  assert.deepEqual(readdirSync(cwd), [], 'no command inside an argument ran');
});

test('a command whose path has spaces runs when the spaces are escaped, and carries its flags', async () => {
  const dir = path.join(tempDir(), 'my node');
  mkdirSync(dir);
  const node = path.join(dir, 'node');
  symlinkSync(process.execPath, node);
  const info = await printed(fixture('torture-argv.js'), { command: `${node.replaceAll(' ', '\\ ')} --no-warnings`, args: ['x y'] });
  assert.deepEqual(info.argv, ['x y']);
});

test('a command line with shell syntax is a program and its literal arguments: nothing else runs', async () => {
  const cwd = tempDir();
  const cases: [string[], 'SPAWN_FAILED' | undefined, string[]][] = [
    [['true;', 'touch', 'pwned'], 'SPAWN_FAILED', []],
    [['$(touch pwned)'], 'SPAWN_FAILED', []],
    [['true', '&&', 'touch', 'pwned'], undefined, []],
    [['true', ';', 'touch', 'pwned'], undefined, []],
    [['true', '|', 'touch', 'pwned'], undefined, []],
    // touch itself, with "#" and ">" as two more file names: literal all the way.
    [['touch', 'pwned', '#', '>', 'x'], undefined, ['#', '>', 'pwned', 'x']],
  ];
  for (const [script, code, files] of cases) {
    const monitor = new Monitor(script, { silent: true, max: 1, cwd });
    const errors: Error[] = [];
    monitor.on('error', (error) => errors.push(error));
    const done = nextEvent(monitor, 'exit');
    monitor.start();
    await done;
    assert.equal((errors[0] as KeepaliveError | undefined)?.code, code, `${script.join(' ')}: ${errors[0]?.message}`);
    assert.deepEqual(readdirSync(cwd).sort(), files, script.join(' '));
  }
});

test('env values with newlines, "=", quotes and non-ASCII reach the child exactly; numbers become strings', async () => {
  const env = {
    MULTI_LINE: 'first\nsecond\r\nthird\n',
    WITH_EQUALS: 'a=b==c',
    QUOTES: `"double" 'single' \`back\``,
    SHELLISH: '$(touch pwned) ; rm -rf /',
    UNICODE: 'ünïcødé 日本語 😀',
    EMPTY: '',
    NUMBER: 42,
    FLAG: true,
  };
  const info = await printed(fixture('torture-argv.js'), { env });
  for (const [name, value] of Object.entries(env)) assert.equal(info.env[name], String(value), name);
});

// ---------------------------------------------------------------------------------------------
// Random option objects: `new Monitor` either works or throws KeepaliveError INVALID_OPTION.

const KEYS = [
  ...OPTION_NAMES,
  // Not options: misspelt, inherited names, odd keys.
  'Max', 'killttl', 'constructor', '__proto__', 'toString', 'hasOwnProperty', '', ' ', 'valueOf',
];

function randomValue(next: Random, depth = 0): unknown {
  const kind = between(next, 0, depth > 1 ? 13 : 17);
  switch (kind) {
    case 0: return undefined;
    case 1: return null;
    case 2: return pick(next, [true, false]);
    case 3: return pick(next, [0, -1, 1, 2, 3, 1.5, -0, 255, 256, 1e21, Number.MAX_SAFE_INTEGER, 2 ** 53 + 2]);
    case 4: return pick(next, [NaN, Infinity, -Infinity]);
    case 5: return pick(next, ['', ' ', 'SIGTERM', 'sigkill', 'TERM', 'SIGNOPE', '9', 'node', 'node --expose-gc', '\\', 'a\0b', '/', '.', '..']);
    case 6: return pick(next, ['ünïcødé', '😀', 'x'.repeat(10_000), '$(id)', '; rm -rf /', '\n', 'a b c', '-1']);
    case 7: return BigInt(between(next, -5, 5));
    case 8: return Symbol('option');
    case 9: return () => 'a function';
    case 10: return new Date(0);
    case 11: return /regexp/;
    case 12: return between(next, -1000, 100_000);
    case 13: return pick(next, ['inherit', 'pipe', 'ignore', 'overlapped']);
    case 14: return Array.from({ length: between(next, 0, 4) }, () => randomValue(next, depth + 1));
    case 15: {
      const object: Record<string, unknown> = {};
      for (let i = between(next, 0, 4); i > 0; i--) object[pick(next, ['A', 'B=C', '', 'uid', 'gid', 'argv0', 'shell', 'detached', 'x'])] = randomValue(next, depth + 1);
      return object;
    }
    case 16: return Object.create(null) as object;
    default: return new Map([[1, 2]]);
  }
}

function randomOptions(next: Random): unknown {
  if (next() < 0.05) return randomValue(next);
  const options: Record<string, unknown> = {};
  for (let i = between(next, 0, 6); i > 0; i--) options[pick(next, KEYS)] = randomValue(next);
  if (next() < 0.05) options[Symbol('hidden') as unknown as string] = 1;
  return options;
}

function randomScript(next: Random): unknown {
  if (next() < 0.8) return pick(next, ['app.js', ['/bin/true'], [process.execPath, '-e', '0']]);
  return randomValue(next);
}

/** Freezes an object graph, so that a mutation by keepalive throws instead of passing unseen. */
function deepFreeze<T>(value: T): T {
  if ((typeof value === 'object' && value !== null) || typeof value === 'function') {
    if (Object.isFrozen(value)) return value;
    Object.freeze(value);
    for (const key of Reflect.ownKeys(value as object)) deepFreeze((value as Record<PropertyKey, unknown>)[key]);
  }
  return value;
}

const OBJECTS = Number(process.env.KEEPALIVE_TORTURE_OPTIONS ?? 2000);

test(`${OBJECTS} random option objects: a Monitor, or a KeepaliveError INVALID_OPTION naming the option; inputs untouched`, () => {
  const next = random(2024);
  let accepted = 0;
  for (let i = 0; i < OBJECTS; i++) {
    const script = deepFreeze(randomScript(next));
    const options = deepFreeze(randomOptions(next));
    try {
      new Monitor(script as string, options as MonitorOptions);
      accepted++;
    } catch (error) {
      const shown = (() => {
        try {
          return JSON.stringify([script, options], (_, value: unknown) => (typeof value === 'bigint' ? `${value}n` : value));
        } catch {
          return String(i);
        }
      })();
      assert.ok(error instanceof KeepaliveError, `case ${i} ${shown}: ${String(error)}`);
      assert.equal(error.code, 'INVALID_OPTION', `case ${i} ${shown}: ${error.message}`);
      assert.match(error.message, /^(option |unknown option |options: |script: )/, `case ${i}: ${error.message}`);
    }
  }
  assert.ok(accepted > OBJECTS / 20, `some were valid (${accepted})`);
});

const STARTS = Number(process.env.KEEPALIVE_TORTURE_STARTS ?? 30);

test(`${STARTS} random valid option sets, started and stopped: never an uncaught error, no child after the end`, async () => {
  const next = random(77);
  const dir = tempDir();
  const host = recordHostFailures();
  try {
    let started = 0;
    for (let tries = 0; started < STARTS && tries < STARTS * 200; tries++) {
      const options = randomOptions(next) as Record<string, unknown>;
      if (typeof options !== 'object' || options === null) continue;
      // Files only inside the temporary folder, no watcher, nothing on the console.
      for (const name of PATH_OPTIONS) {
        if (typeof options[name] === 'string' || Array.isArray(options[name])) options[name] = path.join(dir, `${name}-${started}`);
      }
      if (typeof options.cwd === 'string') options.cwd = dir;
      options.watch = false;
      options.silent = true;
      if (options.stdio !== undefined) options.stdio = 'ignore';
      if (typeof options.command === 'string') options.command = '/bin/true';
      // Waits are cut short so that a run ends soon by itself.
      for (const name of ['spinSleepTime', 'maxSpinSleepTime']) {
        if (typeof options[name] === 'number' && (options[name] as number) > 100) options[name] = name === 'spinSleepTime' ? 10 : 20;
      }
      let monitor: Monitor;
      try {
        monitor = new Monitor(['/bin/true'], { ...(options as MonitorOptions), max: 2 });
      } catch {
        continue;
      }
      started++;
      monitor.on('error', () => {});
      const ended = nextEvent(monitor, 'exit');
      try {
        monitor.start();
      } catch (error) {
        assert.ok(error instanceof KeepaliveError, String(error));
        continue;
      }
      if (next() < 0.5) await monitor.stop();
      else await ended;
      assert.equal(monitor.child, undefined);
    }
    assert.equal(started, STARTS);
    await new Promise((resolve) => setImmediate(resolve));
    assert.deepEqual(host.failures, []);
  } finally {
    host.remove();
  }
});

test('a huge bad value is shown shortened in the message', () => {
  assert.throws(
    () => new Monitor('app.js', { args: 'x'.repeat(100_000) as unknown as string[] }),
    (error: unknown) => error instanceof KeepaliveError && error.code === 'INVALID_OPTION' && error.message.length < 200,
  );
});
