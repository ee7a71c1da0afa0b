import type { ChildRun } from './child-run.js';

/**
 * Runs that ended while a straggler (a descendant that left the group) still holds their pipes:
 * their late output is still copied until the monitor ends.
 */
export class LingeringRuns {
  readonly #runs = new Set<ChildRun>();

  /** A run has ended: kept while its pipes are open; those drained since are forgotten. */
  ended(run: ChildRun): void {
    for (const old of this.#runs) if (old.drained) this.#runs.delete(old);
    if (!run.drained) this.#runs.add(run);
  }

  /** The monitor ends: stops copying what the stragglers still write. */
  detachAll(): void {
    for (const run of this.#runs) run.detach();
    this.#runs.clear();
  }
}
