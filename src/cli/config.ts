import { readFileSync } from 'node:fs';
import path from 'node:path';
import { KeepaliveError, resolveOptions, type MonitorOptions } from '../index.js';
import { isNodeCommand, OPTION_NAMES, OPTIONS, resolvePaths, showValue, splitCommand, type OptionSpec } from '../options/options.js';
import type { StartCommand } from './args.js';
import { ConfigError } from './config-error.js';

export { ConfigError };

/** What `keepalive start` runs: the Monitor's arguments, and whether to print status lines. */
export interface StartPlan {
  readonly script: string | readonly string[];
  readonly options: MonitorOptions;
  readonly quiet: boolean;
}

/**
 * The CLI's own defaults (the options table's `cliDefault`): it retries a crashing script once a
 * second, like the shell loop's `sleep 1`.
 */
export const CLI_DEFAULTS: Readonly<MonitorOptions> = Object.freeze(Object.fromEntries(
  OPTION_NAMES.flatMap((name) => {
    const spec: OptionSpec<unknown> = OPTIONS[name];
    return spec.cliDefault === undefined ? [] : [[name, spec.cliDefault]];
  }),
));

export interface ConfigFile {
  readonly script: string | readonly string[];
  readonly options: MonitorOptions;
}

/** Reads a JSON config file: `script`, `args` and any MonitorOptions key. Throws ConfigError. */
export function loadConfig(file: string): ConfigFile {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new ConfigError(`cannot read config file ${file}: ${(error as Error).message}`);
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    throw new ConfigError(`config file ${file} is not valid JSON: ${(error as Error).message}`);
  }
  if (typeof data !== 'object' || data === null || Array.isArray(data)) {
    throw new ConfigError(`config file ${file}: expected a JSON object, got ${showValue(data)}`);
  }
  const { script, ...rest } = data as Record<string, unknown>;
  if (script === undefined) throw new ConfigError(`config file ${file}: "script" is missing`);
  const isScript = (typeof script === 'string' && script !== '') ||
    (Array.isArray(script) && script.length > 0 && script.every((word) => typeof word === 'string' && word !== ''));
  if (!isScript) {
    throw new ConfigError(`config file ${file}: "script" must be a path or an array [command, ...args], got ${showValue(script)}`);
  }

  const folder = path.dirname(path.resolve(file));
  const options = resolvePaths(rest, folder);
  const relativeTo = typeof options.sourceDir === 'string' ? undefined : folder;
  const resolvedScript = typeof script === 'string' && relativeTo ? path.resolve(relativeTo, script) : (script as string | string[]);
  try {
    resolveOptions(resolvedScript, { ...CLI_DEFAULTS, ...options });
  } catch (error) {
    if (error instanceof KeepaliveError) throw new ConfigError(`config file ${file}: ${error.message}`);
    throw error;
  }
  return { script: resolvedScript, options: options as MonitorOptions };
}

/** A script on the command line is relative to where keepalive was started, as in forever. */
function scriptFromCommandLine(target: string, options: MonitorOptions, cwd: string): string {
  if (options.sourceDir !== undefined) return target;
  const [program] = splitCommand(options.command ?? process.execPath);
  return program !== undefined && isNodeCommand(program) ? path.resolve(cwd, target) : target;
}

/**
 * Combines the config file (if the target is one, or `config`: a pm2 file's app, read by the
 * caller), the flags and the CLI's defaults. Throws ConfigError for a bad file; the combined
 * options are checked by the Monitor itself.
 */
export function planStart(command: StartCommand, cwd = process.cwd(), preloaded?: ConfigFile): StartPlan {
  const flags = command.options;
  if (command.pm2File && preloaded === undefined) {
    throw new ConfigError(`${command.target} is a pm2 file: start its apps with keepalive start ${command.target} (in the background), and see keepalive startup for boot`);
  }
  const isConfig = command.target.toLowerCase().endsWith('.json');
  const config = preloaded ?? (isConfig ? loadConfig(path.resolve(cwd, command.target)) : undefined);
  const file = config?.options ?? {};

  const options: MonitorOptions = { ...CLI_DEFAULTS, ...file, ...flags };
  if (file.env && flags.env) options.env = { ...file.env, ...flags.env };
  if (command.scriptArgs) options.args = command.scriptArgs;
  // As in the shell: a stream goes to its file, or else to the console; to both only if asked (--no-silent).
  if (options.silent === undefined && options.echoFileOutput === undefined) options.echoFileOutput = false;

  const script = config ? config.script : scriptFromCommandLine(command.target, options, cwd);
  return { script, options, quiet: command.quiet };
}
