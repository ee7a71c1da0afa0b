import { setTimeout as delay } from 'node:timers/promises';
import { whenReady } from '../features/readiness.js';
import type { ResolvedOptions } from '../options/options.js';
import { KeepaliveError } from '../vocabulary/errors.js';
import { describeExit, type MonitorState, type StatusEvent } from '../vocabulary/events.js';
import type { ChildRun, RunOutcome } from './child-run.js';

/**
 * Without readiness configured, a reload counts the new child ready once it has run this long
 * without exiting: `minUptime` (a run shorter is spinning), and at least RELOAD_SETTLE ms.
 */
export const RELOAD_SETTLE = 1000;

export function reloadSettleTime(minUptime: number): number {
  return Math.max(minUptime, RELOAD_SETTLE);
}

/** How a monitor's reloads decide that the new child is ready: its `ready` signal, else the time rule. */
export function reloadReadiness(o: Pick<ResolvedOptions, 'minUptime' | 'ready' | 'readyTimeout' | 'cwd'>): Pick<ReloadHost, 'settleMs' | 'readySignal'> {
  const settleMs = reloadSettleTime(o.minUptime);
  if (o.ready === undefined) return { settleMs };
  return { settleMs, readySignal: (run) => whenReady(o, run.info(), run.ended) };
}

/** The ready signal of a run (`ready` is set): ms after its spawn; rejects when it is not ready in time. */
export type ReadySignal = (run: ChildRun) => Promise<number>;

/**
 * Waits until the new run of a reload is ready, or rejects with why it is not: it could not be
 * spawned, it ended first, or (with `ready`) it did not say so within readyTimeout. With `ready`
 * it is ready when its signal comes (`readyAfter`, ms after its spawn); without, once it has run
 * `settleMs`. The one place that decides "ready" for a reload.
 */
export async function waitUntilReady(run: ChildRun, settleMs: number, signal?: ReadySignal): Promise<number | undefined> {
  const spawnError = await run.spawned;
  if (spawnError) throw new Error(`could not start: ${spawnError.message}`);
  const settled = new AbortController();
  const ended = run.ended.then((outcome) => outcome);
  const ready = signal ? signal(run).then((after) => ({ after })) : delay(settleMs, { after: undefined }, { signal: settled.signal });
  try {
    const winner = await Promise.race([ended, ready]);
    if ('after' in winner) return winner.after;
    throw new Error(winner.kind === 'exited' ? `the new child ${describeExit(winner)} before it was ready` : winner.error.message);
  } finally {
    settled.abort();
  }
}

/** Why a monitor cannot reload now, or undefined when it can: a child must be running, nothing pending. */
export function reloadRefusal(state: MonitorState, request: string | undefined, current: ChildRun | undefined): KeepaliveError | undefined {
  if (state === 'idle') return new KeepaliveError('NOT_STARTED', 'reload(): the monitor was never started');
  if (state === 'running' && !request && current && !current.hasExited()) return undefined;
  return new KeepaliveError('RELOAD_FAILED', `reload(): no child is running to reload (the monitor is ${state})`);
}

/** What a reload does to its monitor. */
export interface ReloadHost {
  /** Spawns the new run beside the current one, with the same settings and output files. */
  spawn(): ChildRun;
  /** The new run is ready (`readyAfter` ms after its spawn, with `ready`), or the old one ended first: from now on it is the monitor's run. */
  promote(next: ChildRun, readyAfter?: number): void;
  /** The old run ended by itself while the new one started: the restart rule counts it; the new one runs on. */
  endedAlone(outcome: RunOutcome): void;
  /** Stops a run gracefully (killSignal, SIGKILL after killTTL). */
  terminate(run: ChildRun): void;
  /** The old run ended after a successful reload: counted, never given to the restart rule. */
  retired(): void;
  /** A line of the reload's progress (while the monitor runs). */
  status(event: StatusEvent): void;
  readonly settleMs: number;
  /** With `ready`: the new run's ready signal, which decides instead of `settleMs`. */
  readonly readySignal?: ReadySignal;
}

/**
 * One reload at a time: the new child starts on the same sockets and files, the old one keeps
 * serving until the new one is ready, then is stopped gracefully. If the new one fails, it is
 * stopped, the old one stays, and the reload rejects with RELOAD_FAILED and the reason. The only
 * time a monitor has two children.
 */
export class Reloads {
  #next: ChildRun | undefined;
  #retiring: ChildRun | undefined;
  #host: ReloadHost | undefined;
  #running: Promise<void> | undefined;

  /** The new run while a reload waits for it to be ready. */
  get next(): ChildRun | undefined {
    return this.#next;
  }

  /** The runs of a reload besides the monitor's current one: the new one, or the old one stopping. */
  get others(): ChildRun[] {
    return [this.#next, this.#retiring].filter((run): run is ChildRun => run !== undefined);
  }

  /** Settles when no reload is under way (whatever its outcome): a monitor ends only after that. */
  get idle(): Promise<void> {
    return this.#running?.catch(() => {}) ?? Promise.resolve();
  }

  run(host: ReloadHost, old: ChildRun): Promise<void> {
    if (!this.#running) this.#host = host;
    this.#running ??= this.#reload(host, old).finally(() => {
      this.#running = undefined;
      this.#next = undefined;
      this.#retiring = undefined;
    });
    return this.#running;
  }

  /** The old run ended by itself during the reload: the new one is the monitor's run from now on. */
  adopt(oldEnd: RunOutcome): void {
    const next = this.#next;
    if (!next || !this.#host) return;
    this.#next = undefined;
    this.#host.endedAlone(oldEnd);
    this.#host.promote(next);
  }

  async #reload(host: ReloadHost, old: ChildRun): Promise<void> {
    host.status({ type: 'reloading', pid: old.pid as number });
    const next = host.spawn();
    this.#next = next;
    let readyAfter: number | undefined;
    try {
      readyAfter = await waitUntilReady(next, host.settleMs, host.readySignal);
    } catch (error) {
      // Adopted meanwhile (the old one ended): the monitor's own rules (readyTimeout) govern it now.
      if (this.#next === next) {
        host.terminate(next);
        await next.ended;
      }
      const reason = (error as Error).message;
      host.status({ type: 'reload-failed', reason });
      const still = this.#next === next && !old.hasExited() ? '; the old child keeps running' : '';
      throw new KeepaliveError('RELOAD_FAILED', `reload(): ${reason}${still}`, { cause: error });
    }
    // The old one may have ended meanwhile, and the monitor adopted the new one already.
    if (this.#next !== next) return;
    this.#next = undefined;
    this.#retiring = old;
    host.promote(next, readyAfter);
    host.terminate(old);
    const outcome = await old.ended;
    host.retired();
    if (outcome.kind === 'exited') host.status({ type: 'reloaded', ...outcome, pid: old.pid as number });
  }
}
