import { FEATURES } from './all.js';
import { planSpawn } from '../run/spawn-needs.js';
import type { Feature, FeatureFactory, FeatureHost, RunInfo, SpawnNeeds } from './feature.js';

/** The features of one `start()`: made together, told of each run, closed together. */
export class FeatureSet {
  #features: Feature[] = [];
  #detachRun: (() => void)[] = [];
  #host: FeatureHost | undefined;

  constructor(private readonly factories: readonly FeatureFactory[] = FEATURES) {}

  /**
   * Makes every feature whose option is on, and checks that their spawn needs fit together (a
   * notification pipe below fd 10 after the sockets). If one throws, those made are closed and it rethrows.
   */
  attach(host: FeatureHost, report: (error: Error) => void): void {
    try {
      // Readiness is news for the other features too (health checks start then).
      this.#host = {
        ...host,
        ready: (after) => {
          for (const feature of this.#features) feature.runReady?.();
          host.ready(after);
        },
      };
      for (const make of this.factories) {
        const feature = make(this.#host);
        if (feature) this.#features.push(feature);
      }
      planSpawn(this.spawnNeeds(), 3);
    } catch (error) {
      void this.close(report);
      throw error;
    }
  }

  /** What the features need for the next spawn, in their order. */
  spawnNeeds(): SpawnNeeds[] {
    return this.#features.flatMap((feature) => feature.spawnNeeds?.() ?? []);
  }

  /** A child has spawned. */
  attachRun(run: RunInfo): void {
    for (const feature of this.#features) {
      const detach = feature.attachRun?.(run);
      if (detach) this.#detachRun.push(detach);
    }
  }

  /** The child's run has ended: undoes what the features did for it. */
  endRun(): void {
    for (const detach of this.#detachRun.splice(0).reverse()) detach();
  }

  /**
   * A reload's new child replaces the running one: what the features did for the old one is
   * undone, and they attach to the new one (health checks, memory limit, pid file). One found
   * ready already (`readyAfter`) is announced as ready at once.
   */
  replaceRun(run: RunInfo): void {
    this.endRun();
    this.attachRun(run);
    if (run.readyAfter !== undefined) this.#host?.ready(run.readyAfter);
  }

  /** Detaches every feature, last made first (each at once); settles when all are closed. */
  close(report: (error: Error) => void): Promise<void> {
    this.endRun();
    const closing = this.#features.splice(0).reverse().map(async (feature) => feature.close());
    return Promise.all(closing.map((closed) => closed.catch((error: unknown) => report(error as Error)))).then(() => {});
  }
}
