import { constants } from 'node:os';
import path from 'node:path';
import type { SpawnOptions, StdioOptions } from 'node:child_process';
import { KeepaliveError } from '../vocabulary/errors.js';

/** Spawn settings that may be passed through `spawnWith`; the others have options of their own. */
export type SpawnWithOptions = Pick<
  SpawnOptions,
  'uid' | 'gid' | 'argv0' | 'windowsHide' | 'windowsVerbatimArguments' | 'serialization'
>;

/** Environment values; numbers and booleans are turned into strings, `undefined` removes a variable. */
export type EnvValue = string | number | boolean | undefined;

/**
 * Everything a `Monitor` can be told. Names and meanings follow forever-monitor 3.x; the
 * differences are listed in the README. Times are in milliseconds.
 */
export interface MonitorOptions {
  /** Give up after this many runs that ended on their own. @default Infinity */
  max?: number;
  /** A run shorter than this is "spinning". @default 0 (never spinning) */
  minUptime?: number;
  /**
   * Wait this long before restarting a spinning child; 0 restarts at once. When unset, a spinning
   * child is not restarted at all (forever's rule). @default undefined
   */
  spinSleepTime?: number;
  /**
   * Backoff cap: each consecutive spinning exit doubles the wait from `spinSleepTime` up to this;
   * a run that lasts `minUptime` resets it. Needs `spinSleepTime` > 0. @default undefined (no backoff)
   */
  maxSpinSleepTime?: number;
  /** When set, `max` counts only the exits inside the last `restartWindow` ms. @default undefined */
  restartWindow?: number;
  /**
   * Exit statuses that end the monitor instead of a restart. A signal death counts as
   * 128 + the signal's number, as shells report it (143 for SIGTERM). @default []
   */
  stopExitCodes?: readonly number[];

  /** Do not echo the child's output to this process's stdout and stderr. @default false */
  silent?: boolean;
  /**
   * Echo a stream that goes to a file to the console too. `false`: a stream with a file goes
   * only there, and one without a file still goes to the console, as with a shell redirect (the
   * CLI's default). @default true
   */
  echoFileOutput?: boolean;
  /** Append the child's stdout to this file. @default undefined */
  outFile?: string;
  /** Append the child's stderr to this file. @default undefined */
  errFile?: string;
  /** Append both streams, and one line per lifecycle event, to this file. @default undefined */
  logFile?: string;
  /** Append to the log files; `false` truncates them once, at `start()`. @default true */
  append?: boolean;
  /** Prefix every line of output with an ISO-8601 time. @default false */
  timestamp?: boolean;
  /**
   * Hand a stream's own log file to the child itself, as a shell redirect does: the fastest way,
   * and output goes on if the watchdog dies. What it gives up: the file cannot be moved. A reopen
   * (`reopenLogs()`, SIGHUP after logrotate) cannot reach the child until it restarts, so
   * rotation needs `copytruncate`. Without it, keepalive writes every file itself. @default false
   */
  unmovableLogs?: boolean;

  /** Stop every descendant of the child too, not only its process group. @default true */
  killTree?: boolean;
  /** The signal a stop sends first. @default 'SIGTERM' */
  killSignal?: NodeJS.Signals | number;
  /** How long a stop waits after `killSignal` before it sends SIGKILL. @default 5000 */
  killTTL?: number;

  /** The program that runs a string script; may carry flags (`'node --expose-gc'`). @default process.execPath */
  command?: string;
  /** Arguments after the script. Never changed by keepalive. @default [] */
  args?: readonly string[];
  /** A folder the script path is relative to. @default undefined */
  sourceDir?: string;
  /** The child's working directory. @default process.cwd() */
  cwd?: string;
  /** Variables set over `process.env` for the child. @default {} */
  env?: Readonly<Record<string, EnvValue>>;
  /** Names of variables removed from the child's environment (secrets). @default [] */
  hideEnv?: readonly string[];
  /** More settings for `child_process.spawn` (uid, gid, ...). @default {} */
  spawnWith?: SpawnWithOptions;
  /** The child's stdio, replacing keepalive's own choice. @default undefined */
  stdio?: StdioOptions;
  /** Open an IPC channel so that `send()` and the `message` event work. @default false */
  fork?: boolean;
  /** Write the child's pid here at each start; removed at the final exit. @default undefined */
  pidFile?: string;
  /** An identifier for this monitor, shown in `data`. @default a random string */
  uid?: string;
  /** Another identifier, shown in `data` as given. @default undefined */
  id?: string;
  /** Check that a node script exists before the first start. @default true */
  checkFile?: boolean;

