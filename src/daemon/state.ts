import { closeSync, constants, fchmodSync, linkSync, lstatSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, unlinkSync } from 'node:fs';
import { homedir } from 'node:os';
import path from 'node:path';
import { createExclusive, tempName, writeAtomically } from '../files/atomic-write.js';
import { isSameProcess, startTimeOf } from '../processes/process-table.js';
import { shownStatus, type AppStatus, type Health, type RecordedStatus } from '../vocabulary/app-status.js';

/**
 * The state folder of named watchdogs: one JSON record per name, written by the watchdog itself
 * on each status event. There is no daemon: the records and /proc are the whole truth.
 */

export interface AppRecord {
  readonly name: string;
  /** The watchdog: its pid and its /proc start time (field 22, clock ticks since boot). */
  readonly watchdogPid: number;
  readonly watchdogStart: string;
  /** The current child, if one runs; its start time tells it from a later process with its pid. */
  readonly childPid: number | null;
  readonly childStart: string | null;
  /** When the child started, in ms since the epoch (for uptime). */
  readonly childStartedAt: number | null;
  /** While a reload runs: the new child, started beside `childPid`, which it replaces once ready. */
  readonly reloadingPid?: number;
  readonly script: string | readonly string[];
  readonly args: readonly string[];
  readonly cwd: string;
  readonly logs: { readonly out?: string; readonly err?: string; readonly log?: string; readonly watchdog?: string };
  /** How long a stop waits before SIGKILL, so that `stop` can do the same for an orphan. */
  readonly killTTL: number;
  readonly restarts: number;
  readonly status: RecordedStatus;
  /** The child's health, with `ready` or `healthCheck`: `starting`, `healthy`, `unhealthy 2/3`. */
  readonly health?: Health;
  /** The last exit or give-up, in words, for `start -d` to report. */
  readonly reason?: string;
  /** While the watchdog waits to start the child again: how long it waits, in ms. */
  readonly retryDelay?: number;
  /**
   * The command line as given to keepalive (`start -d --name api server.js`) and the folder it was
   * given in: what `start <name>` and `restart <name>` run again. Missing in older records.
   */
  readonly argv?: readonly string[];
  readonly argvCwd?: string;
  /** `restarts` split by reason (`crash`, `memory-limit`, `unhealthy`, `requested`, `watch`, ...). Missing in older records. */
  readonly restartsByReason?: Readonly<Record<string, number>>;
  /** The Prometheus metrics file the watchdog keeps. Missing in older records. */
  readonly metricsFile?: string;
  readonly updatedAt: number;
}

/** A name never ends like a script, so that `restart app.js` is caught as a mix-up. */
export const SCRIPT_SUFFIX = /\.(c|m)?(js|ts)$|\.json$/i;

/** Names are file names: letters, digits, dot, dash, underscore; no leading dot. */
const NAME = /^[A-Za-z0-9_][A-Za-z0-9._-]{0,99}$/;

export function isValidName(name: string): boolean {
  return NAME.test(name) && !SCRIPT_SUFFIX.test(name);
}

/** `$KEEPALIVE_HOME`, or `~/.keepalive`. */
export function homeFolder(env: NodeJS.ProcessEnv = process.env): string {
  return path.resolve(env.KEEPALIVE_HOME || path.join(homedir(), '.keepalive'));
}

/** A state folder that cannot be used: one line for the user, exit status 1. */
export class StateError extends Error {
  override readonly name = 'StateError';
}

/**
 * Creates the folder (0700) and its logs folder, or checks an existing one: a real directory,
 * ours, and not open to others (tightened to 0700 if it is).
 */
export function ensureHome(home: string): void {
  for (const dir of [home, path.join(home, 'logs')]) {
    try {
      mkdirSync(dir, { recursive: true, mode: 0o700 });
    } catch (error) {
      throw new StateError(`cannot create ${dir}: ${(error as Error).message}`);
    }
    const stat = lstatSync(dir);
    if (!stat.isDirectory()) throw new StateError(`${dir} is not a directory`);
    if (typeof process.getuid === 'function' && stat.uid !== process.getuid()) {
      throw new StateError(`${dir} belongs to another user (uid ${stat.uid})`);
    }
    if ((stat.mode & 0o077) !== 0) {
      const fd = openSync(dir, constants.O_RDONLY | constants.O_DIRECTORY | constants.O_NOFOLLOW);
      try {
        fchmodSync(fd, 0o700);
      } finally {
        closeSync(fd);
      }
    }
  }
}

export function recordFile(home: string, name: string): string {
  return path.join(home, `${name}.json`);
}

/** The folder of named apps' metrics files: point node_exporter's textfile collector at it. */
export function metricsFolder(home: string): string {
  return path.join(home, 'metrics');
}

