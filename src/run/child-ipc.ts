import type { ChildProcess } from 'node:child_process';
import { KeepaliveError } from '../vocabulary/errors.js';

/** Sends a message to the child over IPC; NO_IPC without the channel (`fork: true`) or a child. */
export function sendToChild(child: ChildProcess | undefined, fork: boolean, message: unknown): void {
  if (!fork) throw new KeepaliveError('NO_IPC', 'send(): the child has no IPC channel; use fork: true');
  if (!child || !child.connected || !child.send) throw new KeepaliveError('NO_IPC', 'send(): no child is running');
  child.send(message as Parameters<NonNullable<ChildProcess['send']>>[0]);
}
