import { performance } from 'node:perf_hooks';
import { setTimeout as delay } from 'node:timers/promises';
import { describeProbe } from '../options/probes.js';
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
  const { ready, readyTimeout, cwd } = host.options;
  if (ready === undefined) return undefined;
  const waitedFor = describeProbe(ready);

  const watch = (run: RunInfo, isReady: () => void, failing: (why: string) => void): (() => void) => {
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
  };

  return {
    spawnNeeds: () => (ready === 'message' ? { ipc: true } : ready === 'notify' ? { fds: [NOTIFY_PIPE] } : {}),
    attachRun(run) {
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
      const unwatch = watch(run, () => {
        if (settled) return;
        settle();
        host.ready(Math.round(performance.now() - spawnedAt));
      }, (failure) => (last = failure));
      return settle;
    },
    close() {},
  };
};
