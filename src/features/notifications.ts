import type { Readable } from 'node:stream';
import type { FdRequest } from './feature.js';

/**
 * The notification pipe, for children in any language: keepalive passes a pipe on a descriptor
 * below 10 (3 with the usual stdio), so that `echo READY=1 >&3` works in every shell, and names it
 * in `NOTIFY_FD`. The child writes sd_notify's assignments, one per line: `READY=1`, `WATCHDOG=1`.
 */
export const NOTIFY_PIPE: FdRequest = {
  name: 'notify', source: 'pipe', env: (fd) => ({ NOTIFY_FD: String(fd) }), below: 10, option: "ready: 'notify' or healthCheck: heartbeat",
};

/** Calls `listener` with each line the child writes to its notification pipe; returns the remover. */
export function onNotification(stream: Readable | undefined, listener: (line: string) => void): () => void {
  if (!stream) return () => {};
  let partial = '';
  const onData = (chunk: Buffer): void => {
    const lines = (partial + chunk.toString('utf8')).split('\n');
    partial = (lines.pop() ?? '').slice(-4096);
    for (const line of lines) listener(line.trim());
  };
  stream.on('data', onData);
  return () => void stream.off('data', onData);
}
