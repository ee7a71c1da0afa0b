import type { SpawnOptions, StdioOptions } from 'node:child_process';

/** Spawn settings that may be passed through `spawnWith`; the others have options of their own. */
export type SpawnWithOptions = Pick<
  SpawnOptions,
  'uid' | 'gid' | 'argv0' | 'windowsHide' | 'windowsVerbatimArguments' | 'serialization'
>;

/** Environment values; numbers and booleans are turned into strings, `undefined` removes a variable. */
export type EnvValue = string | number | boolean | undefined;

/**
 * How a child says it is ready: `'message'` (it calls `process.send('ready')`, over an IPC channel
 * keepalive opens), `'notify'` (it writes `READY=1` and a newline to the pipe on the descriptor
 * named by `NOTIFY_FD`, 3 with the usual stdio), or a probe polled until it answers: an HTTP URL
 * (a status from 200 to 399) or a TCP `host:port` that accepts a connection.
 */
export type ReadySetting = 'message' | 'notify' | { readonly http: string } | { readonly tcp: string };

/** The timing of a health check, with Kubernetes' names and defaults (in ms). */
export interface HealthTiming {
  /** Wait this long after the child is ready (or spawned, without `ready`) before the first probe. @default 0 */
  readonly initialDelay?: number;
  /** From one probe's start to the next's. @default 10000 */
  readonly period?: number;
  /** A probe slower than this failed; for `heartbeat`, the longest silence allowed. @default 1000 */
  readonly timeout?: number;
  /** Failures in a row that make the child unhealthy: it is restarted. @default 3 */
  readonly failureThreshold?: number;
}

/**
 * One health check: an HTTP URL that answers 200 to 399, a TCP `host:port` that accepts a
 * connection, a command (no shell) that exits 0, or a heartbeat the child sends (`WATCHDOG=1` on
 * its notification pipe, or the IPC message `'heartbeat'`) at least every `timeout` ms.
 */
export type HealthCheckSetting = HealthTiming & HealthProbe;

/** What a health check probes (see HealthCheckSetting). */
export type HealthProbe =
  | { readonly http: string }
  | { readonly tcp: string }
  | { readonly exec: readonly string[] }
  | { readonly heartbeat: true };

/**
 * Everything a `Monitor` can be told. Names and meanings follow forever-monitor 3.x; the
 * differences are listed in the README. Times are in milliseconds.
 *
 * Each option is documented here once: the README's options table is these comments (a test
 * checks it), and src/options/table.ts holds how each one is checked, its default and its flag.
 */
export interface MonitorOptions {
  /** Give up after this many runs that ended on their own (`restart()` does not count). @default Infinity */
  max?: number;
  /** A run shorter than this is "spinning". @default 0 (never spinning) */
  minUptime?: number;
  /**
   * Wait this long before restarting a spinning child; `0` restarts at once. When unset, a spinning
   * child is not restarted at all (forever's rule). @default undefined
   */
  spinSleepTime?: number;
  /**
   * Backoff cap: each consecutive spinning exit doubles the wait from `spinSleepTime` up to this;
   * a run that lasts `minUptime` resets it. Needs `spinSleepTime` > 0. @default undefined (no backoff)
   */
  maxSpinSleepTime?: number;
  /** When set, `max` counts only the exits inside the last `restartWindow` ms. @default undefined */
  restartWindow?: number;
  /**
   * Exit statuses that end the monitor instead of a restart. A signal death counts as
   * 128 + the signal's number, as shells report it (143 for SIGTERM). @default []
   */
  stopExitCodes?: readonly number[];

