import type { MonitorState, StatusEvent } from './events.js';

/**
 * The states of a named app, in one place: what its watchdog records, what `list` shows, and
 * the two rules between them and the Monitor's own state.
 */

/** What a watchdog records it is doing: the Monitor's states, and `starting` before its first child. */
export type RecordedStatus = 'starting' | 'running' | 'waiting' | 'stopping' | 'stopped' | 'gave-up';

/** What `list` shows: the recorded status checked against /proc. */
export type AppStatus =
  | 'starting' | 'running' | 'waiting to restart' | 'stopping' | 'gave up' | 'stopped'
  /** The watchdog is gone (killed), and its child runs on. */
  | 'orphaned'
  /** The watchdog ended without stopping its child (killed), and the child is gone too. */
  | 'watchdog died';

const SHOWN: Record<RecordedStatus, AppStatus> = {
  starting: 'starting', running: 'running', waiting: 'waiting to restart', stopping: 'stopping', stopped: 'stopped', 'gave-up': 'gave up',
};

/** What `list` shows for a record, given whether its watchdog and its child still run. */
export function shownStatus(recorded: RecordedStatus, watchdogAlive: boolean, childAlive: boolean): AppStatus {
  if (watchdogAlive) return SHOWN[recorded];
  if (childAlive) return 'orphaned';
  // A watchdog that ended by itself recorded how; any other status was cut short.
  return recorded === 'gave-up' || recorded === 'stopped' ? SHOWN[recorded] : 'watchdog died';
}

/**
 * The status a watchdog records after a status event of its Monitor; undefined keeps the current
 * one. A child that must say it is ready (`awaitsReady`) is `starting` until it does.
 */
export function recordedAfter(event: StatusEvent, monitorState: MonitorState, awaitsReady = false): RecordedStatus | undefined {
  switch (event.type) {
    case 'started':
      return awaitsReady ? 'starting' : 'running';
    case 'ready':
      return 'running';
    case 'exited':
    case 'spawn-failed':
      return monitorState === 'stopping' ? 'stopping' : 'waiting';
    case 'restarting':
      return event.delay > 0 ? 'waiting' : undefined;
    case 'stopping':
      return monitorState === 'stopping' ? 'stopping' : undefined;
    case 'gave-up':
      return 'gave-up';
    case 'stopped':
      return 'stopped';
    default:
      return undefined;
  }
}

/** What `list` shows of a child's health, with `ready` or `healthCheck`: failures in a row of the threshold. */
export type Health = 'starting' | 'healthy' | `unhealthy ${number}/${number}`;

/**
 * A child's health after a status event, when it is watched (`ready` or `healthCheck` is set):
 * `starting` from its spawn until it is ready or first passes its check, then `healthy` or
 * `unhealthy 2/3`; undefined once no child runs.
 */
export function healthAfter(event: StatusEvent, current: Health | undefined, watched: boolean): Health | undefined {
  if (!watched) return undefined;
  switch (event.type) {
    case 'started':
      return 'starting';
    case 'ready':
    case 'healthy':
      return 'healthy';
    case 'health-failed':
      return `unhealthy ${event.count}/${event.threshold}`;
    case 'exited':
    case 'spawn-failed':
    case 'stopped':
    case 'gave-up':
      return undefined;
    default:
      return current;
  }
}