/** Default log files of a named app. */
export function defaultLogs(home: string, name: string): { out: string; err: string; watchdog: string } {
  const logs = path.join(home, 'logs');
  return {
    out: path.join(logs, `${name}.out.log`),
    err: path.join(logs, `${name}.err.log`),
    watchdog: path.join(logs, `${name}.keepalive.log`),
  };
}

export function writeRecord(home: string, record: AppRecord): void {
  writeAtomically(recordFile(home, record.name), `${JSON.stringify(record, null, 2)}\n`, 0o600);
}

function isRecord(data: unknown): data is AppRecord {
  if (typeof data !== 'object' || data === null) return false;
  const record = data as Record<string, unknown>;
  return typeof record.name === 'string' && typeof record.watchdogPid === 'number' &&
    typeof record.watchdogStart === 'string' && typeof record.status === 'string' &&
    typeof record.restarts === 'number' && typeof record.updatedAt === 'number';
}

/** One record, or undefined if there is none. A record that cannot be read is an error. */
export function readRecord(home: string, name: string): AppRecord | undefined {
  let text: string;
  try {
    const fd = openSync(recordFile(home, name), constants.O_RDONLY | constants.O_NOFOLLOW);
    try {
      text = readFileSync(fd, 'utf8');
    } finally {
      closeSync(fd);
    }
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new StateError(`cannot read the record of ${name}: ${(error as Error).message}`);
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    throw new StateError(`the record of ${name} (${recordFile(home, name)}) is not valid JSON`);
  }
  if (!isRecord(data) || data.name !== name) throw new StateError(`the record of ${name} (${recordFile(home, name)}) is malformed`);
  return data;
}

/** Every name that has a record, sorted. */
export function recordNames(home: string): string[] {
  let files: string[];
  try {
    files = readdirSync(home);
  } catch {
    return [];
  }
  return files
    .filter((file) => file.endsWith('.json'))
    .map((file) => file.slice(0, -'.json'.length))
    .filter(isValidName)
    .sort();
}

export interface Checked {
  readonly record: AppRecord;
  readonly status: AppStatus;
  readonly watchdogAlive: boolean;
  readonly childAlive: boolean;
}

/** A record checked against /proc: a dead watchdog's record is never taken at its word. */
export function check(record: AppRecord): Checked {
  const watchdogAlive = isSameProcess(record.watchdogPid, record.watchdogStart);
  const childAlive = isSameProcess(record.childPid, record.childStart);
  return { record, status: shownStatus(record.status, watchdogAlive, childAlive), watchdogAlive, childAlive };
}

/** A lock file's content: whose it is. */
interface LockOwner {
  readonly pid: number;
  readonly start: string;
}

function readLock(file: string): LockOwner | undefined {
  try {
    const data = JSON.parse(readFileSync(file, 'utf8')) as Partial<LockOwner>;
    return typeof data.pid === 'number' && typeof data.start === 'string' ? { pid: data.pid, start: data.start } : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Takes the lock of a name (`<name>.lock`, O_EXCL) or returns undefined if a living process holds
 * it. A lock left by a dead process (pid and start time no longer match) is taken over: renamed
 * aside first, so that of two processes that both saw it stale, only one removes it.
 */
export function tryLock(home: string, name: string): (() => void) | undefined {
  const file = path.join(home, `${name}.lock`);
  const me = { pid: process.pid, start: startTimeOf(process.pid) ?? '' };
  for (let attempt = 0; attempt < 5; attempt++) {
    try {
      createExclusive(file, JSON.stringify(me), 0o600);
      return () => {
        const owner = readLock(file);
        if (owner?.pid === me.pid && owner.start === me.start) unlinkSync(file);
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const owner = readLock(file);
    // A lock being written has no content yet: its owner is alive.
    if (owner === undefined && lockAge(file) < 5000) return undefined;
    if (owner && isSameProcess(owner.pid, owner.start)) return undefined;
    const aside = tempName(file);
    try {
      renameSync(file, aside);
    } catch {
      continue; // Someone else moved it first.
    }
    const moved = readLock(aside);
    if (moved && isSameProcess(moved.pid, moved.start)) {
      // It was a fresh lock, not the stale one: put it back if nothing took its place.
      try {
        linkSync(aside, file);
      } catch {
        // The place is taken; the owner will find its lock gone, which only costs a retry.
      }
      unlinkSync(aside);
      return undefined;
    }
    unlinkSync(aside);
  }
  return undefined;
}

function lockAge(file: string): number {
  try {
    return Date.now() - lstatSync(file).mtimeMs;
  } catch {
    return Infinity;
  }
}
