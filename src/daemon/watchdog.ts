import type { Monitor } from '../monitor.js';
import { countedReason, formatStatus, type StatusEvent } from '../vocabulary/events.js';
import { startTimeOf } from '../processes/process-table.js';
import { healthAfter, recordedAfter } from '../vocabulary/app-status.js';
import { writeRecord, type AppRecord } from './state.js';

/** What a named watchdog records about itself besides what the Monitor tells it. */
export interface RecordSettings {
  readonly home: string;
  readonly name: string;
  readonly script: string | readonly string[];
  readonly args: readonly string[];
  readonly cwd: string;
  readonly logs: AppRecord['logs'];
  readonly killTTL: number;
  /** The command line as given to keepalive, and the folder it was given in, to start it again. */
  readonly argv: readonly string[];
  readonly argvCwd: string;
  readonly metricsFile: string | undefined;
  /** Where a record that cannot be written is reported (the watchdog's stderr). */
  readonly warn: (text: string) => void;
}

/**
 * Keeps the record of a named watchdog up to date: written now ("starting"), then at each status
 * event, atomically, so that `list`, `stop` and a waiting `start -d` always read a whole record.
 * Returns the function that stops listening.
 */
export function keepRecord(monitor: Monitor, settings: RecordSettings): () => void {
  const { home, name, warn } = settings;
  let record: AppRecord = {
    name,
    watchdogPid: process.pid,
    watchdogStart: startTimeOf(process.pid) ?? '',
    childPid: null,
    childStart: null,
    childStartedAt: null,
    script: settings.script,
    args: settings.args,
    cwd: settings.cwd,
    logs: settings.logs,
    killTTL: settings.killTTL,
    argv: settings.argv,
    argvCwd: settings.argvCwd,
    restarts: 0,
    restartsByReason: {},
    ...(settings.metricsFile === undefined ? {} : { metricsFile: settings.metricsFile }),
    status: 'starting',
    updatedAt: Date.now(),
  };
  let failed = false;
  const save = (changes: Partial<AppRecord>): void => {
    record = { ...record, ...changes, updatedAt: Date.now() };
    try {
      writeRecord(home, record);
      failed = false;
    } catch (error) {
      // Reported once per failure streak; the watchdog keeps its child running regardless.
      if (!failed) warn(`cannot write the record of ${name}: ${(error as Error).message}`);
      failed = true;
    }
  };
  save({});
  // Counted when the new child starts, so that the split always adds up to `restarts`.
  let restartReason: string | undefined;
  const { ready, healthCheck } = monitor.options;
  /** Why the watchdog stopped the child (not ready, unhealthy), said again with its exit. */
  let failure: string | undefined;

  let reloading = false;
  const onStatus = (event: StatusEvent): void => {
    const changes: { -readonly [K in keyof AppRecord]?: AppRecord[K] } = {};
    const status = recordedAfter(event, monitor.state, ready !== undefined);
    if (status) changes.status = status;
    changes.health = healthAfter(event, record.health, ready !== undefined || healthCheck !== undefined);
    if (event.type === 'not-ready' || (event.type === 'health-failed' && event.count >= event.threshold)) failure = formatStatus(event);
    // A reload: its new child is recorded beside the current one, and replaces it when the old one is gone.
    const replaced = event.type === 'reloaded' || (event.type === 'exited' && record.reloadingPid !== undefined);
    if (event.type === 'reloading') reloading = true;
    if (event.type === 'started' && reloading) {
      reloading = false;
      changes.reloadingPid = event.pid;
    } else if (replaced && record.reloadingPid !== undefined) {
      changes.childPid = record.reloadingPid;
      changes.childStart = startTimeOf(record.reloadingPid) ?? null;
      changes.childStartedAt = Date.now();
      changes.restarts = record.restarts + 1;
      changes.reloadingPid = undefined;
    } else if (event.type === 'started') {
      changes.childPid = event.pid;
      changes.childStart = startTimeOf(event.pid) ?? null;
      changes.childStartedAt = Date.now();
      changes.restarts = event.run - 1;
      if (restartReason !== undefined) {
        changes.restartsByReason = { ...record.restartsByReason, [restartReason]: (record.restartsByReason?.[restartReason] ?? 0) + 1 };
      }
      restartReason = undefined;
    } else if (event.type === 'exited' || event.type === 'stopped' || event.type === 'gave-up') {
      changes.reloadingPid = undefined;
      changes.childPid = null;
      changes.childStart = null;
      changes.childStartedAt = null;
    }
    // Set only while waiting, so that a reader never takes an earlier wait for the current one.
    if (event.type === 'restarting') restartReason = countedReason(event);
    if (event.type === 'restarting') changes.retryDelay = event.delay;
    else if (['started', 'exited', 'spawn-failed', 'stopped', 'gave-up'].includes(event.type)) changes.retryDelay = undefined;
    if (event.type === 'reload-failed') changes.reloadingPid = undefined;
    if (event.type === 'exited' || event.type === 'spawn-failed' || event.type === 'reload-failed') {
      // "not ready within 5000 ms (waited for ...); exited with signal SIGTERM after 5012 ms"
      changes.reason = failure ? `${failure}; ${formatStatus(event)}` : formatStatus(event);
      failure = undefined;
    }
    // "gave up after 3 runs (spinning): exited with code 1 after 5 ms"
    if (event.type === 'gave-up') changes.reason = record.reason ? `${formatStatus(event)}: ${record.reason}` : formatStatus(event);
    save(changes);
  };
  const onError = (error: Error): void => save({ reason: error.message });
  monitor.on('status', onStatus);
  monitor.on('error', onError);
  return () => {
    monitor.removeListener('status', onStatus);
    monitor.removeListener('error', onError);
  };
}
