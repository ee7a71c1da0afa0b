import { readFileSync } from 'node:fs';
import type { ListenAddress } from '../options/listen-address.js';

/** Reads a /proc/net table; empty where there is none (not Linux, no IPv6). */
function table(name: string): string[] {
  try {
    return readFileSync(`/proc/net/${name}`, 'utf8').split('\n').slice(1);
  } catch {
    return [];
  }
}

/** A /proc/net/tcp address (`0100007F:0BB8`, or 32 hex digits for IPv6) as text. */
function hexAddress(hex: string, v6: boolean): string | undefined {
  if (!v6) return [...(hex.match(/../g) ?? [])].reverse().map((byte) => Number.parseInt(byte, 16)).join('.');
  // Four 32-bit words, each in the host's (little-endian) order.
  const words = hex.match(/.{8}/g) ?? [];
  const bytes = words.flatMap((word) => [...(word.match(/../g) ?? [])].reverse());
  const full = (bytes.join('').match(/.{4}/g) ?? []).join(':');
  // The URL parser writes an IPv6 address in its shortest form.
  return new URL(`http://[${full}]/`).hostname.slice(1, -1);
}

/**
 * What a socket that keepalive received (by its inode, from fstat) is bound to, read from
 * /proc/net: the form the `listen` option takes, undefined when it is not found there.
 */
export function socketAddressByInode(inode: number): ListenAddress | undefined {
  for (const [name, v6] of [['tcp', false], ['tcp6', true]] as const) {
    for (const row of table(name)) {
      const fields = row.trim().split(/\s+/);
      if (fields[9] !== String(inode)) continue;
      const [hex, portHex] = (fields[1] ?? '').split(':');
      const host = hexAddress(hex ?? '', v6);
      const any = host === '0.0.0.0' || host === '::';
      return { kind: 'tcp', host: any ? undefined : host, port: Number.parseInt(portHex ?? '', 16) };
    }
  }
  for (const row of table('unix')) {
    const fields = row.trim().split(/\s+/);
    if (fields[6] === String(inode) && fields[7]) return { kind: 'unix', path: fields[7] };
  }
  return undefined;
}
