// Waiting for what a Monitor says: its events, and a fixture's "ready" line.
import type { Monitor } from '../../src/index.js';

/** Resolves with the first line of the child's `stream` (stdout by default) that starts with `ready`. */
export function nextReady(monitor: Monitor, stream: 'stdout' | 'stderr' = 'stdout'): Promise<string> {
  return new Promise((resolve) => {
    let text = '';
    const onData = (chunk: Buffer): void => {
      text += chunk.toString();
      const line = text.split('\n').find((candidate) => candidate.startsWith('ready'));
      if (line === undefined) return;
      monitor.off(stream, onData);
      resolve(line);
    };
    monitor.on(stream, onData);
  });
}

/** Resolves when the monitor emits `event` (once). */
export function nextEvent(monitor: Monitor, event: 'exit' | 'start' | 'restart' | 'stop' | 'exit:code'): Promise<unknown[]> {
  return new Promise((resolve) => monitor.once(event, (...args: unknown[]) => resolve(args)));
}

/** The pids a fixture's ready line names: "ready <pid> <pid> ...". */
export function readyPids(line: string): [number, ...number[]] {
  const [first, ...more] = line.split(' ').slice(1).map(Number);
  if (first === undefined || !Number.isInteger(first)) throw new Error(`the ready line names no pid: ${JSON.stringify(line)}`);
  return [first, ...more];
}

/** Starts the monitor, waits for its child's ready line, and returns the pids it names (added to `leftovers`, if given). */
export async function startReady(monitor: Monitor, leftovers?: Set<number>): Promise<[number, ...number[]]> {
  const ready = nextReady(monitor);
  monitor.start();
  const pids = readyPids(await ready);
  for (const pid of pids) leftovers?.add(pid);
  return pids;
}