  /** Restart the child when a watched file changes. @default false */
  watch?: boolean;
  /** What to watch. @default the script's folder */
  watchDirectory?: string | readonly string[];
  /** Ignore files whose names start with a dot. @default true */
  watchIgnoreDotFiles?: boolean;
  /** Globs of files whose changes are ignored, relative to the watched folder. @default [] */
  watchIgnorePatterns?: readonly string[];
  /** Poll for changes instead of using file system events (network mounts). @default false */
  usePolling?: boolean;
  /** How often to poll, with `usePolling`. @default 100 */
  pollingInterval?: number;
}

/** The options after validation, with every default filled in and every array copied. */
export interface ResolvedOptions {
  readonly command: string;
  readonly args: readonly string[];
  /** The script as given (after `sourceDir`), or undefined when `script` was an array. */
  readonly file: string | undefined;
  readonly max: number;
  readonly minUptime: number;
  readonly spinSleepTime: number | undefined;
  readonly maxSpinSleepTime: number | undefined;
  readonly restartWindow: number | undefined;
  readonly stopExitCodes: readonly number[];
  readonly silent: boolean;
  readonly echoFileOutput: boolean;
  readonly outFile: string | undefined;
  readonly errFile: string | undefined;
  readonly logFile: string | undefined;
  readonly append: boolean;
  readonly timestamp: boolean;
  readonly unmovableLogs: boolean;
  readonly killTree: boolean;
  readonly killSignal: NodeJS.Signals | number;
  readonly killTTL: number;
  readonly sourceDir: string | undefined;
  readonly cwd: string;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly hideEnv: readonly string[];
  readonly spawnWith: SpawnWithOptions;
  readonly stdio: StdioOptions | undefined;
  readonly fork: boolean;
  readonly pidFile: string | undefined;
  readonly uid: string;
  readonly id: string | undefined;
  readonly checkFile: boolean;
  readonly watch: boolean;
  readonly watchDirectory: readonly string[];
  readonly watchIgnoreDotFiles: boolean;
  readonly watchIgnorePatterns: readonly string[];
  readonly usePolling: boolean;
  readonly pollingInterval: number;
}

/** Every option name, for the check against misspelt keys. */
const OPTION_NAMES = [
  'max', 'minUptime', 'spinSleepTime', 'maxSpinSleepTime', 'restartWindow', 'stopExitCodes',
  'silent', 'echoFileOutput', 'outFile', 'errFile', 'logFile', 'append', 'timestamp', 'unmovableLogs', 'killTree', 'killSignal',
  'killTTL', 'command', 'args', 'sourceDir', 'cwd', 'env', 'hideEnv', 'spawnWith', 'stdio', 'fork',
  'pidFile', 'uid', 'id', 'checkFile', 'watch', 'watchDirectory', 'watchIgnoreDotFiles',
  'watchIgnorePatterns', 'usePolling', 'pollingInterval',
] as const satisfies readonly (keyof MonitorOptions)[];

const SPAWN_WITH_NAMES = ['uid', 'gid', 'argv0', 'windowsHide', 'windowsVerbatimArguments', 'serialization'];

/** Shows a bad value in a message: short, and unambiguous about its type. */
export function showValue(value: unknown): string {
  if (typeof value === 'number' || typeof value === 'boolean' || value == null) return String(value);
  if (typeof value === 'function') return 'a function';
  try {
    const text = JSON.stringify(value) ?? String(value);
    return text.length > 80 ? `${text.slice(0, 77)}...` : text;
  } catch {
    return Object.prototype.toString.call(value);
  }
}

function invalid(name: string, value: unknown, expected: string): KeepaliveError {
  return new KeepaliveError('INVALID_OPTION', `option ${name}: expected ${expected}, got ${showValue(value)}`);
}

function milliseconds(name: string, value: unknown, fallback: number): number;
function milliseconds(name: string, value: unknown, fallback: undefined): number | undefined;
function milliseconds(name: string, value: unknown, fallback: number | undefined): number | undefined {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
    throw invalid(name, value, 'a number of milliseconds >= 0');
  }
  return value;
}

function flag(name: string, value: unknown, fallback: boolean): boolean {
  if (value === undefined) return fallback;
  if (typeof value !== 'boolean') throw invalid(name, value, 'true or false');
  return value;
}

function text(name: string, value: unknown): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || value === '') throw invalid(name, value, 'a non-empty string');
  if (value.includes('\0')) throw invalid(name, value, 'a string without NUL characters');
  return value;
}

function textList(name: string, value: unknown): string[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) throw invalid(name, value, 'an array of strings');
  return value.map((item, index) => {
    if (typeof item !== 'string' || item.includes('\0')) {
      throw invalid(`${name}[${index}]`, item, 'a string without NUL characters');
    }
    return item;
  });
}

