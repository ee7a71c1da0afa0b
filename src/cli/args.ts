import minimist from 'minimist';
import type { MonitorOptions } from '../index.js';
import { probeText } from '../options/probes.js';
import { isValidName, SCRIPT_SUFFIX } from '../daemon/state.js';
import { convert, UsageError } from './flag-values.js';
import { FLAGS, type Flag } from './flags.js';

export { flagLabel, UsageError } from './flag-values.js';

export type Command =
  | { readonly kind: 'help'; readonly topic: 'general' | 'start' }
  | { readonly kind: 'version' }
  | {
      readonly kind: 'start';
      /** The script, or a `.json` config file. */
      readonly target: string;
      /** Everything after the target, for the script; undefined when there was nothing. */
      readonly scriptArgs: readonly string[] | undefined;
      readonly options: MonitorOptions;
      readonly quiet: boolean;
      /** `-d`: run detached, under a name. */
      readonly daemon: boolean;
      /** `--name`: the name of a detached (or recorded foreground) watchdog. */
      readonly name: string | undefined;
      /** `--user`: only for `unit`. */
      readonly user: string | undefined;
    }
  | { readonly kind: 'unit'; readonly start: StartCommand }
  | { readonly kind: 'list'; readonly json: boolean }
  | { readonly kind: 'stop'; readonly name: string }
  | { readonly kind: 'restart'; readonly name: string }
  | { readonly kind: 'delete'; readonly name: string }
  | { readonly kind: 'logs'; readonly name: string; readonly lines: number; readonly follow: boolean };

export type StartCommand = Extract<Command, { kind: 'start' }>;

/** The values minimist collected for a flag, as a list of strings; empty when it was not given. */
function given(parsed: minimist.ParsedArgs, flag: Flag): string[] {
  const raw: unknown = parsed[flag.name];
  if (raw === undefined || raw === null) return [];
  return (Array.isArray(raw) ? raw : [raw]).map((item) => {
    // minimist reads --no-max as max=false.
    if (item === false) throw new UsageError(`unknown option --no-${flag.name}${suggest(flag.name)}`);
    return typeof item === 'string' ? item : String(item);
  });
}

/** The known flag a misspelt one was probably meant to be. */
function suggest(word: string): string {
  const name = word.replace(/^-+(no-)?/, '').replace(/=.*$/, '').toLowerCase();
  const match = FLAGS.find((flag) => flag.name.toLowerCase() === name || flag.name.toLowerCase() === name.replace(/-/g, ''));
  return match ? ` (did you mean --${match.name}?)` : '';
}

const BOOLS = FLAGS.filter((flag) => flag.kind === 'bool');
const MINIMIST_OPTIONS = {
  string: FLAGS.filter((flag) => flag.kind !== 'bool').flatMap((flag) => [flag.name, ...(flag.short ? [flag.short] : [])]),
  boolean: BOOLS.map((flag) => flag.name),
  alias: Object.fromEntries(FLAGS.filter((flag) => flag.short).map((flag) => [flag.short, flag.name])),
  // null rather than minimist's false, so that "not given" differs from --no-append.
  default: Object.fromEntries(BOOLS.map((flag) => [flag.name, null])),
  stopEarly: true,
} satisfies minimist.Opts;

/**
 * minimist stopping at the script. It throws for flags named like Object.prototype's members
 * (`--constructor`); that is an unknown option like any other.
 */
function minimistSafely(argv: readonly string[], unknown: (word: string) => boolean): minimist.ParsedArgs {
  try {
    return minimist([...argv], { ...MINIMIST_OPTIONS, unknown });
  } catch {
    const word = argv.find((item) => /^-/.test(item) && /^-+(no-)?([^=]*)/.exec(item)?.[2] as string in Object.prototype);
    throw new UsageError(`unknown option ${word ?? argv.join(' ')}`);
  }
}

