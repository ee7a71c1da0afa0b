import type { HealthCheckSetting, MonitorOptions, ReadySetting } from './types.js';

/** How a flag's text becomes a value: src/cli/args.ts converts each kind. */
export type FlagKind = 'count' | 'ms' | 'text' | 'signal' | 'codes' | 'env' | 'name' | 'bool' | 'ready' | 'health';

/** The part of `keepalive help start` (and of the README's flags table) a flag is listed in. */
export type FlagGroup =
  'restarts' | 'output' | 'process' | 'named' | 'stopping' | 'health' | 'watching' | 'resources' | 'hooks';

/** The kinds of flag whose values fit an option of type T: a switch cannot set a number. */
export type KindFor<T> =
  unknown extends T ? FlagKind
  : [T] extends [boolean] ? 'bool'
  : [T] extends [number] ? 'count' | 'ms'
  : [T] extends [string] ? 'text'
  : [T] extends [NodeJS.Signals | number] ? 'signal'
  : [T] extends [readonly number[]] ? 'codes'
  : [T] extends [string | readonly string[]] ? 'text' | 'name'
  : [T] extends [ReadySetting] ? 'ready'
  : [T] extends [HealthCheckSetting] ? 'health'
  : [T] extends [string | number | readonly (string | number)[]] ? 'text'
  : 'env';

/** A flag of `keepalive start`. */
export interface FlagSpec<K extends FlagKind = FlagKind> {
  /** The flag's name, when it is not the option's (`--workingDir` sets `cwd`). */
  readonly name?: string;
  /** The one-letter form (`-m`). */
  readonly short?: string;
  readonly kind: K;
  /** What its value is called in the help (`<file>`); the kind's word when not given. */
  readonly value?: string;
  /** May be given more than once, each adding to a list. */
  readonly repeatable?: boolean;
  /** Where the help lists it; a flag without a group is not listed (`--help` itself). */
  readonly group?: FlagGroup;
  /**
   * The help line, with code in backticks (the terminal shows it without them). A switch is
   * listed in the form that changes something: `--no-append` for an option that is on by default.
   */
  readonly help: string;
  /** The default as the help and the README show it, when the option's own would say less. */
  readonly default?: string;
  /** A switch listed in both forms: the line of its `--no-` form. */
  readonly negated?: { readonly help: string; readonly default: string };
}

/** One option: how it is checked, its default, its flag. Its meaning is its doc comment in MonitorOptions. */
export interface OptionSpec<T> {
  /** Checks a given value (never undefined) and returns it as the Monitor keeps it, or throws a KeepaliveError. */
  readonly check: (name: string, value: unknown) => T;
  /** The value when the option is not given. */
  readonly default?: T;
  /** A default that resolveOptions works out (from the script, the process), as the docs say it. */
  readonly computed?: string;
  /** The CLI's own default, when it differs from the library's. */
  readonly cliDefault?: T;
  /** A path: relative to a config file's folder when given in one. */
  readonly path?: true;
  readonly flag?: FlagSpec<KindFor<T>>;
}

/** The table's type: every option of MonitorOptions, and nothing else, must have its entry. */
export type OptionTable = { readonly [K in keyof MonitorOptions]-?: OptionSpec<NonNullable<MonitorOptions[K]>> };

/** What an option is after resolveOptions: its checked type, undefined only when it has no default. */
export type ResolvedValue<S> = S extends { readonly check: (name: string, value: unknown) => infer T }
  ? S extends { readonly default: unknown } | { readonly computed: string } ? T : T | undefined
  : never;
