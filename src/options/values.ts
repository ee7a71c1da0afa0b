import { constants } from 'node:os';
import path from 'node:path';
import type { StdioOptions } from 'node:child_process';
import { KeepaliveError } from '../vocabulary/errors.js';
import type { ArgValue, CommandParser, SpawnWithOptions } from './types.js';
import { warnOnce } from './warn-once.js';

// The checks of single option values. Each takes the option's name (for the message) and a value
// that was given (never undefined), and returns it as the Monitor keeps it, or throws.

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

export function invalid(name: string, value: unknown, expected: string): KeepaliveError {
  return new KeepaliveError('INVALID_OPTION', `option ${name}: expected ${expected}, got ${showValue(value)}`);
}

export function milliseconds(name: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
    throw invalid(name, value, 'a number of milliseconds >= 0');
  }
  return value;
}

/** A time that must not be 0. */
export function positiveMilliseconds(name: string, value: unknown): number {
  if (milliseconds(name, value) === 0) throw invalid(name, 0, 'a number of milliseconds > 0');
  return value as number;
}

/** A count of runs: a whole number >= 1, or Infinity. */
export function count(name: string, value: unknown): number {
  if (typeof value !== 'number' || !(value === Infinity || (Number.isInteger(value) && value >= 1))) {
    throw invalid(name, value, 'a whole number >= 1');
  }
  return value;
}

/** An age such as '7d', '12h', '30m', '90s', '500ms' or '2w', kept as written. */
export function logAge(name: string, value: unknown): string {
  if (typeof value !== 'string' || !/^\s*\d+(?:\.\d+)?\s*(ms|s|m|h|d|w)\s*$/.test(value) || !/[1-9]/.test(value)) {
    throw invalid(name, value, 'an age above 0 with a unit: "7d", "12h", "30m", "90s", "500ms" or "2w"');
  }
  return value;
}

/** How log files are written: `'text'` as the child wrote it, or `'json'` lines. */
export function logFormat(name: string, value: unknown): 'text' | 'json' {
  if (value !== 'text' && value !== 'json') throw invalid(name, value, '"text" or "json"');
  return value;
}

export function flag(name: string, value: unknown): boolean {
  if (typeof value !== 'boolean') throw invalid(name, value, 'true or false');
  return value;
}

export function text(name: string, value: unknown): string {
  if (typeof value !== 'string' || value === '') throw invalid(name, value, 'a non-empty string');
  if (value.includes('\0')) throw invalid(name, value, 'a string without NUL characters');
  return value;
}

export function textList(name: string, value: unknown): readonly string[] {
  if (!Array.isArray(value)) throw invalid(name, value, 'an array of strings');
  return value.map((item, index) => {
    if (typeof item !== 'string' || item.includes('\0')) {
      throw invalid(`${name}[${index}]`, item, 'a string without NUL characters');
    }
    return item;
  });
}

/**
 * Command-line arguments: strings, and numbers and booleans made strings (as Node and
 * forever-monitor do with `['-p', 8090]`). Anything else cannot be an argument.
 */
export function argumentList(name: string, value: unknown): readonly string[] {
  if (!Array.isArray(value)) throw invalid(name, value, 'an array of arguments');
  return (value as unknown[]).map((item, index) => argument(`${name}[${index}]`, item));
}

/** One argument, as the string the child gets. */
export function argument(name: string, value: unknown): string {
  if (!['string', 'number', 'boolean'].includes(typeof value) || String(value).includes('\0')) {
    throw invalid(name, value, 'a string, number or boolean without NUL characters');
  }
  return String(value as ArgValue);
}

export function commandParser(name: string, value: unknown): CommandParser {
  if (typeof value !== 'function') throw invalid(name, value, 'a function (command, args) => ({ command, args })');
  return value as CommandParser;
}

/** One path or an array of paths, as an array. */
export function textOrList(name: string, value: unknown): readonly string[] {
  return typeof value === 'string' ? [text(name, value)] : textList(name, value);
}

/** Exit statuses: whole numbers from 0 to 255. */
export function exitCodes(name: string, value: unknown): readonly number[] {
  if (!Array.isArray(value)) throw invalid(name, value, 'an array of exit codes');
  return value.map((code: unknown, index) => {
    if (!Number.isInteger(code) || (code as number) < 0 || (code as number) > 255) {
      throw invalid(`${name}[${index}]`, code, 'a whole number from 0 to 255');
    }
    return code as number;
  });
}