/** Parses everything after `start`: options, then the script and its arguments. */
function parseStart(argv: readonly string[]): Command {
  // The first "--" ends the options; minimist would take it out even after the script.
  const end = argv.indexOf('--');
  const optionPart = end === -1 ? argv : argv.slice(0, end);
  const unknown: string[] = [];
  const parsed = minimistSafely(optionPart, (word) => {
    if (word.startsWith('-') && word !== '-') unknown.push(word);
    return !word.startsWith('-') || word === '-';
  });
  const positional = parsed._.map(String);
  const rest = end === -1 ? [] : argv.slice(end + (positional.length > 0 ? 0 : 1));
  const [target, ...scriptArgs] = [...positional, ...rest];

  const options: Record<string, unknown> = {};
  let quiet = false;
  let daemon = false;
  let name: string | undefined;
  let user: string | undefined;
  let help = false;
  let version = false;
  for (const flag of FLAGS) {
    if (flag.kind === 'bool') {
      const raw: unknown = parsed[flag.name];
      if (raw === null || raw === undefined) continue;
      const on = (Array.isArray(raw) ? raw.at(-1) : raw) === true;
      if (flag.name === 'quiet') quiet = on;
      else if (flag.name === 'help') help = on;
      else if (flag.name === 'daemon') daemon = on;
      else if (flag.name === 'version') version = on;
      else if (flag.option) options[flag.option] = on;
      continue;
    }
    const values = given(parsed, flag);
    if (values.length === 0) continue;
    const converted = values.map((value) => convert(flag, value));
    if (flag.name === 'name') name = checkName('--name', converted.at(-1) as string);
    if (flag.name === 'user') user = converted.at(-1) as string;
    if (!flag.option) continue;
    if (flag.kind === 'env') options.env = Object.fromEntries(converted as [string, string][]);
    else if (flag.kind === 'codes') options[flag.option] = (converted as number[][]).flat();
    else options[flag.option] = flag.repeatable ? converted : converted.at(-1);
  }
  if (help) return { kind: 'help', topic: 'start' };
  if (version) return { kind: 'version' };
  const [first] = unknown;
  if (first !== undefined) throw new UsageError(`unknown option ${first}${suggest(first)}`);

  if (target === undefined || target === '') throw new UsageError('start: missing the script to run');
  return {
    kind: 'start', target, scriptArgs: scriptArgs.length > 0 ? scriptArgs : undefined, options: options as MonitorOptions, quiet,
    daemon, name, user,
  };
}

function checkName(label: string, value: string): string {
  if (SCRIPT_SUFFIX.test(value)) {
    throw new UsageError(`${label}: ${JSON.stringify(value)} is a script, not a name (did you mean keepalive start ${value}?)`);
  }
  if (!isValidName(value)) {
    throw new UsageError(`${label}: expected a name of letters, digits, ".", "_" and "-" (not starting with "." or "-"), got ${JSON.stringify(value)}`);
  }
  return value;
}

/** `stop <name|all>`, `delete <name|all>`, `restart <name>`: exactly one name. */
function parseName(command: string, argv: readonly string[], all: boolean): string {
  const [name, ...extra] = argv;
  const what = all ? '<name|all>' : '<name>';
  if (name === undefined || name === '') throw new UsageError(`${command}: missing the name: keepalive ${command} ${what}`);
  if (name.startsWith('-')) throw new UsageError(`${command}: unknown option ${name}`);
  if (extra.length > 0) throw new UsageError(`${command}: one name only, got also ${JSON.stringify(extra.join(' '))}`);
  return checkName(command, name);
}

