import { execFile } from 'node:child_process';
import { KeepaliveError } from '../vocabulary/errors.js';
import type { Feature, FeatureHost } from './feature.js';

/**
 * Under systemd (`Type=notify`, `WatchdogSec=`): keepalive tells systemd `READY=1` once its first
 * child is ready (or has spawned, without `ready`), and pings systemd's watchdog every half
 * `WATCHDOG_USEC`, so that systemd restarts keepalive itself if keepalive hangs. Node cannot send
 * the Unix datagrams of NOTIFY_SOCKET; the `systemd-notify` program does (the unit then needs
 * `NotifyAccess=all`, which `keepalive unit` writes). The child gets none of these variables:
 * only keepalive speaks for the service.
 */
export function systemdFeature(host: FeatureHost, env: NodeJS.ProcessEnv = process.env): Feature | undefined {
  const socket = env.NOTIFY_SOCKET;
  if (!socket) return undefined;
  const forUs = env.WATCHDOG_PID === undefined || Number(env.WATCHDOG_PID) === process.pid;
  const usec = Number(env.WATCHDOG_USEC);
  let failed = false;
  const notify = (...words: string[]): void => {
    execFile('systemd-notify', [`--pid=${process.pid}`, ...words], { env: { ...env, NOTIFY_SOCKET: socket }, timeout: 5000 }, (error) => {
      if (!error || failed) return;
      failed = true; // Said once: a missing program would otherwise fill the log at every ping.
      host.report(new KeepaliveError('SYSTEMD_NOTIFY', `cannot tell systemd ${words.join(' ')}: ${error.message}`, { cause: error }));
    });
  };
  let toldReady = false;
  const ready = (): void => {
    if (toldReady) return;
    toldReady = true;
    notify('--ready');
  };
  const pings = forUs && usec > 0 ? setInterval(() => notify('WATCHDOG=1'), Math.max(1, Math.floor(usec / 2000))) : undefined;
  return {
    spawnNeeds: () => ({ env: { NOTIFY_SOCKET: undefined, WATCHDOG_USEC: undefined, WATCHDOG_PID: undefined } }),
    attachRun() {
      if (host.options.ready === undefined) ready();
      return undefined;
    },
    runReady: ready,
    close: () => clearInterval(pings),
  };
}
