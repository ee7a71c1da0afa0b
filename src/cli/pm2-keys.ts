import { existsSync } from 'node:fs';
import path from 'node:path';
import { showValue, splitCommand, type MonitorOptions, type OptionName } from '../options/options.js';
import { ConfigError } from './config-error.js';
import type { Pm2App } from './pm2-file.js';

/**
 * pm2's keys mapped onto keepalive's options. A key keepalive cannot honour is refused with what
 * to do instead; a key whose option this version lacks is refused naming the missing feature;
 * an unknown key is refused. Nothing is silently dropped.
 */

/** Where an app comes from, for relative paths and messages. */
export interface Pm2Context {
  readonly file: string;
  readonly folder: string;
  /** `--env <stage>`: `env_<stage>` goes over `env`. */
  readonly stage: string | undefined;
  readonly index: number;
}

/** An app of a pm2 file as keepalive runs it: its name, and a config like keepalive's own. */
export interface MappedApp {
  readonly name: string | undefined;
  readonly script: string | readonly string[];
  readonly options: MonitorOptions;
  /** Which pm2 key set each option, to name it in a later error. */
  readonly keys: Readonly<Record<string, string>>;
}

/** pm2's defaults that differ from keepalive's CLI, taken when the file is a pm2 file. */
export const PM2_DEFAULTS = { killSignal: 'SIGINT', killTTL: 1600 } as const;

/** pm2 keys keepalive does not honour, with what to do instead. */
const REFUSED: Readonly<Record<string, string>> = {
  instances: 'keepalive runs one process per app: give each copy an app of its own (its own name and port), or use node:cluster inside the app',
  exec_mode: 'cluster mode is pm2\'s: keepalive runs one process per app (exec_mode "fork"); use node:cluster inside the app for more',
  instance_var: 'it only matters with several instances; remove it',
  increment_var: 'it only matters with several instances; remove it',
  namespace: 'keepalive has no namespaces; pick apps by name with --only',
  user: 'run keepalive as that user (keepalive unit --user, or keepalive startup)',
  uid: 'run keepalive as that user (keepalive unit --user, or keepalive startup)',
  gid: 'run keepalive as that user (keepalive unit --user, or keepalive startup)',
  vizion: 'a pm2-only service (versioning); remove it',
  post_update: 'a pm2-only service (pm2 pull); remove it',
  pmx: 'a pm2-only service (monitoring); remove it',
  automation: 'a pm2-only service (monitoring); remove it',
  deep_monitoring: 'a pm2-only service (monitoring); remove it',
  trace: 'a pm2-only service (monitoring); remove it',
  disable_trace: 'a pm2-only service (monitoring); remove it',
  source_map_support: 'pass --enable-source-maps in node_args instead',
  append_env_to_name: 'give each stage its own name instead',
  filter_env: 'use keepalive\'s hideEnv in a keepalive config, or unset the variables before starting',
  autostart: 'leave the app out of the file, or pick the others with --only',
  disable_logs: 'set out_file and error_file to /dev/null',
};

type Draft = Record<string, unknown>;

