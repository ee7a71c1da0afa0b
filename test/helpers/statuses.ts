// What keepalive says about a run: a Monitor's status events, the CLI's status lines.
import type { Monitor, StatusEvent } from '../../src/index.js';

/** Every status event the monitor emits from now on, in order (the array fills as they come). */
export function statuses(monitor: Monitor): StatusEvent[] {
  const seen: StatusEvent[] = [];
  monitor.on('status', (event) => seen.push(event));
  return seen;
}

/** The lines of keepalive's status output, without their times. */
export function statusLines(stderr: string): string[] {
  return stderr
    .split('\n')
    .map((line) => /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z keepalive: (.*)$/.exec(line)?.[1])
    .filter((line): line is string => line !== undefined);
}
