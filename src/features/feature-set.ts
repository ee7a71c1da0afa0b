import { FEATURES } from './all.js';
import type { Feature, FeatureFactory, FeatureHost, RunInfo, SpawnNeeds } from './feature.js';

/** The features of one `start()`: made together, told of each run, closed together. */
export class FeatureSet {
  #features: Feature[] = [];
  #detachRun: (() => void)[] = [];

  constructor(private readonly factories: readonly FeatureFactory[] = FEATURES) {}

  /** Makes every feature whose option is on. If one throws, those made are closed and it rethrows. */
  attach(host: FeatureHost, report: (error: Error) => void): void {
    try {
      // Readiness is news for the other features too (health checks start then).
      const told: FeatureHost = {
        ...host,
        ready: (after) => {
          for (const feature of this.#features) feature.runReady?.();
          host.ready(after);
        },
      };
      for (const make of this.factories) {
        const feature = make(told);
        if (feature) this.#features.push(feature);
      }
    } catch (error) {
      void this.close(report);
      throw error;
    }
  }

  /** What the features need for the next spawn. */
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

  /** Detaches every feature, last made first (each at once); settles when all are closed. */
  close(report: (error: Error) => void): Promise<void> {
    this.endRun();
    const closing = this.#features.splice(0).reverse().map(async (feature) => feature.close());
    return Promise.all(closing.map((closed) => closed.catch((error: unknown) => report(error as Error)))).then(() => {});
  }
}
