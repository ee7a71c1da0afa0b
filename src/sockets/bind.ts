import { lstatSync, unlinkSync } from 'node:fs';
import net from 'node:net';
import { getSystemErrorName } from 'node:util';
import { formatListenAddress, type ListenAddress } from '../options/listen-address.js';
import { KeepaliveError } from '../vocabulary/errors.js';

/** The libuv handle of a bound socket, as Node's own `net` module makes it. */
export interface BoundHandle {
  readonly fd: number;
  getsockname?(out: { port?: number }): number;
  close(): void;
}

type CreateServerHandle = (address: string | null, port: number, addressType: number, fd?: number, flags?: number) => BoundHandle | number;

/**
 * `net._createServerHandle`: the function with which Node's `net` creates a server's socket and
 * binds it, before `listen()`. Node's cluster module calls it so that its primary can hold a
 * socket that only its workers accept on (`SCHED_NONE`). It is not public API: a test
 * (test/sockets/node-internals.test.ts) fails when a Node release changes it, and without it
 * keepalive does not hold sockets (the children bind as they would without `listen`).
 */
const createServerHandle = (net as unknown as { _createServerHandle?: CreateServerHandle })._createServerHandle;

/** True when this Node can bind a socket without accepting on it. */
export function canBindWithoutListening(): boolean {
  return typeof createServerHandle === 'function';
}

/**
 * Creates the socket for an address and binds it, without listening: nothing in the watchdog
 * ever accepts a connection. A socket file left at a Unix path by an earlier run is replaced.
 * Throws LISTEN (EADDRINUSE, EACCES, ...) naming the address.
 */
export function bindWithoutListening(address: ListenAddress): BoundHandle {
  if (!createServerHandle) throw new KeepaliveError('LISTEN', 'listen: this Node cannot bind a socket without accepting on it');
  let result: BoundHandle | number;
  if (address.kind === 'unix') {
    removeStaleSocket(address.path);
    result = createServerHandle(address.path, -1, -1);
  } else {
    const family = address.host === undefined ? 4 : net.isIP(address.host);
    result = createServerHandle(address.host ?? null, address.port, family);
  }
  if (typeof result === 'number') throw cannotBind(address, getSystemErrorName(result));
  if (address.kind === 'tcp') {
    // libuv keeps EADDRINUSE from bind() for listen() to report: a socket left unbound has port 0.
    const bound: { port?: number } = {};
    result.getsockname?.(bound);
    if (bound.port !== address.port) {
      result.close();
      throw cannotBind(address, 'EADDRINUSE');
    }
  }
  return result;
}

function cannotBind(address: ListenAddress, code: string): KeepaliveError {
  return new KeepaliveError('LISTEN', `listen ${formatListenAddress(address)}: cannot bind (${code})`);
}

function removeStaleSocket(file: string): void {
  try {
    if (lstatSync(file).isSocket()) unlinkSync(file);
  } catch {
    // Nothing there (or not ours to remove): bind says what is wrong.
  }
}