  /** Append the child's stdout to this file; missing folders are created. @default undefined */
  outFile?: string;
  /** Append the child's stderr to this file; missing folders are created. @default undefined */
  errFile?: string;
  /** Append both streams, and one line per lifecycle event, to this file. @default undefined */
  logFile?: string;
  /** Append to the log files; `false` truncates them once, at `start()`. @default true */
  append?: boolean;
  /** Do not echo the child's output to this process's stdout and stderr. @default false */
  silent?: boolean;
  /**
   * Echo a stream that goes to a file to the console too. `false`: a stream with a file goes
   * only there, and one without a file still goes to the console, as with a shell redirect (the
   * CLI's default). @default true
   */
  echoFileOutput?: boolean;
  /** Prefix every line of output with an ISO-8601 time. @default false */
  timestamp?: boolean;
  /**
   * Hand a stream's own log file to the child itself, as a shell redirect does: the fastest way,
   * and output goes on if the watchdog dies. What it gives up: the file cannot be moved. A reopen
   * (`reopenLogs()`, SIGHUP after logrotate) cannot reach the child until it restarts, so
   * rotation needs `copytruncate`. Without it, keepalive writes every file itself. @default false
   */
  unmovableLogs?: boolean;

  /** The program that runs a string script; may carry flags (`'node --expose-gc'`). @default process.execPath */
  command?: string;
  /** Arguments after the script. Never changed by keepalive. @default [] */
  args?: readonly string[];
  /** A folder the script path is relative to. @default undefined */
  sourceDir?: string;
  /** The child's working directory. @default process.cwd() */
  cwd?: string;
  /**
   * Write the child's pid here, atomically, at each start; removed at the final exit. Missing
   * folders are created. @default undefined
   */
  pidFile?: string;
  /** Variables set over `process.env` for the child (`undefined` removes one). @default {} */
  env?: Readonly<Record<string, EnvValue>>;
  /** Names of variables removed from the child's environment (secrets). @default [] */
  hideEnv?: readonly string[];
  /** Open an IPC channel so that `send()` and the `message` event work. @default false */
  fork?: boolean;
  /**
   * More settings for `child_process.spawn`: `uid`, `gid`, `argv0`, `serialization`,
   * `windowsHide`, `windowsVerbatimArguments`. @default {}
   */
  spawnWith?: SpawnWithOptions;
  /** The child's stdio, replacing keepalive's own choice. @default undefined */
  stdio?: StdioOptions;
  /** An identifier for this monitor, shown in `data`. @default a random string */
  uid?: string;
  /** Another identifier, shown in `data` as given. @default undefined */
  id?: string;
  /** Check that a node script exists before the first start. @default true */
  checkFile?: boolean;

  /** The signal a stop sends first. @default 'SIGTERM' */
  killSignal?: NodeJS.Signals | number;
  /** How long a stop waits after `killSignal` before it sends SIGKILL. @default 5000 */
  killTTL?: number;
  /** Stop every descendant of the child too, not only its process group. @default true */
  killTree?: boolean;

  /**
   * How the child says it is ready: `'message'`, `'notify'`, `{ http: url }` or `{ tcp: 'host:port' }`
   * (see ReadySetting). Until then it is starting; `restart()` settles once it is ready. @default undefined
   */
  ready?: ReadySetting;
  /**
   * A child not ready this long after its spawn failed to start: it is stopped and the restart
   * rules decide, as for a crash. Never taken for ready. @default 30000
   */
  readyTimeout?: number;
  /**
   * A liveness check: after `failureThreshold` failures in a row the child is restarted (reason
   * `unhealthy`), counted like a crash. For example `{ http: 'http://127.0.0.1:3000/healthz', period: 5000 }`.
   * @default undefined
   */
  healthCheck?: HealthCheckSetting;

  /** Restart the child when a watched file changes. @default false */
  watch?: boolean;
  /** What to watch: a path, or an array of paths. @default the script's folder */
  watchDirectory?: string | readonly string[];
  /**
   * Globs of files whose changes are ignored, relative to the watched folder; `.foreverignore`
   * files are read too. @default []
   */
  watchIgnorePatterns?: readonly string[];
  /** Ignore files whose names start with a dot. @default true */
  watchIgnoreDotFiles?: boolean;
  /** Poll for changes instead of using file system events (network mounts). @default false */
  usePolling?: boolean;
  /** How often to poll, with `usePolling`. @default 100 */
  pollingInterval?: number;
}
