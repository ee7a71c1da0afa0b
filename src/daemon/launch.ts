import { spawn } from 'node:child_process';
import { closeSync, constants, openSync } from 'node:fs';
import { lockName, stopOrphan, waitUntil } from './control.js';
import { check, ensureHome, readRecord, StateError, type AppRecord } from './state.js';
import { DAEMON_ENV } from './named-options.js';

/** How long a start waits for its watchdog to start the child. */
const START_WAIT = 30_000;

/** A start that cannot go ahead: one line for the user, exit status 1. */
export class StartError extends Error {
  override readonly name = 'StartError';
}

/**
 * Claims a name for a new watchdog: takes its lock (waiting for another start of it to finish),
 * refuses if its watchdog runs, and stops an orphaned child left by a killed watchdog, so that
 * there is never a second copy. Returns the function that releases the lock.
 */
export async function claimName(home: string, name: string, say: (text: string) => void): Promise<() => void> {
  ensureHome(home);
  const release = await lockName(home, name);
  if (!release) throw new StartError(`${name} is being started or stopped by another keepalive; try again`);
  try {
    let existing: AppRecord | undefined;
    try {
      existing = readRecord(home, name);
    } catch (error) {
      // Records are only ever replaced whole, so this one was put there by hand: it is replaced.
      if (!(error instanceof StateError)) throw error;
      say(`replacing ${error.message.replace(/^cannot read /, '')}`);
    }
    if (existing) {
      const checked = check(existing);
      if (checked.watchdogAlive) {
        throw new StartError(`${name} is already running (watchdog pid ${existing.watchdogPid}${existing.childPid ? `, child pid ${existing.childPid}` : ''}); stop it first`);
      }
      if (checked.childAlive && existing.childPid && existing.childStart) {
        say(`stopping the orphaned child pid ${existing.childPid} of ${name} (its watchdog is gone)`);
        if (!(await stopOrphan(existing.childPid, existing.childStart, existing.killTTL))) {
          throw new StartError(`cannot stop the orphaned child pid ${existing.childPid} of ${name}`);
        }
      }
    }
    return release;
  } catch (error) {
    release();
    throw error;
  }
}

export interface LaunchRequest {
  readonly home: string;
  readonly name: string;
  /** The bin to run: `node <bin> <argv...>`. */
  readonly bin: string;
  /** The command line as given; the watchdog reads it again, in the foreground. */
  readonly argv: readonly string[];
  readonly cwd: string;
  /** The watchdog's own stdout and stderr (its status lines). */
  readonly watchdogLog: string;
  /**
   * A first run that lives this long has started; one that ends sooner failed at once. With
   * `ready`, 0: the record says `running` only once the child is ready.
   */
  readonly settle: number;
  /** How long to wait for that, in ms (longer than readyTimeout and killTTL). */
  readonly wait?: number;
  readonly say: (text: string) => void;
}

/**
 * How a launch ended: the child runs; or its first run ended early and the watchdog waits to start
 * it again by its rules (`retryDelay` ms), as systemd and pm2 keep retrying a service.
 */
export type Launched =
  | { readonly outcome: 'running'; readonly record: AppRecord }
  | { readonly outcome: 'retrying'; readonly record: AppRecord & { readonly retryDelay: number } };

/**
 * Starts a detached watchdog for `name` and returns its record once its child has run for
 * `settle` ms, or once its first run ended sooner and the watchdog waits to retry (the watchdog
 * stays). Throws StartError if the name is taken, or if the watchdog gave up or ended (it is then
 * gone: such a start leaves nothing running).
 */
export async function launch(request: LaunchRequest): Promise<Launched> {
  const { home, name, say } = request;
  const release = await claimName(home, name, say);
  try {
    const log = openSync(request.watchdogLog, constants.O_WRONLY | constants.O_APPEND | constants.O_CREAT | constants.O_NOFOLLOW, 0o600);
    const env = { ...process.env, KEEPALIVE_HOME: home, [DAEMON_ENV]: name };
    const watchdog = (() => {
      try {
        return spawn(process.execPath, [request.bin, ...request.argv], {
          cwd: request.cwd, env, detached: true, stdio: ['ignore', log, log],
        });
      } finally {
        closeSync(log);
      }
    })();
    let ended = false;
    watchdog.on('exit', () => (ended = true));
    watchdog.on('error', () => (ended = true));
    watchdog.unref();
    const pid = watchdog.pid;
    if (pid === undefined) throw new StartError(`cannot start a watchdog for ${name}`);

    let record: AppRecord | undefined;
    let failure: string | undefined;
    let retrying: (AppRecord & { readonly retryDelay: number }) | undefined;
    const settled = (): boolean => {
      try {
        record = readRecord(home, name);
      } catch {
        record = undefined; // Never half-written; unreadable only if someone else broke it.
      }
      const mine = record?.watchdogPid === pid ? record : undefined;
      if (mine?.status === 'running' && mine.childStartedAt !== null && check(mine).childAlive) {
        return Date.now() - mine.childStartedAt >= request.settle;
      }
      // "waiting" without a delay: the child just ended, and the watchdog is deciding what next.
      if (mine?.status === 'waiting' && typeof mine.retryDelay === 'number' && !ended) {
        retrying = { ...mine, retryDelay: mine.retryDelay };
        return true;
      }
      if (mine && (mine.status === 'gave-up' || mine.status === 'stopped')) {
        failure = mine.reason ?? mine.status;
        return true;
      }
      if (ended) {
        failure = mine?.reason ?? 'the watchdog ended at once';
        return true;
      }
      return false;
    };
    const wait = request.wait ?? START_WAIT;
    if (!(await waitUntil(settled, wait))) failure = `the child did not start within ${wait / 1000} s`;
    if (retrying) return { outcome: 'retrying', record: retrying };
    if (failure === undefined && record) return { outcome: 'running', record };

    // Gave up, or did not start in time: leave nothing running.
    try {
      process.kill(pid, 'SIGTERM');
    } catch {
      // Gone already.
    }
    await waitUntil(() => ended, START_WAIT);
    throw new StartError(`${name} failed to start: ${failure} (see keepalive logs ${name})`);
  } finally {
    release();
  }
}
