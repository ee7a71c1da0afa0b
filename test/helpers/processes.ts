import { readFileSync } from 'node:fs';
import type { Monitor } from '../../src/index.js';

/** True if `pid` runs (a zombie, dead but unreaped, does not count). */
export function isRunning(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'latin1');
    const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
    return state !== 'Z' && state !== 'X';
  } catch {
    return false;
  }
}

/** Resolves with the first line of the child's stdout that starts with `ready`. */
export function nextReady(monitor: Monitor): Promise<string> {
  return new Promise((resolve) => {
    let text = '';
    const onData = (chunk: Buffer): void => {
      text += chunk.toString();
      const line = text.split('\n').find((candidate) => candidate.startsWith('ready'));
      if (line === undefined) return;
      monitor.off('stdout', onData);
      resolve(line);
    };
    monitor.on('stdout', onData);
  });
}

/** Resolves when the monitor emits `event` (once). */
export function nextEvent(monitor: Monitor, event: 'exit' | 'start' | 'restart' | 'stop' | 'exit:code'): Promise<unknown[]> {
  return new Promise((resolve) => monitor.once(event, (...args: unknown[]) => resolve(args)));
}

/** Kills pids left over by a failing test, so that one failure does not leak into the next. */
export function killAll(pids: Iterable<number>): void {
  for (const pid of pids) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // Already gone.
    }
  }
}
