import path from 'node:path';
import { resolvePaths, type MonitorOptions } from '../options/options.js';
import { defaultLogs, isValidName, metricsFolder, SCRIPT_SUFFIX, type AppRecord } from './state.js';

// The options of a named app: what a named watchdog needs before it runs, apart from the commands.

/** The environment variable that tells a spawned `keepalive start` it is the named watchdog. */
export const DAEMON_ENV = 'KEEPALIVE_DAEMON';

/** `--name` when it is not given: the script's base name without its extension (`api` for `src/api.js`). */
export function defaultName(target: string): string | undefined {
  const name = path.basename(target).replace(SCRIPT_SUFFIX, '');
  return isValidName(name) && name !== 'all' ? name : undefined;
}

/** The name of a named start: `--name`, or the script's base name. Undefined after a usage error, said on `io`. */
export function nameOf(command: { readonly name?: string | undefined; readonly target: string }, io: { err(text: string): void }): string | undefined {
  const name = command.name ?? defaultName(command.target);
  if (name === 'all' || name === undefined) {
    const why = name === 'all' ? '"all" is reserved for stop all and delete all' : `cannot make a name from ${JSON.stringify(command.target)}`;
    io.err(`keepalive: --name: ${why}; give another with --name (see keepalive --help)\n`);
    return undefined;
  }
  return name;
}

/**
 * The options of a detached watchdog, which has no console: without `-l`, a stream without a
 * file of its own goes to `$KEEPALIVE_HOME/logs/<name>.out.log` or `.err.log`.
 */
export function detachedOptions(options: MonitorOptions, home: string, name: string): MonitorOptions {
  if (options.logFile !== undefined) return { ...options, silent: true };
  const logs = defaultLogs(home, name);
  return { ...options, outFile: options.outFile ?? logs.out, errFile: options.errFile ?? logs.err, silent: true };
}

/**
 * The options of a named watchdog (detached or not): `id` is its name (for hooks and metrics),
 * and it keeps its metrics in `$KEEPALIVE_HOME/metrics/<name>.prom` unless told otherwise.
 */
export function namedOptions(options: MonitorOptions, home: string, name: string): MonitorOptions {
  return { id: name, metricsFile: path.join(metricsFolder(home), `${name}.prom`), ...options };
}

/** The log files a record lists, as absolute paths (relative ones are relative to the watchdog's folder). */
export function recordLogs(options: MonitorOptions, cwd: string, watchdog: string | undefined): AppRecord['logs'] {
  const { outFile: out, errFile: err, logFile: log } = resolvePaths(options, cwd);
  return {
    ...(out === undefined ? {} : { out }),
    ...(err === undefined ? {} : { err }),
    ...(log === undefined ? {} : { log }),
    ...(watchdog === undefined ? {} : { watchdog }),
  };
}
