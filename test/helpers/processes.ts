// The process table as the tests see it, read through src/processes/process-table.ts, and the
// clean-up of processes a failing test leaves behind.
import { readFileSync } from 'node:fs';
import { after } from 'node:test';
import { hasProcTable, readProcess, readProcessTable } from '../../src/processes/process-table.js';
import { poll } from './polling.js';

/** For tests that read /proc. */
export const onLinux = { skip: !hasProcTable && 'needs /proc (Linux)' };

/** True if `pid` runs (a zombie, dead but unreaped, does not count). */
export function isRunning(pid: number): boolean {
  const entry = readProcess(pid);
  return entry !== undefined && !entry.zombie;
}

/** The parent pid of a process, or undefined once it is gone. */
export function parentOf(pid: number): number | undefined {
  return readProcess(pid)?.ppid;
}

/** The arguments a process was started with, or undefined once it is gone. */
export function commandLine(pid: number): string[] | undefined {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').slice(0, -1);
  } catch {
    return undefined;
  }
}

function mentions(pid: number, marker: string): boolean {
  return commandLine(pid)?.some((word) => word.includes(marker)) ?? false;
}

/** The living children of `parent`. */
export function childrenOf(parent: number): number[] {
  return readProcessTable()
    .filter((entry) => entry.ppid === parent && !entry.zombie)
    .map((entry) => entry.pid);
}

/** The living children of this process whose command line mentions `marker`. */
export function liveChildren(marker: string): number[] {
  return childrenOf(process.pid).filter((pid) => mentions(pid, marker));
}

/** Every living process but this one (any parent) whose command line mentions `marker`. */
export function liveProcesses(marker: string): number[] {
  return readProcessTable()
    .filter((entry) => !entry.zombie && entry.pid !== process.pid && mentions(entry.pid, marker))
    .map((entry) => entry.pid);
}

/** Polls until none of `pids` runs, or `ms` passed; returns those still running. */
export async function survivorsAfter(pids: Iterable<number>, ms: number): Promise<number[]> {
  const list = [...pids];
  await poll(() => !list.some(isRunning), ms);
  return list.filter(isRunning);
}

/** SIGKILLs pids left over by a failing test, so that one failure does not leak into the next. */
export function killAll(pids: Iterable<number>): void {
  for (const pid of pids) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // Already gone.
    }
  }
}

/** A set of pids that are SIGKILLed when the test file ends: add every pid a test starts. */
export function killAtEnd(): Set<number> {
  const pids = new Set<number>();
  after(() => killAll(pids));
  return pids;
}
