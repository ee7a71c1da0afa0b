/** Where a monitor is. Exactly one at a time. */
export type MonitorState =
  /** Made, never started. */
  | 'idle'
  /** A child is spawning or running. */
  | 'running'
  /** `restart()` is stopping the child to start a new one. */
  | 'restarting'
  /** No child: waiting `spinSleepTime` (or backoff) before the next start. */
  | 'waiting'
  /** `stop()` is stopping the child for good. */
  | 'stopping'
  /** Stopped by `stop()`. May be started again. */
  | 'stopped'
  /** Gave up by its rules (max, spinning, stopExitCodes). May be started again. */
  | 'gave-up';

/** Why a monitor gave up. */
export type GiveUpReason = 'max' | 'spinning' | 'stop-exit-code' | 'script-not-found';

/** Why a feature on the run seam asks for a restart of a child that is fine: it never counts. */
export type FeatureRestartReason = 'watch' | 'cron';

/**
 * Why a feature found the child failing: the watchdog stops it gracefully, and the restart rule
 * decides as for a crash (it counts towards `max`, spinning and backoff).
 */
export type FailureReason = 'not-ready' | 'unhealthy' | 'memory-limit';

/** Why a child is restarted: by the rules, by `restart()` (requested), or by a feature. */
export type RestartReason = 'exited' | 'spinning' | 'backoff' | 'requested' | FeatureRestartReason | FailureReason;

/**
 * A restart's reason as counted (`restartsByReason`, metrics, hooks): a child that ended on its
 * own is a `crash` whether it was spinning or backed off; every other reason is its own.
 */
export type CountedRestartReason = 'crash' | Exclude<RestartReason, 'exited' | 'spinning' | 'backoff'>;

export function countedReason(restart: { readonly reason: RestartReason; readonly failedFor?: FailureReason | undefined }): CountedRestartReason {
  if (restart.failedFor) return restart.failedFor;
  const { reason } = restart;
  return reason === 'exited' || reason === 'spinning' || reason === 'backoff' ? 'crash' : reason;
}

/** How a child ended: `status` is its exit code, or 128 + the signal's number, as a shell reports it. */
export interface ExitInfo {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly status: number;
  /** How long the run lasted, in ms. */
  readonly uptime: number;
}

