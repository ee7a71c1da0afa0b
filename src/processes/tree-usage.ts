import { closeSync, existsSync, openSync, readSync } from 'node:fs';
import { descendantsOf, groupMembers, readProcessTable, type ProcessEntry } from './process-table.js';

/** What a child and every process of its group and tree use, as a stop would find them. */
export interface TreeUsage {
  /** Resident memory of them all, in bytes. */
  readonly bytes: number;
  /** CPU time of them all (and of the children they reaped), in seconds. */
  readonly cpuSeconds: number;
  /** How many processes were counted. */
  readonly processes: number;
  /** The one with the most resident memory. */
  readonly largest: { readonly pid: number; readonly name: string; readonly bytes: number };
}

/** True where resident memory and CPU times can be read (/proc, Linux). */
export function canMeasureProcesses(): boolean {
  return existsSync('/proc/self/stat');
}

/** Linux's USER_HZ, the unit of CPU times in /proc: fixed at 100 by the kernel's ABI on every architecture. */
const TICKS_PER_SECOND = 100;

let pageSize: number | undefined;

/** The kernel's page size (4 KiB on x86-64, 16 or 64 KiB on some ARM), from the head of /proc/self/smaps. */
function kernelPageSize(): number {
  if (pageSize !== undefined) return pageSize;
  pageSize = 4096;
  try {
    const fd = openSync('/proc/self/smaps', 'r');
    try {
      const head = Buffer.alloc(4096);
      const text = head.toString('latin1', 0, readSync(fd, head, 0, head.length, null));
      const kib = /KernelPageSize:\s+(\d+) kB/.exec(text)?.[1];
      if (kib !== undefined) pageSize = Number(kib) * 1024;
    } finally {
      closeSync(fd);
    }
  } catch {
    // Keep 4 KiB.
  }
  return pageSize;
}

/** The living processes of a child's tree: itself, its process group, and its descendants wherever they went. */
export function treeOf(pid: number, table: readonly ProcessEntry[]): ProcessEntry[] {
  const found = new Map<number, ProcessEntry>();
  const self = table.find((entry) => entry.pid === pid);
  if (self && !self.zombie) found.set(pid, self);
  for (const entry of groupMembers(pid, table)) found.set(entry.pid, entry);
  for (const entry of descendantsOf(pid, table)) found.set(entry.pid, entry);
  return [...found.values()];
}

/** Sums what the tree of `pid` uses; undefined when nothing of it is alive. */
export function treeUsage(pid: number, table: readonly ProcessEntry[] = readProcessTable()): TreeUsage | undefined {
  const tree = treeOf(pid, table);
  if (tree.length === 0) return undefined;
  const page = kernelPageSize();
  let bytes = 0;
  let ticks = 0;
  let largest = { pid, name: '', bytes: -1 };
  for (const entry of tree) {
    const rss = entry.rssPages * page;
    bytes += rss;
    ticks += entry.cpuTicks;
    if (rss > largest.bytes) largest = { pid: entry.pid, name: entry.name, bytes: rss };
  }
  return { bytes, cpuSeconds: ticks / TICKS_PER_SECOND, processes: tree.length, largest };
}

/** CPU use between two samples of one tree, in percent of one core (200 is two cores busy). */
export function cpuPercent(before: Pick<TreeUsage, 'cpuSeconds'>, after: Pick<TreeUsage, 'cpuSeconds'>, seconds: number): number {
  if (seconds <= 0) return 0;
  return Math.max(0, ((after.cpuSeconds - before.cpuSeconds) / seconds) * 100);
}
