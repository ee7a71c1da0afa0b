import path from 'node:path';
import { createFolderOf } from '../files/folders.js';
import { writeAtomically } from '../files/atomic-write.js';
import { metricsText, type AppMetrics } from '../output/metrics-text.js';
import { treeUsage } from '../processes/tree-usage.js';
import { KeepaliveError } from '../vocabulary/errors.js';
import { countedReason, type StatusEvent } from '../vocabulary/events.js';
import type { FeatureFactory } from './feature.js';

/** How often the tree's memory and CPU time are measured for the metrics file. */
export const METRICS_INTERVAL = 5000;

/** The name an app goes by in hooks and metrics: `id`, or the script's base name. */
export function appName(options: { readonly id: string | undefined; readonly file: string | undefined; readonly command: string }): string {
  return options.id ?? (options.file === undefined ? path.basename(options.command) : path.basename(options.file).replace(/\.[cm]?[jt]s$/, ''));
}

/**
 * `metricsFile`: Prometheus metrics of the child (node_exporter's textfile format), rewritten
 * atomically (a temp file, then rename) at each status event and every METRICS_INTERVAL ms.
 */
export const metricsFeature: FeatureFactory = (host) => {
  const file = host.options.metricsFile;
  if (file === undefined) return undefined;
  try {
    createFolderOf(file);
  } catch (error) {
    throw new KeepaliveError('LOG_PATH', `metricsFile ${JSON.stringify(file)}: ${(error as Error).message}`, { cause: error });
  }
  const app = appName(host.options);
  const restarts: Record<string, number> = {};
  let pid: number | undefined;
  let startedAt: number | undefined;
  let lastExitStatus: number | undefined;
  let pendingReason: string | undefined;
  /** CPU time of the runs that ended, and the last measure of the current one. */
  let pastCpu = 0;
  let runCpu = 0;
  let memoryBytes: number | undefined;
  let failing = false;

  const write = (): void => {
    const metrics: AppMetrics = {
      app, up: pid !== undefined, restarts, memoryBytes, cpuSeconds: pastCpu + runCpu, lastExitStatus,
      startTimeSeconds: startedAt === undefined ? undefined : Math.floor(startedAt / 1000),
    };
    try {
      writeAtomically(file, metricsText([metrics]), 0o644);
      failing = false;
    } catch (error) {
      // Said once per streak of failures, as for the log files.
      if (!failing) host.report(new KeepaliveError('OUTPUT_FAILED', `metricsFile ${JSON.stringify(file)}: ${(error as Error).message}`, { cause: error }));
      failing = true;
    }
  };
  const measure = (): void => {
    if (pid === undefined) return;
    const usage = treeUsage(pid);
    memoryBytes = usage?.bytes;
    if (usage) runCpu = usage.cpuSeconds;
  };
  const onStatus = (event: StatusEvent): void => {
    if (event.type === 'started') {
      [pid, startedAt, runCpu] = [event.pid, Date.now(), 0];
      if (pendingReason !== undefined) restarts[pendingReason] = (restarts[pendingReason] ?? 0) + 1;
      pendingReason = undefined;
      measure();
    } else if (event.type === 'exited') {
      [pid, startedAt, memoryBytes, lastExitStatus] = [undefined, undefined, undefined, event.status];
      pastCpu += runCpu;
      runCpu = 0;
    } else if (event.type === 'restarting') {
      pendingReason = countedReason(event);
    } else if (event.type !== 'gave-up' && event.type !== 'stopped' && event.type !== 'spawn-failed') {
      return;
    }
    write();
  };
  const stopListening = host.onStatus(onStatus);
  const timer = setInterval(() => {
    measure();
    write();
  }, METRICS_INTERVAL).unref();
  write();
  return {
    close() {
      clearInterval(timer);
      // The monitor says it stopped or gave up just after it closes its features.
      queueMicrotask(stopListening);
    },
  };
};
