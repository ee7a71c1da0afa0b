import minimist from 'minimist';
import type { MonitorOptions } from '../index.js';
import { probeText } from '../options/probes.js';
import { SCRIPT_SUFFIX } from '../daemon/state.js';
import { convert } from './flag-values.js';
import { checkName, parseList, parseLogs, parseName } from './name-args.js';
import { UsageError } from './usage-error.js';
import { FLAGS, type Flag } from './flags.js';
import { isPm2File } from './pm2-file.js';

export { UsageError };

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
      /** The target is a pm2 file (`ecosystem.config.js`, or a JSON file with `apps`). */
      readonly pm2File: boolean;
      /** `--only a,b`: the apps of a pm2 file to start. */
      readonly only: readonly string[] | undefined;
      /** `--env <stage>`: the pm2 file's `env_<stage>` goes over its `env`. */
      readonly stage: string | undefined;
    }
  | {
      /** `stop`, `restart` or `delete` of a pm2 file's apps (`--only` picks some). */
      readonly kind: 'file';
      readonly action: 'stop' | 'restart' | 'delete';
      readonly start: StartCommand;
    }
  | { readonly kind: 'unit'; readonly start: StartCommand }
  | { readonly kind: 'list'; readonly json: boolean }
  /** `save`, `resurrect`, `startup [--user]`. */
  | { readonly kind: 'boot'; readonly action: 'save' | 'resurrect' | 'startup'; readonly userUnit: boolean }
  | { readonly kind: 'metrics' }
  | { readonly kind: 'stop'; readonly name: string }
  | { readonly kind: 'restart'; readonly name: string }
  | { readonly kind: 'reload'; readonly name: string }
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

/**
 * Parses everything after `start`: options, then the script and its arguments. A pm2 file takes
 * no script arguments, so options may follow its name (`start ecosystem.config.js --env production`):
 * they are parsed again with the file at the end (`pm2Target`).
 */
function parseStart(argv: readonly string[], pm2Target?: string): StartCommand | Extract<Command, { kind: 'help' | 'version' }> {
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
  if (pm2Target !== undefined && (target !== pm2Target || scriptArgs.length > 0)) {
    throw new UsageError(`a pm2 file takes no script arguments, got ${JSON.stringify(target)} after ${pm2Target}`);
  }
  const pm2File = target !== undefined && target !== '' && isPm2File(target);
  if (pm2File && pm2Target === undefined && scriptArgs.length > 0) {
    if (positional.length === 0 || scriptArgs.includes('--')) {
      throw new UsageError(`a pm2 file takes no script arguments, got ${JSON.stringify(scriptArgs.join(' '))} after ${target}`);
    }
    return parseStart([...optionPart.slice(0, optionPart.length - positional.length), ...scriptArgs, '--', target], target);
  }

  const options: Record<string, unknown> = {};
  const cli = { quiet: false, daemon: false, help: false, version: false };
  let name: string | undefined;
  let user: string | undefined;
  let only: string[] | undefined;
  let stage: string | undefined;
  for (const flag of FLAGS) {
    if (flag.kind === 'bool') {
      const raw: unknown = parsed[flag.name];
      if (raw === null || raw === undefined) continue;
      const on = (Array.isArray(raw) ? raw.at(-1) : raw) === true;
      if (flag.name in cli) cli[flag.name as keyof typeof cli] = on;
      else if (flag.option) options[flag.option] = on;
      continue;
    }
    const values = given(parsed, flag);
    if (values.length === 0) continue;
    const converted = values.map((value) => convert(flag, value));
    if (flag.name === 'name') name = checkName('--name', converted.at(-1) as string);
    if (flag.name === 'user') user = converted.at(-1) as string;
    if (flag.name === 'only') only = (converted as string[]).flatMap((list) => list.split(',')).map((each) => checkName('--only', each));
    if (!flag.option) continue;
    if (flag.kind === 'env') {
      const variables = converted.filter((item): item is [string, string] => Array.isArray(item));
      stage = (converted.filter((item) => typeof item === 'string') as string[]).at(-1);
      if (variables.length > 0) options.env = Object.fromEntries(variables);
    } else if (flag.kind === 'codes') options[flag.option] = (converted as number[][]).flat();
    else options[flag.option] = flag.repeatable ? converted : converted.at(-1);
  }
  if (cli.help) return { kind: 'help', topic: 'start' };
  if (cli.version) return { kind: 'version' };
  const [first] = unknown;
  if (first !== undefined) throw new UsageError(`unknown option ${first}${suggest(first)}`);

  if (target === undefined || target === '') throw new UsageError('start: missing the script to run');
  if (!pm2File) {
    if (only !== undefined) throw new UsageError('--only: only for pm2 files (ecosystem.config.js, or a JSON file with "apps")');
    if (stage !== undefined) throw new UsageError(`--env: expected KEY=VALUE, got ${JSON.stringify(stage)} (a stage name is only for pm2 files)`);
  } else if (name !== undefined) {
    throw new UsageError('--name: a pm2 file names its apps; pick them with --only');
  }
  return {
    kind: 'start', target, scriptArgs: scriptArgs.length > 0 ? scriptArgs : undefined, options: options as MonitorOptions,
    quiet: cli.quiet, daemon: cli.daemon, name, user, pm2File, only, stage,
  };
}

/** `stop <name|all>`, `restart <name>`, `delete <name|all>`, or any of them with a pm2 file (and `--only`). */
function parseAppCommand(action: 'stop' | 'restart' | 'delete', argv: readonly string[]): Command {
  const file = argv.find((word) => !word.startsWith('-') && isPm2File(word));
  if (file === undefined) return { kind: action, name: parseName(action, argv, action !== 'restart') } as Command;
  const start = parseStart(argv);
  if (start.kind !== 'start') return start;
  const extra = Object.keys(start.options).length > 0 || start.stage !== undefined || start.daemon || start.quiet;
  if (action !== 'restart' && extra) throw new UsageError(`${action} <pm2 file>: only --only applies`);
  return { kind: 'file', action, start };
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
    case 'metrics':
      if (rest.length > 0) throw new UsageError(`metrics: unexpected ${JSON.stringify(rest[0])}; it takes nothing`);
      return { kind: 'metrics' };
    case 'stop':
    case 'restart':
    case 'delete':
      return parseAppCommand(command, rest);
    case 'reload':
      return { kind: 'reload', name: parseName('reload', rest, false) };
    case 'logs':
      return parseLogs(rest);
    case 'save':
    case 'resurrect':
    case 'startup': {
      const [first] = rest.filter((word) => command !== 'startup' || word !== '--user');
      if (first !== undefined) throw new UsageError(`${command}: unexpected ${JSON.stringify(first)}${command === 'startup' ? '; only --user' : ''}`);
      return { kind: 'boot', action: command, userUnit: rest.includes('--user') };
    }
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
