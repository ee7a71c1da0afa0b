// Shared tools of the torture tests: a seeded random source, /proc views of processes, and a
// recorder of the failures a host must never see (uncaught exceptions, unhandled rejections).
import { readdirSync, readFileSync } from 'node:fs';
import { setTimeout as delay } from 'node:timers/promises';
import { isRunning } from './processes.js';

/** A small seeded generator (mulberry32): the same seed gives the same sequence. */
export function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export type Random = ReturnType<typeof random>;

export function pick<T>(next: Random, items: readonly T[]): T {
  return items[Math.floor(next() * items.length)] as T;
}

export function between(next: Random, low: number, high: number): number {
  return low + Math.floor(next() * (high - low + 1));
}

/** The arguments a process was started with, or undefined once it is gone. */
export function commandLine(pid: number): string[] | undefined {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').slice(0, -1);
  } catch {
    return undefined;
  }
}

/** The parent pid of a process, or undefined once it is gone. */
export function parentOf(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'latin1');
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
  } catch {
    return undefined;
  }
}

/** The living (not zombie) direct children of this process whose command line mentions `marker`. */
export function liveChildren(marker: string): number[] {
  const found: number[] = [];
  for (const name of readdirSync('/proc')) {
    const pid = Number(name);
    if (!Number.isInteger(pid) || parentOf(pid) !== process.pid || !isRunning(pid)) continue;
    if (commandLine(pid)?.some((word) => word.includes(marker))) found.push(pid);
  }
  return found;
}

/** Every living process (any parent) whose command line mentions `marker`. */
export function liveProcesses(marker: string): number[] {
  const found: number[] = [];
  for (const name of readdirSync('/proc')) {
    const pid = Number(name);
    if (!Number.isInteger(pid) || pid === process.pid || !isRunning(pid)) continue;
    if (commandLine(pid)?.some((word) => word.includes(marker))) found.push(pid);
  }
  return found;
}

/** Polls /proc until none of `pids` runs, or `ms` passed; returns those still running. */
export async function survivorsAfter(pids: Iterable<number>, ms: number): Promise<number[]> {
  const list = [...pids];
  const deadline = Date.now() + ms;
  for (;;) {
    const left = list.filter(isRunning);
    if (left.length === 0 || Date.now() >= deadline) return left;
    await delay(10);
  }
}

/** How many file descriptors this process has open. */
export function openFds(): number {
  return readdirSync('/proc/self/fd').length;
}

/** Records what must never reach a host: uncaught exceptions, unhandled rejections, warnings. */
export function recordHostFailures(): { readonly failures: string[]; readonly warnings: string[]; remove(): void } {
  const failures: string[] = [];
  const warnings: string[] = [];
  const onException = (error: unknown): void => void failures.push(`uncaught: ${String((error as Error)?.stack ?? error)}`);
  const onRejection = (error: unknown): void => void failures.push(`unhandled rejection: ${String((error as Error)?.stack ?? error)}`);
  const onWarning = (warning: Error): void => void warnings.push(`${warning.name}: ${warning.message}`);
  process.on('uncaughtException', onException);
  process.on('unhandledRejection', onRejection);
  process.on('warning', onWarning);
  return {
    failures,
    warnings,
    remove() {
      process.off('uncaughtException', onException);
      process.off('unhandledRejection', onRejection);
      process.off('warning', onWarning);
    },
  };
}

/** A promise that rejects after `ms` with `what`: for awaits that must not hang a test. */
export function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  const timeout = new AbortController();
  return Promise.race([
    promise.finally(() => timeout.abort()),
    delay(ms, undefined, { signal: timeout.signal, ref: false }).then(
      () => Promise.reject(new Error(`${what}: not within ${ms} ms`)),
      () => new Promise<never>(() => {}),
    ),
  ]);
}
