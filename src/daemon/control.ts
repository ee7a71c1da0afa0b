import { existsSync, rmSync, unlinkSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { environValue, groupMembers, isSameProcess } from '../processes/process-table.js';
import { RUN_TAG, send, stopProcesses } from '../processes/stop-processes.js';
import { logFiles } from './logs.js';
import {
  check, defaultLogs, metricsFolder, readRecord, recordFile, StateError, tryLock, writeRecord, type AppRecord, type Checked,
} from './state.js';

/** How often the commands look at /proc and the records while they wait. */
const POLL = 20;
/** Grace on top of a watchdog's killTTL before `stop` stops waiting for it. */
const STOP_GRACE = 10_000;
/** How long a start or delete waits for the name's lock held by another start. */
const LOCK_WAIT = 15_000;

/** Polls `done` until it is true or `ms` have passed; returns whether it became true. */
export async function waitUntil(done: () => boolean, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  for (;;) {
    if (done()) return true;
    if (Date.now() >= deadline) return false;
    await delay(POLL);
  }
}

/**
 * Takes the lock of a name, waiting while another start holds it. Returns the function that
 * releases it, or undefined if it was not released in time.
 */
export async function lockName(home: string, name: string): Promise<(() => void) | undefined> {
  let release: (() => void) | undefined;
  await waitUntil(() => (release = tryLock(home, name)) !== undefined, LOCK_WAIT);
  return release;
}

/**
 * Stops a child whose watchdog is gone the way its watchdog would have: SIGTERM to its process
 * group (it leads one), its descendants and what carries its run tag, SIGKILL to what is left
 * after `ttl`. Checks the start time first, so that a pid the system has since given to another
 * process is never signalled. Returns whether all of it is gone.
 */
export async function stopOrphan(pid: number, start: string, ttl: number): Promise<boolean> {
  const gone = (): boolean => !isSameProcess(pid, start);
  if (gone()) return true;
  const runTag = environValue(pid, RUN_TAG);
  // Not our child: there is no exit event to wait for, only /proc to look at.
  const target = { pid, hasExited: gone, exited: new Promise(() => {}), ...(runTag && { runTag }) };
  await stopProcesses(target, { signal: 'SIGTERM', ttl, killTree: true });
  return gone() && groupMembers(pid).length === 0;
}

/** Marks a dead watchdog's record stopped (under the name's lock, so a start is never undone). */
function markStopped(home: string, record: AppRecord): void {
  const release = tryLock(home, record.name);
  if (!release) return;
  try {
    const now = readRecord(home, record.name);
    if (now && now.watchdogPid === record.watchdogPid && now.watchdogStart === record.watchdogStart) {
      writeRecord(home, { ...now, status: 'stopped', childPid: null, childStart: null, childStartedAt: null, updatedAt: Date.now() });
    }
  } finally {
    release();
  }
}

export type StopOutcome = 'stopped' | 'orphan-stopped' | 'not-running' | 'timed-out';

/**
 * Stops a named app and returns once its watchdog and child are gone. A living watchdog gets
 * SIGTERM and stops its child its own way; an orphan is stopped here.
 */
export async function stopApp(home: string, checked: Checked): Promise<StopOutcome> {
  const { record } = checked;
  if (checked.watchdogAlive) {
    send(record.watchdogPid, 'SIGTERM');
    const gone = (): boolean =>
      !isSameProcess(record.watchdogPid, record.watchdogStart) && !isSameProcess(record.childPid, record.childStart);
    if (await waitUntil(gone, record.killTTL + STOP_GRACE)) return 'stopped';
    // A watchdog that does not stop in time: stop both the hard way.
    send(record.watchdogPid, 'SIGKILL');
    if (record.childPid && record.childStart) await stopOrphan(record.childPid, record.childStart, 0);
    markStopped(home, record);
    return 'timed-out';
  }
  if (checked.childAlive && record.childPid && record.childStart) {
    await stopOrphan(record.childPid, record.childStart, record.killTTL);
    markStopped(home, record);
    return 'orphan-stopped';
  }
  if (record.status !== 'stopped' && record.status !== 'gave-up') markStopped(home, record);
  return 'not-running';
}

/**
 * Asks a watchdog to restart its child (SIGUSR2) and waits until a new child runs. Returns the
 * new record, or undefined if none came in time.
 */
export async function restartApp(home: string, checked: Checked): Promise<AppRecord | undefined> {
  const { record } = checked;
  send(record.watchdogPid, 'SIGUSR2');
  let latest: AppRecord | undefined;
  const restarted = (): boolean => {
    try {
      latest = readRecord(home, record.name);
    } catch {
      return false;
    }
    return latest !== undefined && latest.restarts > record.restarts && latest.status === 'running' &&
      check(latest).childAlive;
  };
  return (await waitUntil(restarted, record.killTTL + STOP_GRACE)) ? latest : undefined;
}

/**
 * Asks a watchdog to reload its child (SIGPWR) and waits until the new child replaced the old one
 * (the record's child changes) or the reload failed (the record says why).
 */
export async function reloadApp(home: string, checked: Checked): Promise<{ record?: AppRecord; failed?: string }> {
  const { record } = checked;
  send(record.watchdogPid, 'SIGPWR');
  let latest: AppRecord | undefined;
  let failed: string | undefined;
  const settled = (): boolean => {
    try {
      latest = readRecord(home, record.name);
    } catch {
      return false;
    }
    if (latest?.reason?.startsWith('reload failed') && latest.updatedAt > record.updatedAt) failed = latest.reason;
    return failed !== undefined || (latest !== undefined && latest.childPid !== record.childPid && latest.reloadingPid === undefined);
  };
  // The new child must run `minUptime` (at least 1 s), then the old one stops within killTTL.
  const done = await waitUntil(settled, record.killTTL + STOP_GRACE);
  return failed ? { failed } : done ? { record: latest } : {};
}

export type DeleteOutcome =
  /** The record is gone; `logs` are the app's log files that exist, kept. */
  | { readonly kind: 'deleted'; readonly logs: readonly string[] }
  | { readonly kind: 'unknown' }
  /** Its watchdog runs, or its orphaned child does: it must be stopped first. */
  | { readonly kind: 'running'; readonly checked: Checked }
  /** Another keepalive holds the name's lock (a start or stop under way). */
  | { readonly kind: 'busy' };

/**
 * Removes the record of an app that is not running, under the name's lock, so that a start at
 * the same moment is never undone: it either runs before (and the app is running) or after (and
 * writes a new record). Log files are kept. A record that cannot be read is removed too.
 */
export async function deleteApp(home: string, name: string): Promise<DeleteOutcome> {
  const release = await lockName(home, name);
  if (!release) return { kind: 'busy' };
  try {
    let record: AppRecord | undefined;
    let files: readonly string[];
    try {
      record = readRecord(home, name);
      if (!record) return { kind: 'unknown' };
      const checked = check(record);
      if (checked.watchdogAlive || checked.childAlive) return { kind: 'running', checked };
      files = logFiles(record);
    } catch (error) {
      // Records are only ever replaced whole, so this one was put there by hand; nothing runs it.
      if (!(error instanceof StateError)) throw error;
      files = Object.values(defaultLogs(home, name));
    }
    try {
      unlinkSync(recordFile(home, name));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { kind: 'unknown' };
      throw new StateError(`cannot delete the record of ${name}: ${(error as Error).message}`);
    }
    // Its metrics go with it, so that node_exporter stops reporting an app that no longer exists.
    for (const file of new Set([path.join(metricsFolder(home), `${name}.prom`), record?.metricsFile])) {
      if (file !== undefined) rmSync(file, { force: true });
    }
    return { kind: 'deleted', logs: files.filter((file) => existsSync(file)) };
  } finally {
    release();
  }
}