/** One line of the monitor's life, as written to `logFile` and printed by the CLI. */
export type StatusEvent =
  | { readonly type: 'started'; readonly pid: number; readonly run: number }
  | ({ readonly type: 'exited' } & ExitInfo)
  | { readonly type: 'spawn-failed'; readonly error: string }
  | {
      readonly type: 'restarting'; readonly delay: number; readonly reason: RestartReason;
      /** The child was stopped as failing (memory limit, unhealthy, not ready), even when `reason` is its spinning or backoff wait. */
      readonly failedFor?: FailureReason | undefined;
    }
  | { readonly type: 'gave-up'; readonly runs: number; readonly reason: GiveUpReason }
  | { readonly type: 'stopping'; readonly pid: number; readonly signal: string }
  | { readonly type: 'killing'; readonly pids: readonly number[]; readonly reason: 'killTTL' | 'leftovers' }
  | { readonly type: 'stopped' }
  | { readonly type: 'output-failed'; readonly file: string; readonly error: string }
  | { readonly type: 'output-recovered'; readonly file: string }
  /** `cronRestart`: when the next scheduled restart comes (ISO-8601), said at start and after each one. */
  | { readonly type: 'cron-scheduled'; readonly next: string }
  /** Watch mode saw a change: a restart follows. */
  | { readonly type: 'file-changed'; readonly file: string }
  /** `reload()`: a new child starts beside `pid`, which serves until the new one is ready. */
  | { readonly type: 'reloading'; readonly pid: number }
  /** The reload is done: the old child `pid` was stopped and ended so; the new one serves. */
  | ({ readonly type: 'reloaded' } & ExitInfo & { readonly pid: number })
  /** The new child of a reload failed: it is gone, the old one serves on. */
  | { readonly type: 'reload-failed'; readonly reason: string }
  /** `listen`: the sockets held for the children, from fd 3 on. */
  | { readonly type: 'listening'; readonly addresses: readonly string[] }
  /** The child's tree stayed over `maxMemory` for `checks` measures in a row: it is restarted. */
  | {
      readonly type: 'memory-limit'; readonly bytes: number; readonly limit: number; readonly checks: number;
      readonly largest: { readonly pid: number; readonly name: string; readonly bytes: number };
    }
  /** A hook (or the `notifyUrl` POST) failed, hung or could not start; the monitor carries on. */
  | { readonly type: 'hook-failed'; readonly hook: string; readonly error: string }
  /** The child said it is ready (`ready`), `after` ms after its spawn. */
  | { readonly type: 'ready'; readonly pid: number; readonly after: number }
  /** The child was not ready within `readyTimeout`: it is stopped, and the rules decide. */
  | { readonly type: 'not-ready'; readonly pid: number; readonly timeout: number; readonly waitedFor: string; readonly last?: string }
  /** A health check failed `count` times in a row; at `threshold` the child is restarted as unhealthy. */
  | { readonly type: 'health-failed'; readonly probe: string; readonly failure: string; readonly count: number; readonly threshold: number }
  /** A health check passes: at a run's first success, and again after failures. */
  | { readonly type: 'healthy'; readonly probe: string }
  /** `reopenLogs()`: `reopened` now take all later output; the child itself holds `held` (unmovableLogs). */
  | { readonly type: 'logs-reopened'; readonly reopened: readonly string[]; readonly held: readonly string[] };

/** forever-monitor's `data` object, with the same keys. */
export interface MonitorData {
  ctime: number | undefined;
  command: string;
  file: string | undefined;
  foreverPid: number;
  logFile: string | undefined;
  args: string[];
  pid: number | undefined;
  silent: boolean;
  uid: string;
  id: string | undefined;
  spawnWith: object;
  running: boolean;
  restarts: number;
  isMaster: boolean;
  state: MonitorState;
  pidFile?: string;
  outFile?: string;
  errFile?: string;
  env?: Record<string, string | undefined>;
  cwd?: string;
  sourceDir?: string;
}


/** Every event a Monitor emits, with its arguments; `M` is the Monitor (see MonitorEvents). */
export interface MonitorEventMap<M> {
  /** The first child of a `start()` has spawned. */
  start: [monitor: M, data: MonitorData];
  /** A later child has spawned. */
  restart: [monitor: M, data: MonitorData];
  /** A child ended; its output is already in the files. */
  'exit:code': [code: number | null, signal: NodeJS.Signals | null];
  /** The monitor ended: it gave up, or it was stopped. */
  exit: [monitor: M, spinning: boolean];
  /** `stop()` finished: the child and its group are gone and the files complete. */
  stop: [data: MonitorData];
  /** The child said it is ready (`ready` option), `after` ms after its spawn; `restart()` settles then. */
  ready: [info: { pid: number; after: number }];
  /** A chunk of the child's stdout (listeners attached before `start()`). */
  stdout: [chunk: Buffer];
  /** A chunk of the child's stderr (listeners attached before `start()`). */
  stderr: [chunk: Buffer];
  /** A message from the child over IPC (`fork: true`). */
  message: [message: unknown];
  /** A spawn failure, a missing script, or a failing output file. Never thrown at the host. */
  error: [error: Error];
  /** A lifecycle event, one per line of the `logFile`. */
  status: [event: StatusEvent];
  /** A watched file changed; a restart follows. */
  'watch:restart': [info: { file: string }];
}

/** A status line as keepalive writes it: `2024-05-01T12:00:00.000Z keepalive: started pid 123 (run 1)`. */
export function statusLine(text: string, at = new Date()): string {
  return `${at.toISOString()} keepalive: ${text}\n`;
}