/** Accepts a signal name ('SIGTERM', 'TERM', 'sigterm') or number; returns the canonical form. */
export function parseSignal(name: string, value: unknown): NodeJS.Signals | number {
  if (typeof value === 'number' && Object.values(constants.signals).includes(value)) return value;
  if (typeof value === 'string') {
    const upper = value.toUpperCase();
    const full = (upper.startsWith('SIG') ? upper : `SIG${upper}`) as NodeJS.Signals;
    if (full in constants.signals) return full;
  }
  throw invalid(name, value, 'a signal name such as "SIGTERM" or a signal number');
}

/** The number of a signal, for exit statuses (128 + n). */
export function signalNumber(signal: NodeJS.Signals | number): number {
  return typeof signal === 'number' ? signal : constants.signals[signal];
}

/** Splits `command` on unescaped white space: `'node --expose-gc'` is node with one flag. */
export function splitCommand(command: string): string[] {
  const words: string[] = [];
  let word = '';
  let escaped = false;
  for (const char of command) {
    if (escaped) {
      word += char;
      escaped = false;
    } else if (char === '\\') {
      escaped = true;
    } else if (/\s/.test(char)) {
      if (word) words.push(word);
      word = '';
    } else {
      word += char;
    }
  }
  if (escaped) word += '\\';
  if (word) words.push(word);
  return words;
}

function suggestion(key: string): string {
  const match = OPTION_NAMES.find((name) => name.toLowerCase() === key.toLowerCase());
  return match ? ` (did you mean ${match}?)` : '';
}

function checkKnownKeys(options: object): void {
  for (const key of Object.keys(options)) {
    if (!(OPTION_NAMES as readonly string[]).includes(key)) {
      throw new KeepaliveError('INVALID_OPTION', `unknown option ${JSON.stringify(key)}${suggestion(key)}`);
    }
  }
}

function resolveEnv(value: unknown): Record<string, string | undefined> {
  if (value === undefined) return {};
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw invalid('env', value, 'an object of names to strings');
  }
  const env: Record<string, string | undefined> = {};
  for (const [key, item] of Object.entries(value)) {
    if (key === '' || key.includes('=') || key.includes('\0')) throw invalid('env', key, 'variable names without "=" or NUL');
    if (item === undefined) env[key] = undefined;
    else if (['string', 'number', 'boolean'].includes(typeof item) && !String(item).includes('\0')) env[key] = String(item);
    else throw invalid(`env.${key}`, item, 'a string, number or boolean without NUL characters');
  }
  return env;
}

function resolveSpawnWith(value: unknown): SpawnWithOptions {
  if (value === undefined) return {};
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw invalid('spawnWith', value, 'an object of spawn settings');
  }
  for (const key of Object.keys(value)) {
    if (!SPAWN_WITH_NAMES.includes(key)) {
      throw new KeepaliveError(
        'INVALID_OPTION',
        `option spawnWith: ${JSON.stringify(key)} is not allowed here (allowed: ${SPAWN_WITH_NAMES.join(', ')}); ` +
          'cwd, env, stdio and detached have options of their own, and no shell is ever used',
      );
    }
  }
  const { uid, gid } = value as { uid?: unknown; gid?: unknown };
  for (const [name, id] of [['spawnWith.uid', uid], ['spawnWith.gid', gid]] as const) {
    if (id !== undefined && (!Number.isInteger(id) || (id as number) < 0)) throw invalid(name, id, 'a whole number >= 0');
  }
  return { ...(value as SpawnWithOptions) };
}

function resolveStdio(value: unknown): StdioOptions | undefined {
  if (value === undefined) return undefined;
  if (typeof value === 'string' || Array.isArray(value)) return (Array.isArray(value) ? [...value] : value) as StdioOptions;
  throw invalid('stdio', value, 'a stdio setting such as "inherit" or an array');
}

/** True when `command` runs node, so that a missing script can be reported before any spawn. */
export function isNodeCommand(command: string): boolean {
  return command === process.execPath || /^node(\.exe)?$/i.test(path.basename(command));
}

/**
 * Validates everything a Monitor is given, in one place, and fills in the defaults. Throws a
 * KeepaliveError naming the first bad option and its value. The caller's objects are not touched.
 */
