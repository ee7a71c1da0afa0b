import { closeSync, existsSync, openSync, readdirSync, readSync } from 'node:fs';
import { descendantsOf, groupMembers, readProcess, type ProcessEntry } from './process-table.js';

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

/** One reused buffer for /proc/<pid>/stat: measuring every second must not make garbage every second. */
const statBuffer = Buffer.alloc(1024);
const CLOSE_PAREN = 0x29;
const SPACE = 0x20;

/**
 * Who is related to whom, read lightly: ppid, pgid and zombie state of every process, parsed
 * from the bytes of /proc/<pid>/stat without making strings. The tree's own members are then
 * read in full (readProcess). About a tenth of the allocations of readProcessTable.
 */
function relatedEntries(pid: number): ProcessEntry[] {
  const links: { pid: number; ppid: number; pgid: number }[] = [];
  for (const name of readdirSync('/proc')) {
    const each = Number(name);
    if (!Number.isInteger(each)) continue;
    let length = 0;
    try {
      const fd = openSync(`/proc/${name}/stat`, 'r');
      try {
        length = readSync(fd, statBuffer, 0, statBuffer.length, 0);
      } finally {
        closeSync(fd);
      }
    } catch {
      continue; // Gone since the folder was read.
    }
    let at = statBuffer.lastIndexOf(CLOSE_PAREN, length - 1);
    if (at < 0) continue;
    const state = statBuffer[at + 2];
    const numbers: number[] = [];
    for (at += 4; numbers.length < 2 && at < length; at++) {
      let value = 0;
      for (; at < length && statBuffer[at] !== SPACE; at++) value = value * 10 + ((statBuffer[at] as number) - 48);
      numbers.push(value);
    }
    if (state === 0x5a /* Z */ || state === 0x58 /* X */) continue;
    links.push({ pid: each, ppid: numbers[0] ?? 0, pgid: numbers[1] ?? 0 });
  }
  const light = links.map((link) => ({ ...link, startTime: '', zombie: false, name: '', rssPages: 0, cpuTicks: 0 }));
  return treeOf(pid, light).flatMap((entry) => readProcess(entry.pid) ?? []);
}

/** Sums what the tree of `pid` uses; undefined when nothing of it is alive. A table, if given, is used as read. */
export function treeUsage(pid: number, given?: readonly ProcessEntry[]): TreeUsage | undefined {
  // Without /proc (macOS), nothing to measure: metrics then say nothing of memory, never throw.
  if (given === undefined && !canMeasureProcesses()) return undefined;
  const table = given ?? relatedEntries(pid);
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
