import { spawnSync } from 'node:child_process';
import { packageFile } from '../package-files.js';
import { KeepaliveError } from '../vocabulary/errors.js';

/** The queue of connections waiting for a child: Node's own default for `listen()`. */
export const BACKLOG = 511;

/**
 * Puts bound sockets in the listening state without accepting on them here: a short node process
 * gets them on fds 3, 4, ..., listens and exits before its event loop runs (preload/start-listening.cjs).
 * Node's public API cannot listen without accepting, and a socket stays listening after the
 * process that called listen() has gone, as long as another (the watchdog) holds it.
 */
export function startListening(fds: readonly number[]): void {
  if (fds.length === 0) return;
  const env: Record<string, string | undefined> = { ...process.env, KEEPALIVE_LISTEN_COUNT: String(fds.length), KEEPALIVE_LISTEN_BACKLOG: String(BACKLOG) };
  delete env.NODE_OPTIONS;
  const result = spawnSync(process.execPath, [packageFile('preload', 'start-listening.cjs')], {
    stdio: ['ignore', 'ignore', 'pipe', ...fds],
    env,
    windowsHide: true,
  });
  if (result.status !== 0) {
    const why = result.error?.message ?? (String(result.stderr).trim() || `status ${String(result.status ?? result.signal)}`);
    throw new KeepaliveError('LISTEN', `listen: the sockets could not be put in the listening state: ${why}`);
  }
}
