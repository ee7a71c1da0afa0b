import type { ChildProcess } from 'node:child_process';
import { KeepaliveError } from '../vocabulary/errors.js';

/**
 * Sends a message to the child over IPC: the channel `fork: true` opens, or one a feature opened
 * (`ready: 'message'`, a heartbeat, `shutdownMessage`). NO_IPC without a child or a channel.
 */
export function sendToChild(child: ChildProcess | undefined, message: unknown): void {
  if (!child || child.exitCode !== null || child.signalCode !== null) throw new KeepaliveError('NO_IPC', 'send(): no child is running');
  if (!child.send) throw new KeepaliveError('NO_IPC', 'send(): the child has no IPC channel; use fork: true');
  if (!child.connected) throw new KeepaliveError('NO_IPC', 'send(): the child has closed its IPC channel');
  child.send(message as Parameters<NonNullable<ChildProcess['send']>>[0]);
}
