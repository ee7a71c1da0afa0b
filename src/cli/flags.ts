import { OPTION_NAMES, OPTIONS, type FlagGroup, type FlagKind, type FlagSpec, type OptionName } from '../options/options.js';

/** A flag of `keepalive start`: a Monitor option's (from the options table) or the CLI's own. */
export interface Flag extends FlagSpec {
  readonly name: string;
  /** The MonitorOptions key it sets; undefined for the CLI's own flags. */
  readonly option?: OptionName;
  /** Whether the option is on unless `--no-<name>` is given: the help then lists that form. */
  readonly onByDefault?: boolean;
  /** The CLI's default when it is not the library's: the library's, as the docs show it. */
  readonly libraryDefault?: string;
}

/** The CLI's own flags, which set no Monitor option. */
const CLI_FLAGS: readonly Flag[] = [
  { name: 'quiet', short: 'q', kind: 'bool', group: 'output', help: "do not print keepalive's status lines on stderr" },
  {
    name: 'daemon', short: 'd', kind: 'bool', group: 'named',
    help: 'run detached; returns once the script runs, or is ready with `--ready` (exit 0), or failed (1, saying why; it is retried in the background)',
  },
  {
    name: 'name', kind: 'text', value: 'name', group: 'named', default: "the script's base name",
    help: "the app's name for `list`, `stop`, `restart`, `logs`; without `-d`, a named foreground run",
  },
  { name: 'user', kind: 'text', value: 'user', group: 'named', help: '(`unit` only) the `User=` of the systemd service' },
  {
    name: 'only', kind: 'text', value: 'names', repeatable: true, group: 'named',
    help: '(pm2 files) start, stop, restart or delete only these apps: `api,worker`',
  },
  { name: 'help', short: 'h', kind: 'bool', help: 'the help of start' },
  { name: 'version', kind: 'bool', help: "keepalive's version" },
];

/** A default of the options table as the help shows it: a number or a name; other values need words. */
function shown(value: unknown): string | undefined {
  return typeof value === 'number' || typeof value === 'string' ? String(value) : undefined;
}

function optionFlag(option: OptionName): Flag[] {
  const spec: (typeof OPTIONS)[OptionName] = OPTIONS[option];
  if (!('flag' in spec)) return [];
  const { flag } = spec;
  const library = 'default' in spec ? spec.default : undefined;
  const cli = 'cliDefault' in spec ? spec.cliDefault : undefined;
  return [{
    ...flag,
    name: 'name' in flag ? flag.name : option,
    option,
    default: 'default' in flag ? flag.default : shown(cli ?? library) ?? ('computed' in spec ? spec.computed : undefined),
    ...(library === true ? { onByDefault: true } : {}),
    ...(cli === undefined ? {} : { libraryDefault: shown(library) ?? 'unset' }),
  }];
}

/** Every flag of `keepalive start`, with forever's names: the options table's, then the CLI's own. */
export const FLAGS: readonly Flag[] = [...OPTION_NAMES.flatMap(optionFlag), ...CLI_FLAGS];

/** The parts of `keepalive help start`, in order, with their titles. */
export const GROUP_TITLES: Readonly<Record<FlagGroup, string>> = {
  restarts: 'Restarts',
  output: "Output (a stream without a file goes to keepalive's own stdout or stderr)",
  process: 'Process',
  named: 'Named apps',
  stopping: 'Stopping',
  health: 'Readiness and health',
  watching: 'Watching',
  resources: 'Memory and metrics',
  hooks: 'Hooks (a command run beside keepalive, never delaying a restart)',
};

/** One line of the help (and one row of the README's flags table): one form of a flag. */
export interface FlagLine {
  /** `['-m', '--max <n>']`. */
  readonly forms: readonly string[];
  readonly flag: Flag;
  /** The `--no-` form. */
  readonly negated: boolean;
  /** What it does, with code in backticks (without "repeatable", which the flag says). */
  readonly help: string;
  /** The default, if it is worth a word. */
  readonly default: string | undefined;
}

const VALUE_OF_KIND: Record<FlagKind, string | undefined> = {
  count: 'n', ms: 'time', text: 'value', signal: 'signal', codes: 'codes', env: 'KEY=VALUE', name: 'NAME', bool: undefined,
  ready: 'how', health: 'probe',
};

/** The lines of one flag: a switch on by default is listed as `--no-<name>`; a value flag with its value. */
function linesOf(flag: Flag): FlagLine[] {
  if (flag.kind !== 'bool') {
    const forms = [...(flag.short ? [`-${flag.short}`] : []), `--${flag.name} <${flag.value ?? VALUE_OF_KIND[flag.kind]}>`];
    return [{ forms, flag, negated: false, help: flag.help, default: flag.default }];
  }
  if (flag.onByDefault) return [{ forms: [`--no-${flag.name}`], flag, negated: true, help: flag.help, default: flag.default }];
  const on: FlagLine = {
    forms: [...(flag.short ? [`-${flag.short}`] : []), `--${flag.name}`], flag, negated: false, help: flag.help, default: flag.default,
  };
  if (!flag.negated) return [on];
  return [on, { forms: [`--no-${flag.name}`], flag, negated: true, help: flag.negated.help, default: flag.negated.default }];
}

/** Every line of the help, part by part, in the order of GROUP_TITLES. */
export function flagLines(): { readonly group: FlagGroup; readonly lines: readonly FlagLine[] }[] {
  return (Object.keys(GROUP_TITLES) as FlagGroup[]).map((group) => ({
    group,
    lines: FLAGS.filter((flag) => flag.group === group).flatMap(linesOf),
  }));
}