/** Environment variables: names without "=" or NUL; values become strings, `undefined` stays (a removal). */
export function environment(name: string, value: unknown): Readonly<Record<string, string | undefined>> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw invalid(name, value, 'an object of names to strings');
  }
  const env: Record<string, string | undefined> = {};
  for (const [key, item] of Object.entries(value)) {
    if (key === '' || key.includes('=') || key.includes('\0')) throw invalid(name, key, 'variable names without "=" or NUL');
    if (item === undefined) env[key] = undefined;
    else if (['string', 'number', 'boolean'].includes(typeof item) && !String(item).includes('\0')) env[key] = String(item);
    else throw invalid(`${name}.${key}`, item, 'a string, number or boolean without NUL characters');
  }
  return env;
}

const SPAWN_WITH_NAMES = ['uid', 'gid', 'argv0', 'windowsHide', 'windowsVerbatimArguments', 'serialization'];

/** The spawn settings Node takes, as keepalive passes them on. */
type NodeSpawnWith = Omit<SpawnWithOptions, 'customFds' | 'setsid' | 'shell'>;

/**
 * The keys forever-monitor's README shows in `spawnWith` that Node does not take (`customFds`,
 * `setsid`) or that keepalive will not (`shell`). Returns the settings without them.
 */
function foreverSpawnKeys(name: string, value: Record<string, unknown>): Record<string, unknown> {
  const { customFds, setsid, shell, ...rest } = value;
  if (customFds !== undefined) {
    warnOnce('KEEPALIVE_SPAWNWITH_CUSTOMFDS', `option ${name}.customFds is ignored: Node no longer takes it; use stdio`);
  }
  if (setsid !== undefined && setsid !== true) {
    warnOnce(
      'KEEPALIVE_SPAWNWITH_SETSID',
      `option ${name}.setsid is ignored: the child always gets a session and process group of its own, so that a stop reaches all of it`,
    );
  }
  if (shell !== undefined && shell !== false) {
    throw new KeepaliveError(
      'INVALID_OPTION',
      `option ${name}.shell: ${showValue(shell)} is refused: keepalive never runs a shell (arguments reach the child literally); ` +
        "to use one, make it the command: ['sh', '-c', '...']",
    );
  }
  return rest;
}

/** The spawn settings that have no option of their own. */
export function spawnSettings(name: string, given: unknown): NodeSpawnWith {
  if (typeof given !== 'object' || given === null || Array.isArray(given)) {
    throw invalid(name, given, 'an object of spawn settings');
  }
  const value = foreverSpawnKeys(name, given as Record<string, unknown>);
  for (const key of Object.keys(value)) {
    if (!SPAWN_WITH_NAMES.includes(key)) {
      throw new KeepaliveError(
        'INVALID_OPTION',
        `option ${name}: ${JSON.stringify(key)} is not allowed here (allowed: ${SPAWN_WITH_NAMES.join(', ')}); ` +
          'cwd, env, stdio and detached have options of their own, and no shell is ever used',
      );
    }
  }
  const { uid, gid } = value as { uid?: unknown; gid?: unknown };
  for (const [id, item] of [['uid', uid], ['gid', gid]] as const) {
    if (item !== undefined && (!Number.isInteger(item) || (item as number) < 0)) throw invalid(`${name}.${id}`, item, 'a whole number >= 0');
  }
  return value as NodeSpawnWith;
}

export function stdioSetting(name: string, value: unknown): StdioOptions {
  if (typeof value === 'string' || Array.isArray(value)) return (Array.isArray(value) ? [...value] : value) as StdioOptions;
  throw invalid(name, value, 'a stdio setting such as "inherit" or an array');
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

/** True when `command` runs node, so that a missing script can be reported before any spawn. */
export function isNodeCommand(command: string): boolean {
  return command === process.execPath || /^node(\.exe)?$/i.test(path.basename(command));
}

/** An http:// or https:// URL (`notifyUrl`, probes). */
export function httpUrl(name: string, value: unknown): string {
  let url: URL | undefined;
  try {
    url = typeof value === 'string' ? new URL(value) : undefined;
  } catch {
    url = undefined;
  }
  if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:')) throw invalid(name, value, 'an http:// or https:// URL');
  return value as string;
}