export function resolveOptions(script: unknown, given: unknown = {}): ResolvedOptions {
  if (typeof given !== 'object' || given === null || Array.isArray(given)) {
    throw new KeepaliveError('INVALID_OPTION', `options: expected an object, got ${showValue(given)}`);
  }
  checkKnownKeys(given);
  const o = given as Record<keyof MonitorOptions, unknown>;

  const cwd = path.resolve(text('cwd', o.cwd) ?? process.cwd());
  const sourceDir = text('sourceDir', o.sourceDir);
  const extraArgs = textList('args', o.args);
  const commandText = text('command', o.command);
  const commandWords = commandText === undefined ? [process.execPath] : splitCommand(commandText);
  if (commandWords.length === 0) throw invalid('command', o.command, 'a command name');

  let command: string;
  let args: string[];
  let file: string | undefined;
  if (typeof script === 'string' && script !== '' && !script.includes('\0')) {
    file = sourceDir === undefined ? script : path.join(sourceDir, script);
    [command, ...args] = [...commandWords, file, ...extraArgs] as [string, ...string[]];
  } else if (Array.isArray(script) && script.length > 0) {
    const words = textList('script', script);
    if (words[0] === '') throw invalid('script[0]', '', 'a command name');
    [command, ...args] = [...words, ...extraArgs] as [string, ...string[]];
  } else {
    throw new KeepaliveError(
      'INVALID_OPTION',
      `script: expected a path or an array [command, ...args], got ${showValue(script)}`,
    );
  }

  const max = o.max === undefined ? Infinity : o.max;
  if (typeof max !== 'number' || !(max === Infinity || (Number.isInteger(max) && max >= 1))) {
    throw invalid('max', o.max, 'a whole number >= 1');
  }
  const spinSleepTime = milliseconds('spinSleepTime', o.spinSleepTime, undefined);
  const maxSpinSleepTime = milliseconds('maxSpinSleepTime', o.maxSpinSleepTime, undefined);
  if (maxSpinSleepTime !== undefined && !(spinSleepTime !== undefined && spinSleepTime > 0)) {
    throw invalid('maxSpinSleepTime', maxSpinSleepTime, 'to be used with a spinSleepTime > 0 (the wait that doubles)');
  }
  if (maxSpinSleepTime !== undefined && spinSleepTime !== undefined && maxSpinSleepTime < spinSleepTime) {
    throw invalid('maxSpinSleepTime', maxSpinSleepTime, `a cap >= spinSleepTime (${spinSleepTime})`);
  }
  const restartWindow = milliseconds('restartWindow', o.restartWindow, undefined);
  if (restartWindow === 0) throw invalid('restartWindow', 0, 'a number of milliseconds > 0');

  const stopExitCodes = o.stopExitCodes === undefined ? [] : o.stopExitCodes;
  if (!Array.isArray(stopExitCodes)) throw invalid('stopExitCodes', stopExitCodes, 'an array of exit codes');
  stopExitCodes.forEach((code: unknown, index) => {
    if (!Number.isInteger(code) || (code as number) < 0 || (code as number) > 255) {
      throw invalid(`stopExitCodes[${index}]`, code, 'a whole number from 0 to 255');
    }
  });

  const watchDirectory =
    o.watchDirectory === undefined
      ? [file === undefined ? cwd : path.dirname(path.resolve(cwd, file))]
      : typeof o.watchDirectory === 'string'
        ? [text('watchDirectory', o.watchDirectory) as string]
        : textList('watchDirectory', o.watchDirectory);
  const uid = text('uid', o.uid) ?? Math.random().toString(36).slice(2, 6).padEnd(4, '0');
  const pollingInterval = milliseconds('pollingInterval', o.pollingInterval, 100);

  return {
    command,
    args,
    file,
    max,
    minUptime: milliseconds('minUptime', o.minUptime, 0),
    spinSleepTime,
    maxSpinSleepTime,
    restartWindow,
    stopExitCodes: [...(stopExitCodes as number[])],
    silent: flag('silent', o.silent, false),
    echoFileOutput: flag('echoFileOutput', o.echoFileOutput, true),
    outFile: text('outFile', o.outFile),
    errFile: text('errFile', o.errFile),
    logFile: text('logFile', o.logFile),
    append: flag('append', o.append, true),
    timestamp: flag('timestamp', o.timestamp, false),
    unmovableLogs: flag('unmovableLogs', o.unmovableLogs, false),
    killTree: flag('killTree', o.killTree, true),
    killSignal: o.killSignal === undefined ? 'SIGTERM' : parseSignal('killSignal', o.killSignal),
    killTTL: milliseconds('killTTL', o.killTTL, 5000),
    sourceDir,
    cwd,
    env: resolveEnv(o.env),
    hideEnv: textList('hideEnv', o.hideEnv),
    spawnWith: resolveSpawnWith(o.spawnWith),
    stdio: resolveStdio(o.stdio),
    fork: flag('fork', o.fork, false),
    pidFile: text('pidFile', o.pidFile),
    uid,
    id: text('id', o.id),
    checkFile: flag('checkFile', o.checkFile, true),
    watch: flag('watch', o.watch, false),
    watchDirectory,
    watchIgnoreDotFiles: flag('watchIgnoreDotFiles', o.watchIgnoreDotFiles, true),
    watchIgnorePatterns: textList('watchIgnorePatterns', o.watchIgnorePatterns),
    usePolling: flag('usePolling', o.usePolling, false),
    pollingInterval: pollingInterval === 0 ? 1 : pollingInterval,
  };
}