/** `512 MiB`, `1.5 GiB`, `640 KiB`: sizes as the options take them, 1024-based. */
export function formatBytes(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  const shown = unit === 0 || value >= 100 || Number.isInteger(value) ? Math.round(value) : Math.round(value * 10) / 10;
  return `${shown} ${units[unit]}`;
}

export function describeExit(exit: ExitInfo): string {
  const how = exit.signal ? `signal ${exit.signal}` : `code ${exit.code}`;
  return `exited with ${how} after ${exit.uptime} ms`;
}

function describeReopen(reopened: readonly string[], held: readonly string[]): string {
  if (reopened.length === 0) return 'no log files to reopen';
  const moved = reopened.filter((file) => !held.includes(file));
  const parts = [];
  if (moved.length > 0) parts.push(`reopened ${moved.join(', ')}: all later output goes to the new file`);
  if (held.length > 0) {
    parts.push(`the child holds ${held.join(', ')} itself (unmovableLogs) and writes to the old file until it restarts`);
  }
  return parts.join('; ');
}

/** The text of a status event, without a time: `started pid 123 (run 1)`. */
export function formatStatus(event: StatusEvent): string {
  switch (event.type) {
    case 'started':
      return `started pid ${event.pid} (run ${event.run})`;
    case 'exited':
      return describeExit(event);
    case 'spawn-failed':
      return `could not start: ${event.error}`;
    case 'restarting':
      return `restarting ${event.delay > 0 ? `in ${event.delay} ms` : 'now'} (${event.failedFor && event.failedFor !== event.reason ? `${event.reason} after ${event.failedFor}` : event.reason})`;
    case 'gave-up':
      return `gave up after ${event.runs} run${event.runs === 1 ? '' : 's'} (${event.reason})`;
    case 'stopping':
      return `stopping pid ${event.pid} with ${event.signal}`;
    case 'killing':
      return `sending SIGKILL to ${event.pids.join(', ')} (${event.reason === 'killTTL' ? 'killTTL ran out' : 'left behind'})`;
    case 'stopped':
      return 'stopped';
    case 'output-failed':
      return `cannot write ${event.file}: ${event.error}; output to it is lost until it works again`;
    case 'output-recovered':
      return `writing ${event.file} again`;
    case 'file-changed':
      return `${event.file} changed`;
    case 'ready':
      return `ready after ${event.after} ms`;
    case 'not-ready':
      return `not ready within ${event.timeout} ms (waited for ${event.waitedFor}${event.last ? `; last: ${event.last}` : ''})`;
    case 'health-failed':
      return event.count >= event.threshold
        ? `unhealthy: ${event.probe} failed ${event.count} time${event.count === 1 ? '' : 's'} in a row (last: ${event.failure})`
        : `health check ${event.probe} failed: ${event.failure} (${event.count}/${event.threshold})`;
    case 'healthy':
      return `healthy: ${event.probe} passes`;
    case 'cron-scheduled':
      return `next cron restart at ${event.next}`;
    case 'memory-limit':
      return `memory ${formatBytes(event.bytes)} over the limit of ${formatBytes(event.limit)} for ${event.checks} checks in a row` +
        ` (largest: pid ${event.largest.pid} ${event.largest.name}, ${formatBytes(event.largest.bytes)})`;
    case 'hook-failed':
      return `hook ${event.hook} failed: ${event.error}`;
    case 'logs-reopened':
      return describeReopen(event.reopened, event.held);
    case 'reloading':
      return `reloading: a new child starts beside pid ${event.pid}`;
    case 'reloaded':
      return `reloaded: the old child (pid ${event.pid}) ${describeExit(event)}`;
    case 'reload-failed':
      return `reload failed: ${event.reason}`;
    case 'listening':
      return `holding ${event.addresses.join(', ')} for the children (fd 3${event.addresses.length > 1 ? ` to ${2 + event.addresses.length}` : ''})`;
  }
}
