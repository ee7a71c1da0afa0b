import { setTimeout as delay } from 'node:timers/promises';
import { describeProbe, type HealthCheck } from '../options/probes.js';
import type { FeatureFactory, FeatureHost, RunInfo } from './feature.js';
import { NOTIFY_PIPE, onNotification } from './notifications.js';
import { probe } from './probe.js';

/**
 * `healthCheck`, with Kubernetes' liveness semantics: probing starts when the child is ready (or
 * `initialDelay` after its spawn when no `ready` is set), one probe every `period`, never two at
 * once, until the run ends. After `failureThreshold` failures in a row the child is stopped with
 * the reason `unhealthy`, which the restart rules count like a crash.
 */
export const healthFeature: FeatureFactory = (host) => {
  const check = host.options.healthCheck;
  if (check === undefined) return undefined;
  let current: HealthRun | undefined;
  return {
    spawnNeeds: () => ('heartbeat' in check ? { ipc: true, fds: [NOTIFY_PIPE] } : {}),
    attachRun(run) {
      const health = new HealthRun(host, check, run);
      current = health;
      if (host.options.ready === undefined) health.begin();
      return () => {
        health.end();
        if (current === health) current = undefined;
      };
    },
    runReady: () => current?.begin(),
    close() {},
  };
};

/** The health of one run: its failures in a row, and what stops its probing when the run ends. */
class HealthRun {
  readonly #stopped = new AbortController();
  readonly #name: string;
  #failures = 0;
  #passed = false;
  #begun = false;
  #unwatch: (() => void) | undefined;

  constructor(private readonly host: FeatureHost, private readonly check: HealthCheck, private readonly run: RunInfo) {
    this.#name = describeProbe(check);
  }

  /** Starts probing, `initialDelay` from now. */
  begin(): void {
    if (this.#begun) return;
    this.#begun = true;
    void delay(this.check.initialDelay, undefined, { signal: this.#stopped.signal })
      .then(() => ('heartbeat' in this.check ? this.#listen() : this.#probeEveryPeriod()))
      .catch(() => {}); // Aborted: the run ended.
  }

  end(): void {
    this.#stopped.abort();
    this.#unwatch?.();
  }

  /** One result: a pass after failures (or the run's first) is said once; a failure each time. */
  #result(failure: string | undefined): void {
    if (this.#stopped.signal.aborted || this.run.stopping()) return;
    if (failure === undefined) {
      if (!this.#passed || this.#failures > 0) this.host.status({ type: 'healthy', probe: this.#name });
      this.#passed = true;
      this.#failures = 0;
      return;
    }
    this.#failures++;
    const { failureThreshold: threshold } = this.check;
    this.host.status({ type: 'health-failed', probe: this.#name, failure, count: this.#failures, threshold });
    if (this.#failures >= threshold) {
      this.end();
      this.host.fail('unhealthy');
    }
  }

  async #probeEveryPeriod(): Promise<void> {
    const { period, timeout } = this.check;
    const signal = this.#stopped.signal;
    while (!signal.aborted) {
      const startedAt = Date.now();
      this.#result(await probe(this.check as Parameters<typeof probe>[0], timeout, this.host.options.cwd, signal));
      await delay(Math.max(0, period - (Date.now() - startedAt)), undefined, { signal });
    }
  }

  /** `heartbeat`: each `timeout` without a beat is a failure; a beat is a pass. */
  #listen(): void {
    const { timeout } = this.check;
    let timer: NodeJS.Timeout | undefined;
    const arm = (): void => {
      clearTimeout(timer);
      timer = setTimeout(() => {
        this.#result(`no heartbeat for ${timeout} ms`);
        if (!this.#stopped.signal.aborted) arm();
      }, timeout);
    };
    const beat = (): void => {
      this.#result(undefined);
      arm();
    };
    const offPipe = onNotification(this.run.fds.get(NOTIFY_PIPE.name), (line) => line === 'WATCHDOG=1' && beat());
    const offIpc = this.run.onMessage((message) => message === 'heartbeat' && beat());
    arm();
    this.#unwatch = () => {
      clearTimeout(timer);
      offPipe();
      offIpc();
    };
  }
}