/** A pm2 time: milliseconds, or a number with a unit (`500ms`, `2s`, `5m`, `1h`). */
function time(value: unknown): number | undefined {
  if (typeof value === 'number' && Number.isFinite(value) && value >= 0) return value;
  const match = typeof value === 'string' ? /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(value.trim()) : null;
  if (!match) return undefined;
  const unit = (match[2] ?? 'ms') as 'ms' | 's' | 'm' | 'h';
  return Number(match[1]) * { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[unit];
}

/** A list of words: an array, or a string split on white space (pm2's `args: '--port 80'`). */
function words(value: unknown): string[] | undefined {
  if (typeof value === 'string') return splitCommand(value);
  if (Array.isArray(value) && value.every((item) => ['string', 'number', 'boolean'].includes(typeof item))) return value.map(String);
  return undefined;
}

/** A word for `command`, which is split on unescaped white space. */
function escapeWord(word: string): string {
  return word.replace(/[\s\\]/g, '\\$&');
}

/** Maps one app. Throws ConfigError naming the file, the app and the key. */
export function mapPm2App(app: Pm2App, context: Pm2Context): MappedApp {
  const label = typeof app.name === 'string' && app.name !== '' ? JSON.stringify(app.name) : `#${context.index + 1}`;
  const fail = (key: string, why: string): ConfigError => new ConfigError(`pm2 file ${context.file}: app ${label}: ${key}: ${why}`);
  const expect = (key: string, what: string): ConfigError => fail(key, `expected ${what}, got ${showValue(app[key])}`);
  const options: Draft = {};
  const keys: Record<string, string> = {};
  // A key maps onto an option of the table: one that does not exist does not compile.
  const set = (key: string, option: OptionName, value: unknown): void => {
    options[option] = value;
    keys[option] = key;
  };
  const timeOf = (key: string): number => time(app[key]) ?? (() => { throw expect(key, 'a time in ms, or with a unit: 500ms, 2s, 5m, 1h'); })();
  const flagOf = (key: string): boolean => {
    if (typeof app[key] !== 'boolean') throw expect(key, 'true or false');
    return app[key];
  };
  const textOf = (key: string): string => {
    if (typeof app[key] !== 'string' || app[key] === '') throw expect(key, 'a non-empty string');
    return app[key];
  };
  const wordsOf = (key: string): string[] => words(app[key]) ?? (() => { throw expect(key, 'a string or an array of strings'); })();
  const cwd = app.cwd === undefined ? context.folder : path.resolve(context.folder, textOf('cwd'));

  const handlers: Record<string, (key: string) => void> = {
    name: (key) => textOf(key),
    script: (key) => textOf(key),
    cwd: () => set('cwd', 'cwd', cwd),
    args: (key) => set(key, 'args', wordsOf(key)),
    interpreter: (key) => textOf(key),
    node_args: (key) => wordsOf(key),
    interpreter_args: (key) => wordsOf(key),
    env: (key) => {
      if (typeof app[key] !== 'object' || app[key] === null || Array.isArray(app[key])) throw expect(key, 'an object of variables');
    },
    out_file: (key) => set(key, 'outFile', path.resolve(context.folder, textOf(key))),
    error_file: (key) => set(key, 'errFile', path.resolve(context.folder, textOf(key))),
    err_file: (key) => set(key, 'errFile', path.resolve(context.folder, textOf(key))),
    log_file: (key) => set(key, 'logFile', path.resolve(context.folder, textOf(key))),
    // pm2 merges the logs of a cluster's instances; keepalive runs one process per app, whose logs are whole anyway.
    merge_logs: (key) => flagOf(key),
    combine_logs: (key) => flagOf(key),
    time: (key) => set(key, 'timestamp', flagOf(key)),
    // keepalive's timestamps are always ISO-8601; a format asks for timestamps.
    log_date_format: (key) => set(key, 'timestamp', textOf(key) !== ''),
    max_restarts: (key) => {
      const n = app[key];
      if (typeof n !== 'number' || !Number.isInteger(n) || n < 0) throw expect(key, 'a whole number >= 0');
      set(key, 'max', n + 1);
    },
    min_uptime: (key) => set(key, 'minUptime', timeOf(key)),
    restart_delay: (key) => set(key, 'spinSleepTime', timeOf(key)),
    exp_backoff_restart_delay: (key) => set(key, 'spinSleepTime', timeOf(key)),
    autorestart: (key) => flagOf(key),
    stop_exit_codes: (key) => set(key, 'stopExitCodes', typeof app[key] === 'number' ? [app[key]] : app[key]),
    kill_timeout: (key) => set(key, 'killTTL', timeOf(key)),
    treekill: (key) => set(key, 'killTree', flagOf(key)),
    watch: (key) => {
      const value = app[key];
      if (typeof value === 'boolean') return set(key, 'watch', value);
      const dirs = words(value) ?? (() => { throw expect(key, 'true, false, or folders to watch'); })();
      set(key, 'watch', true);
      set(key, 'watchDirectory', dirs.map((dir) => path.resolve(cwd, dir)));
    },
    ignore_watch: (key) => set(key, 'watchIgnorePatterns', typeof app[key] === 'string' ? [app[key]] : wordsOf(key)),
    watch_delay: (key) => set(key, 'watchDelay', timeOf(key)),
    // pm2 reads a bare number as bytes (keepalive wants the unit said); '512M' passes through.
    max_memory_restart: (key) => {
      const value = typeof app[key] === 'number' ? String(app[key]) : textOf(key);
      set(key, 'maxMemory', /^\d+$/.test(value.trim()) ? `${value.trim()}B` : value);
    },
    wait_ready: (key) => {
      if (flagOf(key)) set(key, 'ready', 'message');
    },
    listen_timeout: (key) => set(key, 'readyTimeout', timeOf(key)),
    shutdown_with_message: (key) => {
      if (flagOf(key)) set(key, 'shutdownMessage', 'shutdown');
    },
    cron_restart: (key) => set(key, 'cronRestart', textOf(key)),
    pid_file: (key) => set(key, 'pidFile', path.resolve(context.folder, textOf(key))),
    instances: (key) => {
      if (app[key] !== 1) throw fail(key, `${showValue(app[key])}: ${REFUSED[key] as string}`);
    },
    exec_mode: (key) => {
      if (!['fork', 'fork_mode'].includes(app[key] as string)) throw fail(key, `${showValue(app[key])}: ${REFUSED[key] as string}`);
    },
  };

  for (const key of Object.keys(app)) {
    const handle = handlers[key];
    if (handle) handle(key);
    else if (key.startsWith('env_')) handlers.env?.(key);
    else if (key in REFUSED) throw fail(key, `not supported: ${REFUSED[key] as string}`);
    else throw fail(key, 'unknown pm2 key (see the README for the keys keepalive reads)');
  }
  if (app.script === undefined) throw fail('script', 'missing');

  // exp_backoff: pm2 multiplies the wait up to 15 s and forgets it after 30 s of good running.
  if (app.exp_backoff_restart_delay !== undefined) {
    set('exp_backoff_restart_delay', 'maxSpinSleepTime', Math.max(15_000, options.spinSleepTime as number));
    if (app.min_uptime === undefined) set('exp_backoff_restart_delay', 'minUptime', 30_000);
  }
  if (app.autorestart === false) set('autorestart', 'max', 1);
  const stageEnv = context.stage === undefined ? undefined : app[`env_${context.stage}`];
  if (app.env !== undefined || stageEnv !== undefined) set('env', 'env', { ...(app.env as object), ...(stageEnv as object) });
  for (const [option, value] of Object.entries(PM2_DEFAULTS)) if (options[option] === undefined) options[option] = value;
  options.cwd = cwd;
  return { name: app.name as string | undefined, ...command(app, cwd, options, fail), options, keys };
}

/** The interpreters pm2 picks by extension; a script with another one runs as a program. */
const BY_EXTENSION: Readonly<Record<string, string | undefined>> = { '.js': 'node', '.cjs': 'node', '.mjs': 'node', '.sh': 'bash', '.py': 'python3' };

/** The script and `command`: node (with node_args) for JavaScript, another interpreter, or the program itself. */
function command(app: Pm2App, cwd: string, options: Draft, fail: (key: string, why: string) => ConfigError): Pick<MappedApp, 'script'> {
  const given = app.script as string;
  const interpreter = (app.interpreter as string | undefined) ?? BY_EXTENSION[path.extname(given).toLowerCase()] ?? 'none';
  // A program named by a bare word that is no file here (`npm`) is found on the PATH.
  const isPath = interpreter !== 'none' || given.includes('/') || existsSync(path.resolve(cwd, given));
  const script = isPath ? path.resolve(cwd, given) : given;
  const flags = [...(words(app.node_args) ?? []), ...(words(app.interpreter_args) ?? [])];
  if (interpreter === 'none') {
    if (flags.length > 0) throw fail(app.node_args === undefined ? 'interpreter_args' : 'node_args', 'needs an interpreter; the script runs as a program');
    return { script: [script] };
  }
  const program = interpreter === 'node' || interpreter === 'nodejs' ? process.execPath : interpreter;
  if (program !== process.execPath || flags.length > 0) options.command = [program, ...flags].map(escapeWord).join(' ');
  return { script };
}
