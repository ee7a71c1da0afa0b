import type { SpawnOptions, StdioOptions } from 'node:child_process';

/** Spawn settings that may be passed through `spawnWith`; the others have options of their own. */
export type SpawnWithOptions = Pick<
  SpawnOptions,
  'uid' | 'gid' | 'argv0' | 'windowsHide' | 'windowsVerbatimArguments' | 'serialization'
> & {
  /** forever-monitor's; Node has ignored it for years. Ignored, with a warning. */
  customFds?: readonly number[];
  /** The child always gets a session of its own (`true`); `false` is ignored, with a warning. */
  setsid?: boolean;
  /** keepalive never runs a shell: only `false` is accepted. */
  shell?: false;
};

/** Environment values; numbers and booleans are turned into strings, `undefined` removes a variable. */
export type EnvValue = string | number | boolean | undefined;

/** A command-line argument; numbers and booleans are turned into strings, as Node does. */
export type ArgValue = string | number | boolean;

/**
 * forever-monitor's `parser`: turns the command as given and the script's arguments into the
 * program to run and all of its arguments.
 */
export type CommandParser = (command: string, args: string[]) => { command: string; args: readonly ArgValue[] };

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
  /**
   * Restart the child gracefully on this cron schedule (`'0 3 * * *'`; with six fields, the first
   * is seconds). Such a restart counts towards neither `max` nor the backoff, and does not revive
   * a monitor that gave up. @default undefined
   */
  cronRestart?: string;
  /** The IANA time zone of `cronRestart` (`'Europe/Paris'`). @default undefined (the system's time zone) */
  cronTimezone?: string;

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
  /**
   * Rotate each log file (`outFile`, `errFile`, `logFile`) before it passes this size: keepalive,
   * as the writer, renames it to an archive at a line boundary and opens a new one (a line
   * longer than this is cut at a whole UTF-8 character). Sizes as `'10M'`, `'512K'`, `'1G'`
   * (1024-based). Needs keepalive to write the files (not `unmovableLogs`). @default undefined (no rotation)
   */
  maxLogSize?: string;
  /** With `maxLogSize`: archives kept per log file; the oldest beyond this are removed. @default 10 */
  maxLogFiles?: number;
  /**
   * With `maxLogSize`: archives older than this are removed at each rotation and at start (the
   * newest archive is always kept). An age with a unit: `'7d'`, `'12h'`, `'30m'`, `'90s'`,
   * `'500ms'`, `'2w'`. @default undefined (kept until maxLogFiles)
   */
  maxLogAge?: string;
  /** With `maxLogSize`: gzip each archive beside the output, into `<archive>.gz`. @default false */
  compressLogs?: boolean;
  /**
   * `'json'`: the log files hold one JSON object per line in the shape of Docker's json-file
   * driver, `{"log":"text\n","stream":"stdout","time":"..."}`, and `logFile`'s status lines are
   * objects of stream `keepalive`. A line is written once whole (an unfinished last line when the
   * child ends; a line over 16 KiB in parts). The time is in each object: not with `timestamp`.
   * @default 'text'
   */
  logFormat?: 'text' | 'json';

  /** The program that runs a string script; may carry flags (`'node --expose-gc'`). @default process.execPath */
  command?: string;
  /** Arguments after the script; numbers and booleans become strings. Never changed by keepalive. @default [] */
  args?: readonly ArgValue[];
  /**
   * forever's old name for `args`, deprecated: accepted with a one-time warning
   * (`KEEPALIVE_DEP_OPTIONS`); giving both is an error. @default undefined
   */
  options?: readonly ArgValue[];
  /**
   * Replaces the splitting of `command` around spaces: called once, when the monitor is made, with
   * the command as given and the script with its arguments; returns `{ command, args }` to run
   * (forever-monitor's `parser`). @default undefined
   */
  parser?: CommandParser;
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
  /**
   * A dotenv file (`KEY=value` lines) of variables for the child, over `process.env` and under
   * `env`; read again at each start of a child, so that an edit applies at the next restart and a
   * removed line is gone. @default undefined
   */
  envFile?: string;
  /** Names of variables removed from the child's environment (secrets). @default [] */
  hideEnv?: readonly string[];
  /** Open an IPC channel so that `send()` and the `message` event work. @default false */
  fork?: boolean;
  /**
   * More settings for `child_process.spawn`: `uid`, `gid`, `argv0`, `serialization`,
   * `windowsHide`, `windowsVerbatimArguments`. forever's `customFds` and `setsid: false` are
   * ignored with a warning, `shell: true` is refused (see "Differences from forever-monitor"). @default {}
   */
  spawnWith?: SpawnWithOptions;
  /** The child's stdio, replacing keepalive's own choice. @default undefined */
  stdio?: StdioOptions;
  /**
   * Sockets keepalive creates once and passes to every child, so that no connection is refused
   * while a child restarts: a port (`3000`, every address), `'127.0.0.1:3000'`, `'[::1]:3000'`, a
   * Unix socket path (`'/run/app.sock'`), or a list of these. The child gets them from fd 3 on,
   * with `LISTEN_FDS`, `LISTEN_PID` and `LISTEN_FDNAMES` as systemd passes them; a node child's
   * `server.listen(3000)` uses the passed socket. Sockets keepalive itself got from systemd's
   * socket activation are passed on first, and an address among them is not bound again. @default undefined
   */
  listen?: number | string | readonly (number | string)[];
  /** An identifier for this monitor, shown in `data`. @default a random string */
  uid?: string;
  /** Another identifier, shown in `data` as given. @default undefined */
  id?: string;
  /** Check that a node script exists before the first start. @default true */
  checkFile?: boolean;

  /**
   * Stop gracefully with this IPC message instead of `killSignal` (pm2's `shutdown_with_message`:
   * `process.on('message', (m) => m === 'shutdown' && ...)`); opens an IPC channel to the child.
   * SIGKILL follows after `killTTL` as always; a child without the channel gets `killSignal`. @default undefined
   */
  shutdownMessage?: string;
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
  /**
   * Restart once nothing has changed for this long, so that a burst of changes (a build, a
   * `git checkout`) causes one restart. @default 200
   */
  watchDelay?: number;

  /**
   * Restart the child when the resident memory of its whole tree (the child, its process group
   * and every descendant) stays above this size for `memoryChecks` measures in a row: `'512M'`,
   * `'1.5G'`, `'512MiB'` (1024-based; a bare number is refused). Needs /proc. @default undefined
   */
  maxMemory?: string;
  /** How often the tree's memory is measured, with `maxMemory`. @default 1000 */
  memoryCheckInterval?: number;
  /** How many measures in a row over `maxMemory` make a restart (a shorter spike is forgiven). @default 3 */
  memoryChecks?: number;
  /**
   * Keep Prometheus metrics of the child in this file (the text format node_exporter's textfile
   * collector reads), rewritten atomically. @default undefined
   */
  metricsFile?: string;

  /**
   * A command run at each restart, with the event in its environment (`KEEPALIVE_EVENT`,
   * `KEEPALIVE_REASON`, ...): an array `[program, ...args]`, or a string split into words as
   * `command` is. Never through a shell. @default undefined
   */
  onRestart?: string | readonly string[];
  /** A command run when the monitor gives up. @default undefined */
  onGiveUp?: string | readonly string[];
  /** A command run when the child is restarted because it was unhealthy. @default undefined */
  onUnhealthy?: string | readonly string[];
  /** A command run when the child is restarted over `maxMemory`. @default undefined */
  onMemoryLimit?: string | readonly string[];
  /** How long a hook may run before its process group gets SIGKILL. @default 30000 */
  hookTimeout?: number;
  /** Sends each hook event as a JSON POST of the same fields to this URL (timeout `hookTimeout`). @default undefined */
  notifyUrl?: string;
}