/** `logs <name> [-n N] [-f]`. */
function parseLogs(argv: readonly string[]): Command {
  let name: string | undefined;
  let lines = 20;
  let follow = false;
  for (let at = 0; at < argv.length; at++) {
    const word = argv[at] as string;
    const inline = /^(-n|--lines)=(.*)$/.exec(word);
    if (word === '-n' || word === '--lines' || inline) {
      const value = inline ? inline[2] as string : argv[++at];
      if (value === undefined || !/^\d+$/.test(value) || !Number.isSafeInteger(Number(value))) {
        throw new UsageError(`logs: -n/--lines: expected a whole number >= 0, got ${value === undefined ? 'nothing' : JSON.stringify(value)}`);
      }
      lines = Number(value);
    } else if (word === '-f' || word === '--follow') {
      follow = true;
    } else if (word.startsWith('-')) {
      throw new UsageError(`logs: unknown option ${word}`);
    } else if (name === undefined) {
      name = checkName('logs', word);
    } else {
      throw new UsageError(`logs: one name only, got also ${JSON.stringify(word)}`);
    }
  }
  if (name === undefined) throw new UsageError('logs: missing the name: keepalive logs <name> [-n N] [-f]');
  return { kind: 'logs', name, lines, follow };
}

function parseList(argv: readonly string[]): Command {
  const [first] = argv.filter((word) => word !== '--json');
  if (first !== undefined) throw new UsageError(`list: unexpected ${JSON.stringify(first)}; only --json`);
  return { kind: 'list', json: argv.includes('--json') };
}

/** Parses a whole command line (without node and the script). Throws UsageError. */
export function parseArgs(argv: readonly string[]): Command {
  const [command, ...rest] = argv;
  switch (command) {
    case 'start': {
      const start = parseStart(rest);
      if (start.kind === 'start' && start.user !== undefined) throw new UsageError('--user is an option of "keepalive unit", not of start');
      return start;
    }
    case 'unit': {
      const start = parseStart(rest);
      if (start.kind !== 'start') return start;
      if (start.daemon) throw new UsageError('unit: -d/--daemon does not apply; systemd runs keepalive in the foreground');
      return { kind: 'unit', start };
    }
    case 'list':
    case 'ls':
      return parseList(rest);
    case 'stop':
      return { kind: 'stop', name: parseName('stop', rest, true) };
    case 'restart':
      return { kind: 'restart', name: parseName('restart', rest, false) };
    case 'delete':
      return { kind: 'delete', name: parseName('delete', rest, true) };
    case 'logs':
      return parseLogs(rest);
    case 'help':
      if (rest.length === 0) return { kind: 'help', topic: 'general' };
      if (rest.length === 1 && rest[0] === 'start') return { kind: 'help', topic: 'start' };
      throw new UsageError(`help: no help on ${JSON.stringify(rest.join(' '))}; there is only "help start"`);
    case '-h':
    case '--help':
      return { kind: 'help', topic: 'general' };
    case '--version':
      return { kind: 'version' };
    case undefined:
      throw new UsageError('missing command: keepalive start [options] <script>');
  }
  if (command.startsWith('-')) throw new UsageError(`unknown option ${command}${suggest(command)}; options come after "start"`);
  const hint = SCRIPT_SUFFIX.test(command) ? ` (did you mean keepalive start ${command}?)` : '';
  throw new UsageError(`unknown command ${JSON.stringify(command)}${hint}`);
}

/** The flags that give `options` back (for `keepalive unit`): the parser's inverse. */
export function toFlags(options: MonitorOptions): string[] {
  const words: string[] = [];
  for (const flag of FLAGS) {
    const value: unknown = flag.option ? options[flag.option] : undefined;
    if (value === undefined) continue;
    if (flag.kind === 'bool') words.push(value ? `--${flag.name}` : `--no-${flag.name}`);
    else if (flag.kind === 'env') for (const [key, item] of Object.entries(value as Record<string, string>)) words.push(`--env=${key}=${item}`);
    else if (flag.kind === 'codes') words.push(`--${flag.name}=${(value as number[]).join(',')}`);
    else if (flag.kind === 'ready' || flag.kind === 'health') words.push(`--${flag.name}=${probeText(value as never)}`);
    else for (const item of Array.isArray(value) ? value : [value]) words.push(`--${flag.name}=${String(item)}`);
  }
  return words;
}
