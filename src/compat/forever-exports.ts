import { readFileSync } from 'node:fs';
import treeKill from 'tree-kill';
import { Monitor } from '../monitor.js';
import { parseSignal, type ArgValue, type MonitorOptions } from '../options/options.js';
import { packageFile } from '../package-files.js';
import { descendantsOf, hasProcTable, readProcess } from '../processes/process-table.js';
import { send } from '../processes/stop-processes.js';
import { KeepaliveError } from '../vocabulary/errors.js';

// forever-monitor's module-level functions, so that `require('forever-monitor')` can become
// `require('keepalive-monitor')` with nothing else changed.

/** This package's version (forever-monitor's `version`). */
export const version: string = (JSON.parse(readFileSync(packageFile('package.json'), 'utf8')) as { version: string }).version;

/** Makes a Monitor and starts it (forever-monitor's `start`). Without a `uid`, it gets a random one. */
export function start(script: string | readonly ArgValue[], options: MonitorOptions = {}): Monitor {
  return new Monitor(script, options).start();
}

/** A pid as forever-monitor takes them (a number, or a string of digits), or undefined. */
function pidOf(pid: unknown): number | undefined {
  const number = typeof pid === 'string' && /^\d+$/.test(pid) ? Number(pid) : pid;
  // 0 and negative numbers name process groups (-1: every process): never a single process.
  return typeof number === 'number' && Number.isSafeInteger(number) && number > 0 ? number : undefined;
}

/**
 * True if the process is alive: it exists (also another user's) and, where /proc tells, is not
 * a zombie that only waits for its parent. False for anything that is not a pid.
 */
export function checkProcess(pid: number | string): boolean {
  const number = pidOf(pid);
  if (number === undefined) return false;
  try {
    process.kill(number, 0);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  if (!hasProcTable) return true;
  const entry = readProcess(number);
  return entry !== undefined && !entry.zombie;
}

/**
 * Sends `signal` (default SIGKILL, as forever-monitor) to `pid` and, with `killTree`, to all its
 * descendants, found before any is signalled. Calls `callback` (and settles) once the signals are
 * sent; it does not wait for the processes to end. A process that is gone is skipped quietly.
 * Throws INVALID_ARGUMENT for a pid that is not one (0 and negative numbers would reach groups).
 */
export function kill(
  pid: number | string,
  killTree = false,
  signal: NodeJS.Signals | number = 'SIGKILL',
  callback: () => void = () => {},
): Promise<void> {
  const number = pidOf(pid);
  if (number === undefined) throw new KeepaliveError('INVALID_ARGUMENT', `kill(): pid: expected a process id > 0, got ${String(pid)}`);
  const checked = parseSignal('signal', signal);
  return new Promise<void>((resolve) => {
    const done = (): void => {
      callback();
      resolve();
    };
    if (killTree && !hasProcTable) return treeKill(number, checked, () => done());
    const tree = killTree ? descendantsOf(number).map((entry) => entry.pid) : [];
    for (const each of [number, ...tree]) send(each, checked);
    done();
  });
}
