import { Cron } from 'croner';
import type { FeatureFactory } from './feature.js';

/** When a schedule fires next after `from`, in its time zone: what the status line says. */
export function nextCronRun(expression: string, timezone: string | undefined, from: Date): Date | null {
  const job = new Cron(expression, { ...(timezone === undefined ? {} : { timezone }), paused: true });
  try {
    return job.nextRun(from);
  } finally {
    job.stop();
  }
}

/**
 * `cronRestart`: a graceful restart, with the reason `cron`, at each time of the schedule (in
 * `cronTimezone`). It reaches the restart rule as a requested restart, so it counts towards
 * neither `max` nor the backoff. The next time is said at start and after each restart. The
 * schedule ends with the monitor: a monitor that gave up is not revived.
 */
export const cronRestartFeature: FeatureFactory = (host) => {
  const { cronRestart, cronTimezone } = host.options;
  if (cronRestart === undefined) return undefined;
  const announce = (next: Date | null): void => {
    if (next) host.status({ type: 'cron-scheduled', next: next.toISOString() });
  };
  // protect: a run never overlaps the previous one (a restart is asked for and returns at once anyway).
  const job = new Cron(cronRestart, { ...(cronTimezone === undefined ? {} : { timezone: cronTimezone }), protect: true }, () => {
    host.restart('cron');
    announce(job.nextRun());
  });
  announce(job.nextRun());
  return { close: () => job.stop() };
};
