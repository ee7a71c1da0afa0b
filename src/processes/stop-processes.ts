import { setTimeout as delay } from 'node:timers/promises';
import { requireLazily } from '../package-files.js';
import {
  descendantsOf,
  groupMembers,
  hasProcTable,
  isAlive,
  processesWithEnv,
  readProcessTable,
  type ProcessEntry,
} from './process-table.js';

/** The child to stop. It leads its own process group, so its pid is also the group's id. */
export interface StopTarget {
  readonly pid: number;
  /** True once the child's own `exit` event has fired. */
  readonly hasExited: () => boolean;
  /** Settles when the child's own `exit` event fires. */
  readonly exited: Promise<unknown>;
  /** The value of KEEPALIVE_RUN in its environment, which its descendants inherit. */
  readonly runTag?: string;
  /** Sends an IPC message to the child; false when it has no channel (any more). */
  readonly send?: (message: string) => boolean;
}

/** The variable that marks every process of a monitor's child, wherever it went. */
export const RUN_TAG = 'KEEPALIVE_RUN';

export interface StopSettings {
  /** The first signal; SIGKILL follows after `ttl` ms for whatever is left. */
  readonly signal: NodeJS.Signals | number;
  readonly ttl: number;
  /** Also stop descendants that left the group (setsid), not only the group. */
  readonly killTree: boolean;
  /** Called with the pids that get SIGKILL because they outlived `ttl`. */
  readonly onForce?: (pids: number[]) => void;
  /** Sent over IPC instead of `signal` to the child (the rest of its group gets nothing until SIGKILL). */
  readonly message?: string;
}

/** How long to wait for SIGKILLed processes to vanish before giving up on them (uninterruptible sleep). */
const KILL_WAIT = 5000;

/** Sends a signal, quietly: a process that is gone, or not ours, needs nothing more. */
export function send(pid: number, signal: NodeJS.Signals | number): void {
  try {
    process.kill(pid, signal);
  } catch {
    // Gone already (ESRCH), or not ours to signal (EPERM): nothing more a watchdog can do.
  }
}

/** True if any process, zombie or not, is in the group: one syscall, the common case being "none". */
function groupExists(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** What is still alive of the child, its group and the descendants seen so far. */
function survivors(target: StopTarget, tracked: readonly ProcessEntry[]): number[] {
  const alive = new Set<number>();
  if (!target.hasExited()) alive.add(target.pid);
  if (groupExists(target.pid)) {
    if (!hasProcTable) alive.add(-target.pid);
    else for (const member of groupMembers(target.pid)) alive.add(member.pid);
  }
  for (const entry of tracked) if (isAlive(entry)) alive.add(entry.pid);
  return [...alive];
}

/** Everything to signal: the group, and with killTree the descendants outside it. */
function snapshot(target: StopTarget, killTree: boolean): ProcessEntry[] {
  if (!hasProcTable || !killTree) return [];
  const found = new Map<number, ProcessEntry>();
  if (!target.hasExited()) for (const entry of descendantsOf(target.pid, readProcessTable())) found.set(entry.pid, entry);
  // What left the tree: found by the tag it inherited, even after its parent died.
  if (target.runTag) for (const entry of processesWithEnv(RUN_TAG, target.runTag, target.pid)) found.set(entry.pid, entry);
  return [...found.values()].filter((entry) => entry.pgid !== target.pid);
}

function signalAll(target: StopTarget, tracked: readonly ProcessEntry[], killTree: boolean, signal: NodeJS.Signals | number): void {
  send(-target.pid, signal);
  if (!hasProcTable && killTree && !target.hasExited()) (requireLazily('tree-kill') as typeof import('tree-kill'))(target.pid, signal as string);
  for (const entry of tracked) if (isAlive(entry)) send(entry.pid, signal);
}

/** Waits until nothing survives or the time is up; returns the survivors. */
async function waitForSurvivors(target: StopTarget, tracked: readonly ProcessEntry[], ms: number): Promise<number[]> {
  const deadline = Date.now() + ms;
  let step = 5;
  for (;;) {
    const left = survivors(target, tracked);
    const remaining = deadline - Date.now();
    if (left.length === 0 || remaining <= 0) return left;
    // The child's own exit is an event; the rest of the group has none, so it is polled, briefly.
    const tick = delay(Math.min(step, remaining));
    await (target.hasExited() ? tick : Promise.race([target.exited, tick]));
    step = Math.min(step * 2, 100);
  }
}

/**
 * Stops a child, its process group and (with killTree) its descendants the way systemd does:
 * `signal` to all, then SIGKILL to whatever is left after `ttl` ms. Resolves when all are gone.
 * Also used after the child exited on its own, to clear what it left behind in its group.
 */
export async function stopProcesses(target: StopTarget, settings: StopSettings): Promise<void> {
  let tracked = snapshot(target, settings.killTree);
  if (target.hasExited() && tracked.length === 0 && !groupExists(target.pid)) return;
  // shutdownMessage: the child is asked over IPC; without a channel it gets the signal.
  const asked = settings.message !== undefined && !target.hasExited() && target.send?.(settings.message) === true;
  if (!asked) signalAll(target, tracked, settings.killTree, settings.signal);
  if (settings.signal === 'SIGKILL' || settings.signal === 9) {
    await waitForSurvivors(target, tracked, KILL_WAIT);
    return;
  }
  const left = await waitForSurvivors(target, tracked, settings.ttl);
  if (left.length === 0) return;

  // Whatever the child started during the grace period is stopped too.
  tracked = [...tracked, ...snapshot(target, settings.killTree)];
  settings.onForce?.(left.map(Math.abs));
  signalAll(target, tracked, settings.killTree, 'SIGKILL');
  await waitForSurvivors(target, tracked, KILL_WAIT);
}
