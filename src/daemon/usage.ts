import { setTimeout as delay } from 'node:timers/promises';
import { readProcessTable } from '../processes/process-table.js';
import { canMeasureProcesses, cpuPercent, treeUsage } from '../processes/tree-usage.js';
import type { ListEntry } from './list.js';

/** How long `list` watches the apps' trees for their CPU use, as `top` does between two screens. */
export const CPU_WINDOW_MS = 250;

/**
 * Each running app's CPU (percent of one core over CPU_WINDOW_MS) and resident memory, for its
 * child's whole tree; null for an app whose child is not running. One wait for all the apps.
 */
export async function withUsage(entries: readonly ListEntry[], windowMs = CPU_WINDOW_MS): Promise<ListEntry[]> {
  const running = entries.filter((entry) => entry.childPid !== null);
  if (running.length === 0 || !canMeasureProcesses()) return entries.map((entry) => ({ ...entry, cpuPercent: null, memoryBytes: null }));
  const before = readProcessTable();
  const started = performance.now();
  await delay(windowMs);
  const after = readProcessTable();
  const seconds = (performance.now() - started) / 1000;
  return entries.map((entry) => {
    const first = entry.childPid === null ? undefined : treeUsage(entry.childPid, before);
    const second = entry.childPid === null ? undefined : treeUsage(entry.childPid, after);
    if (!first || !second) return { ...entry, cpuPercent: null, memoryBytes: null };
    return { ...entry, cpuPercent: Math.round(cpuPercent(first, second, seconds) * 10) / 10, memoryBytes: second.bytes };
  });
}
