import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { KeepaliveError } from '../vocabulary/errors.js';
import { OPTION_NAMES, OPTIONS, type OptionName, type ResolvedOptions } from './table.js';
import { argument, argumentList, invalid, showValue, splitCommand, text } from './values.js';
import { warnOnce } from './warn-once.js';

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

/** The arguments after the script: `args`, or forever's old name for them, `options` (never both). */
function extraArgs(given: Readonly<Record<string, unknown>>, checked: Checked): readonly string[] {
  if (checked.options === undefined) return checked.args;
  if (given.args !== undefined) {
    throw new KeepaliveError('INVALID_OPTION', 'options and args given together: options is the old name of args; give args alone');
  }
  warnOnce('KEEPALIVE_DEP_OPTIONS', 'option "options" is deprecated: it is the old name of "args"', 'DeprecationWarning');
  return checked.options;
}

type CommandLine = Pick<ResolvedOptions, 'command' | 'args' | 'file' | 'commandAsGiven' | 'scriptArgs'>;

/** The program and its arguments, and the script file when `script` is a path. */
function commandLine(script: unknown, options: Checked, extra: readonly string[]): CommandLine {
  const { sourceDir, parser } = options;
  let file: string | undefined;
  let commandAsGiven: string;
  let scriptArgs: readonly string[];
  if (typeof script === 'string' && script !== '' && !script.includes('\0')) {
    file = sourceDir === undefined ? script : path.join(sourceDir, script);
    commandAsGiven = options.command ?? process.execPath;
    scriptArgs = [file, ...extra];
  } else if (Array.isArray(script) && script.length > 0) {
    const [first, ...rest] = script as unknown[];
    commandAsGiven = text('script[0]', first);
    scriptArgs = [...rest.map((word, index) => argument(`script[${index + 1}]`, word)), ...extra];
  } else {
    throw new KeepaliveError('INVALID_OPTION', `script: expected a path or an array [command, ...args], got ${showValue(script)}`);
  }
  // An array's first word is the program as it is; a command string may carry flags.
  const program = file === undefined ? [commandAsGiven] : splitCommand(commandAsGiven);
  if (program.length === 0) throw invalid('command', options.command, 'a command name');
  const [command, ...args] = (parser ? parsed(parser, commandAsGiven, scriptArgs) : [...program, ...scriptArgs]) as [string, ...string[]];
  return { command, args, file, commandAsGiven, scriptArgs };
}

/** What forever-monitor's `parser` makes of the command: its own split, checked like any argument. */
function parsed(parser: NonNullable<Checked['parser']>, command: string, args: readonly string[]): string[] {
  let result: unknown;
  try {
    result = parser(command, [...args]);
  } catch (error) {
    throw new KeepaliveError('INVALID_OPTION', `option parser threw: ${(error as Error)?.message ?? showValue(error)}`, { cause: error });
  }
  if (typeof result !== 'object' || result === null) throw invalid('parser', result, 'it to return { command, args }');
  const { command: program, args: words } = result as { command?: unknown; args?: unknown };
  return [text('parser().command', program), ...argumentList('parser().args', words ?? [])];
}

/**
 * The rules between options: a backoff cap needs a wait to double, and is at least that wait; a
 * time zone needs a schedule; rotation needs keepalive to write the files itself.
 */
function checkTogether(checked: Checked): void {
  const { spinSleepTime, maxSpinSleepTime, cronRestart, cronTimezone, maxLogSize, unmovableLogs, maxLogAge, compressLogs, logFormat, timestamp } = checked;
  if (cronTimezone !== undefined && cronRestart === undefined) throw invalid('cronTimezone', cronTimezone, 'to be used with cronRestart');
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

/** A uid as forever-monitor makes them: four characters of base64url, never starting with "-". */
function foreverUid(): string {
  return randomBytes(3).toString('base64url').replace(/^-/, '_');
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
  const line = commandLine(script, checked, extraArgs(given as Record<string, unknown>, checked));
  checkTogether(checked);
  const cwd = path.resolve(checked.cwd ?? process.cwd());
  const { file } = line;
  return {
    ...checked,
    ...line,
    cwd,
    uid: checked.uid ?? foreverUid(),
    watchDirectory: checked.watchDirectory ?? [file === undefined ? cwd : path.dirname(path.resolve(cwd, file))],
    pollingInterval: checked.pollingInterval === 0 ? 1 : checked.pollingInterval,
  };
}
