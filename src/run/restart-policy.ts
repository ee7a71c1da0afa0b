import type { FailureReason, FeatureRestartReason, GiveUpReason, RestartReason } from '../vocabulary/events.js';
import type { ResolvedOptions } from '../options/options.js';

/** The options the restart rule reads. */
export type RestartRules = Pick<
  ResolvedOptions,
  'max' | 'minUptime' | 'spinSleepTime' | 'maxSpinSleepTime' | 'restartWindow' | 'stopExitCodes'
>;

/** What the monitor knows when a run ends. Plain data: no processes, no clocks. */
export interface RunEnd {
  /** Why it ended: on its own, because `restart()` or a feature asked, or because it could not be spawned. */
  readonly cause: 'exited' | 'restart-requested' | 'spawn-failed';
  /** With `restart-requested`: who asked (`requested` for `restart()`, or a feature's reason). */
  readonly requestedFor?: 'requested' | FeatureRestartReason;
  /** With `exited`: the watchdog stopped the child because a feature found it failing. */
  readonly failedFor?: FailureReason;
  /** How long it ran, in ms (0 for a spawn failure). */
  readonly uptime: number;
  /** Exit status: the code, or 128 + signal number; undefined for a spawn failure. */
  readonly status: number | undefined;
  /** When it ended, in ms on any clock the caller also uses for `pastEnds`. */
  readonly endedAt: number;
  /** When earlier unrequested runs ended, oldest first (the monitor keeps the last `max`). */
  readonly pastEnds: readonly number[];
  /** Spinning runs in a row just before this one. */
  readonly spinsInARow: number;
}

export type RestartDecision =
  | { readonly action: 'restart'; readonly delay: number; readonly reason: RestartReason; readonly spinning: boolean; readonly failedFor?: FailureReason }
  | { readonly action: 'give-up'; readonly reason: GiveUpReason; readonly spinning: boolean };

/** A run shorter than `minUptime` is spinning; a spawn failure always is. */
export function isSpinning(end: Pick<RunEnd, 'cause' | 'uptime'>, rules: Pick<RestartRules, 'minUptime'>): boolean {
  return end.cause === 'spawn-failed' || end.uptime < rules.minUptime;
}

/** Counts the unrequested ends that `max` is measured against, this one included. */
function endsThatCount(end: RunEnd, rules: RestartRules): number {
  if (rules.restartWindow === undefined) return end.pastEnds.length + 1;
  const since = end.endedAt - rules.restartWindow;
  let count = 1;
  for (const at of end.pastEnds) if (at > since) count++;
  return count;
}

/** The wait before restarting a spinning child: spinSleepTime, doubled per spin in a row up to the cap. */
function spinDelay(spinsBefore: number, rules: RestartRules): { delay: number; reason: RestartReason } {
  const base = rules.spinSleepTime ?? 0;
  if (rules.maxSpinSleepTime === undefined || spinsBefore === 0) return { delay: base, reason: 'spinning' };
  const doubled = base * 2 ** Math.min(spinsBefore, 52);
  return { delay: Math.min(doubled, rules.maxSpinSleepTime), reason: 'backoff' };
}

/**
 * forever's restart rule, with keepalive's additions (backoff, a window for `max`, final exit
 * codes). A requested restart always happens at once and does not count towards `max`.
 */
export function decideRestart(end: RunEnd, rules: RestartRules): RestartDecision {
  const spinning = isSpinning(end, rules);
  if (end.cause === 'restart-requested') return { action: 'restart', delay: 0, reason: end.requestedFor ?? 'requested', spinning };

  if (end.status !== undefined && rules.stopExitCodes.includes(end.status)) {
    return { action: 'give-up', reason: 'stop-exit-code', spinning };
  }
  if (endsThatCount(end, rules) >= rules.max) return { action: 'give-up', reason: 'max', spinning };
  if (!spinning) return { action: 'restart', delay: 0, reason: end.failedFor ?? 'exited', spinning, ...(end.failedFor && { failedFor: end.failedFor }) };
  if (rules.spinSleepTime === undefined) return { action: 'give-up', reason: 'spinning', spinning };
  return { action: 'restart', ...spinDelay(end.spinsInARow, rules), spinning, ...(end.failedFor && { failedFor: end.failedFor }) };
}

/**
 * The past ends to keep after one at `at`: what `max` needs, at most max - 1 of them, and none
 * older than `restartWindow`. Requested restarts are not remembered: they never count.
 */
export function rememberEnd(pastEnds: readonly number[], at: number, rules: Pick<RestartRules, 'max' | 'restartWindow'>): number[] {
  if (!Number.isFinite(rules.max)) return [];
  const since = rules.restartWindow === undefined ? -Infinity : at - rules.restartWindow;
  const recent = [...pastEnds, at].filter((end) => end > since);
  return recent.slice(Math.max(0, recent.length - (rules.max - 1)));
}
