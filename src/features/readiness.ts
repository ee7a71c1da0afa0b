import { performance } from 'node:perf_hooks';
import { setTimeout as delay } from 'node:timers/promises';
import { describeProbe } from '../options/probes.js';
import type { ResolvedOptions } from '../options/options.js';
import type { FeatureFactory, RunInfo } from './feature.js';
import { NOTIFY_PIPE, onNotification } from './notifications.js';
import { probe } from './probe.js';

/** How often an HTTP or TCP readiness probe is tried while the child starts. */
const POLL_EVERY = 100;
/** The longest one readiness probe may take. */
const PROBE_TIMEOUT = 1000;

/**
 * `ready` and `readyTimeout`: a child is ready when it says so (the IPC message `'ready'`, or
 * `READY=1` on its notification pipe) or when its probe answers. A child not ready within
 * `readyTimeout` failed to start: it is never taken for ready, but stopped (reason `not-ready`),
 * and the restart rules decide as for a crash.
 */
export const readinessFeature: FeatureFactory = (host) => {
  const { ready, readyTimeout } = host.options;
  if (ready === undefined) return undefined;
  const waitedFor = describeProbe(ready);

  return {
    spawnNeeds: () => (ready === 'message' ? { ipc: true } : ready === 'notify' ? { fds: [NOTIFY_PIPE] } : {}),
    attachRun(run) {
      // A reload's new child was waited for before it took over (whenReady).
      if (run.readyAfter !== undefined) return undefined;
      const spawnedAt = performance.now();
      let last: string | undefined;
      let settled = false;
      const settle = (): void => {
        settled = true;
        clearTimeout(timer);
        unwatch();
      };
      const timer = setTimeout(() => {
        settle();
        host.status({ type: 'not-ready', pid: run.pid, timeout: readyTimeout, waitedFor, ...(last ? { last } : {}) });
        host.fail('not-ready');
      }, readyTimeout);
      const unwatch = watchReady(host.options, run, () => {
        if (settled) return;
        settle();
        host.ready(Math.round(performance.now() - spawnedAt));
      }, (failure) => (last = failure));
      return settle;
    },
    close() {},
  };
};

type ReadyOptions = Pick<ResolvedOptions, 'ready' | 'readyTimeout' | 'cwd'>;

/** Watches one run for its ready signal (a message, `READY=1`, a probe that answers); returns the remover. */
function watchReady({ ready, cwd }: ReadyOptions, run: RunInfo, isReady: () => void, failing: (why: string) => void): () => void {
  if (ready === undefined) return () => {};
  if (ready === 'message') return run.onMessage((message) => message === 'ready' && isReady());
  if (ready === 'notify') return onNotification(run.fds.get(NOTIFY_PIPE.name), (line) => line === 'READY=1' && isReady());
  const stopped = new AbortController();
  void (async () => {
    while (!stopped.signal.aborted) {
      const failure = await probe(ready, PROBE_TIMEOUT, cwd, stopped.signal);
      if (stopped.signal.aborted) return;
      if (failure === undefined) return isReady();
      failing(failure);
      await delay(POLL_EVERY, undefined, { signal: stopped.signal }).catch(() => {});
    }
  })();
  return () => stopped.abort();
}

/**
 * The ready signal of one run that is not the monitor's own yet (a reload's new child): the ms
 * after its spawn when it is ready; rejects when it is not within `readyTimeout`, or `until` settles first.
 */
export function whenReady(options: ReadyOptions, run: RunInfo, until: Promise<unknown>): Promise<number> {
  const spawnedAt = performance.now();
  let last: string | undefined;
  return new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => {
      unwatch();
      const after = last ? ` (last: ${last})` : '';
      reject(new Error(`the new child was not ready within ${options.readyTimeout} ms, waiting for ${describeProbe(options.ready!)}${after}`));
    }, options.readyTimeout);
    const unwatch = watchReady(options, run, () => {
      clearTimeout(timer);
      unwatch();
      resolve(Math.round(performance.now() - spawnedAt));
    }, (failure) => (last = failure));
    void until.finally(() => {
      clearTimeout(timer);
      unwatch();
    });
  });
}
