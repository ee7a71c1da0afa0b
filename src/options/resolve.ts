import path from 'node:path';
import { KeepaliveError } from '../vocabulary/errors.js';
import { OPTION_NAMES, OPTIONS, type OptionName, type ResolvedOptions } from './table.js';
import { invalid, showValue, splitCommand, textList } from './values.js';

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

/** A default of the table, copied so that no two monitors share an array or object. */
function copy(value: unknown): unknown {
  if (Array.isArray(value)) return [...(value as unknown[])];
  return typeof value === 'object' && value !== null ? { ...value } : value;
}

/** The options whose defaults resolveOptions works out. */
type ComputedName = { [K in OptionName]: (typeof OPTIONS)[K] extends { computed: string } ? K : never }[OptionName];

/** The options checked, before the computed defaults are filled in. */
type Checked = { readonly [K in OptionName]: K extends ComputedName ? ResolvedOptions[K] | undefined : ResolvedOptions[K] };

/** Each option checked by its own rule, or its default; undefined when it has neither. */
function checkEach(given: Readonly<Record<string, unknown>>): Checked {
  const values: Partial<Record<OptionName, unknown>> = {};
  for (const name of OPTION_NAMES) {
    const spec: { check(name: string, value: unknown): unknown; default?: unknown } = OPTIONS[name];
    const value = given[name];
    values[name] = value === undefined ? copy(spec.default) : spec.check(name, value);
  }
  return values as Checked;
}

/** The program and its arguments, and the script file when `script` is a path. */
function commandLine(script: unknown, options: Checked): Pick<ResolvedOptions, 'command' | 'args' | 'file'> {
  const { sourceDir, args: extraArgs } = options;
  const commandWords = options.command === undefined ? [process.execPath] : splitCommand(options.command);
  if (commandWords.length === 0) throw invalid('command', options.command, 'a command name');
  if (typeof script === 'string' && script !== '' && !script.includes('\0')) {
    const file = sourceDir === undefined ? script : path.join(sourceDir, script);
    const [command, ...args] = [...commandWords, file, ...extraArgs] as [string, ...string[]];
    return { command, args, file };
  }
  if (Array.isArray(script) && script.length > 0) {
    const words = textList('script', script);
    if (words[0] === '') throw invalid('script[0]', '', 'a command name');
    const [command, ...args] = [...words, ...extraArgs] as [string, ...string[]];
    return { command, args, file: undefined };
  }
  throw new KeepaliveError('INVALID_OPTION', `script: expected a path or an array [command, ...args], got ${showValue(script)}`);
}

/**
 * The rules between options: a backoff cap needs a wait to double, and is at least that wait;
 * rotation needs keepalive to write the files itself.
 */
function checkTogether({ spinSleepTime, maxSpinSleepTime, maxLogSize, unmovableLogs, maxLogAge, compressLogs, logFormat, timestamp }: Checked): void {
  if (logFormat === 'json' && unmovableLogs) throw invalid('unmovableLogs', true, "false with logFormat 'json' (keepalive writes the objects)");
  if (logFormat === 'json' && timestamp) throw invalid('timestamp', true, "false with logFormat 'json' (each object has its time)");
  if (maxLogSize !== undefined && unmovableLogs) {
    throw invalid('unmovableLogs', true, 'false with maxLogSize (a file the child holds itself cannot be rotated without losing lines)');
  }
  if (maxLogSize === undefined && maxLogAge !== undefined) throw invalid('maxLogAge', maxLogAge, 'to be used with maxLogSize (archives exist only with rotation)');
  if (maxLogSize === undefined && compressLogs) throw invalid('compressLogs', true, 'to be used with maxLogSize (archives exist only with rotation)');
  if (maxSpinSleepTime === undefined) return;
  if (!(spinSleepTime !== undefined && spinSleepTime > 0)) {
    throw invalid('maxSpinSleepTime', maxSpinSleepTime, 'to be used with a spinSleepTime > 0 (the wait that doubles)');
  }
  if (maxSpinSleepTime < spinSleepTime) throw invalid('maxSpinSleepTime', maxSpinSleepTime, `a cap >= spinSleepTime (${spinSleepTime})`);
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
  const checked = checkEach(given as Record<string, unknown>);
  const { command, args, file } = commandLine(script, checked);
  checkTogether(checked);
  const cwd = path.resolve(checked.cwd ?? process.cwd());
  return {
    ...checked,
    command,
    args,
    file,
    cwd,
    uid: checked.uid ?? Math.random().toString(36).slice(2, 6).padEnd(4, '0'),
    watchDirectory: checked.watchDirectory ?? [file === undefined ? cwd : path.dirname(path.resolve(cwd, file))],
    pollingInterval: checked.pollingInterval === 0 ? 1 : checked.pollingInterval,
  };
}
