import { fstatSync, unlinkSync } from 'node:fs';
import { formatListenAddress, parseListenAddress, type ListenAddress } from '../options/listen-address.js';
import { bindWithoutListening, type BoundHandle } from './bind.js';
import { inheritedSockets } from './inherited.js';
import { socketAddressByInode } from './proc-net.js';
import { startListening } from './start-listening.js';

/** One socket passed to every child, as the node preload (preload/listen-fds.cjs) reads it. */
export interface PassedSocket {
  /** The child's descriptor: 3, 4, ... */
  readonly fd: number;
  /** `dev:ino` of the socket: the preload checks that the fd is still this one. */
  readonly id: string;
  readonly address: ListenAddress | undefined;
}

interface Held {
  readonly fd: number;
  readonly name: string;
  readonly address: ListenAddress | undefined;
  /** Set when this monitor made the socket (and so closes it); unset for inherited ones. */
  readonly handle: BoundHandle | undefined;
}

function sameAddress(a: ListenAddress | undefined, b: ListenAddress): boolean {
  if (!a || a.kind !== b.kind) return false;
  return a.kind === 'unix' ? a.path === (b as typeof a).path : a.port === (b as typeof a).port && a.host === (b as typeof a).host;
}

/** A name for LISTEN_FDNAMES, which separates names with ':'. */
function fdName(address: ListenAddress): string {
  return formatListenAddress(address).replaceAll(':', '-');
}

/**
 * The listening sockets of one monitor: those systemd gave keepalive, then one for each `listen`
 * address that is not among them, bound here and put in the listening state without ever being
 * accepted on. Throws LISTEN, having closed what it made, when one cannot be made.
 */
export class HeldSockets {
  readonly #held: Held[] = [];

  constructor(entries: readonly string[]) {
    for (const { fd, name } of inheritedSockets()) {
      this.#held.push({ fd, name, address: socketAddressByInode(fstatSync(fd).ino), handle: undefined });
    }
    try {
      const made: number[] = [];
      for (const entry of entries) {
        const address = parseListenAddress(entry) as ListenAddress;
        if (this.#held.some((held) => sameAddress(held.address, address))) continue;
        const handle = bindWithoutListening(address);
        this.#held.push({ fd: handle.fd, name: fdName(address), address, handle });
        made.push(handle.fd);
      }
      startListening(made);
    } catch (error) {
      this.close();
      throw error;
    }
  }

  /** The addresses, as status lines show them. */
  get addresses(): string[] {
    return this.#held.map((held) => (held.address ? formatListenAddress(held.address) : `fd ${held.fd} (${held.name})`));
  }

  /** The watchdog's descriptors, in the order the child gets them from fd 3. */
  get fds(): number[] {
    return this.#held.map((held) => held.fd);
  }

  /** The variables of systemd's convention (but LISTEN_PID, known only after the spawn) and the preload's list, the sockets from fd `first` on. */
  env(first = 3): Record<string, string> {
    const passed: PassedSocket[] = this.#held.map((held, index) => {
      const stat = fstatSync(held.fd);
      return { fd: first + index, id: `${stat.dev}:${stat.ino}`, address: held.address };
    });
    return {
      LISTEN_FDS: String(this.#held.length),
      LISTEN_FDNAMES: this.#held.map((held) => held.name).join(':'),
      KEEPALIVE_LISTEN: JSON.stringify(passed),
    };
  }

  /** Closes the sockets this monitor made (and removes their socket files); inherited ones stay open. */
  close(): void {
    for (const held of this.#held.splice(0)) {
      if (!held.handle) continue;
      held.handle.close();
      if (held.address?.kind === 'unix') {
        try {
          unlinkSync(held.address.path);
        } catch {
          // Already gone.
        }
      }
    }
  }
}
