import { isIP } from 'node:net';
import path from 'node:path';
import { invalid } from './values.js';

/** One address keepalive listens on for its children: a TCP port (on one host or all) or a Unix socket. */
export type ListenAddress =
  | { readonly kind: 'tcp'; readonly host: string | undefined; readonly port: number }
  | { readonly kind: 'unix'; readonly path: string };

const PORT = /^\d{1,5}$/;

function port(text: string): number | undefined {
  const value = Number(text);
  return PORT.test(text) && value >= 1 && value <= 65535 ? value : undefined;
}

/**
 * Reads one `listen` entry: `3000` (every address), `'127.0.0.1:3000'`, `'[::1]:3000'`,
 * `'localhost:3000'` (127.0.0.1), or a Unix socket path (absolute, or starting with `./`,
 * relative to keepalive's working directory). Undefined when it is none of these.
 */
export function parseListenAddress(entry: string | number): ListenAddress | undefined {
  if (typeof entry === 'number') {
    return Number.isInteger(entry) && entry >= 1 && entry <= 65535 ? { kind: 'tcp', host: undefined, port: entry } : undefined;
  }
  if (entry.startsWith('/') || entry.startsWith('./') || entry.startsWith('../')) {
    return entry.includes('\0') ? undefined : { kind: 'unix', path: path.resolve(entry) };
  }
  const alone = port(entry);
  if (alone !== undefined) return { kind: 'tcp', host: undefined, port: alone };
  const match = /^(?:\[([^\]]+)\]|([^:]+)):(\d+)$/.exec(entry);
  const host = match?.[1] ?? match?.[2];
  const number = match ? port(match[3] as string) : undefined;
  if (host === undefined || number === undefined) return undefined;
  if (host === 'localhost') return { kind: 'tcp', host: '127.0.0.1', port: number };
  const family = isIP(host);
  // An IPv6 address needs its brackets, and only it may have them.
  if (family === 0 || (family === 6) !== (match?.[1] !== undefined)) return undefined;
  return { kind: 'tcp', host, port: number };
}

/** How an address is written back: the form `listen` takes, and the form status lines show. */
export function formatListenAddress(address: ListenAddress): string {
  if (address.kind === 'unix') return address.path;
  if (address.host === undefined) return String(address.port);
  return isIP(address.host) === 6 ? `[${address.host}]:${address.port}` : `${address.host}:${address.port}`;
}

/** The `listen` option's check: one entry or a list of them, kept in their written form. */
export function listenAddresses(name: string, value: unknown): readonly string[] {
  const entries: unknown[] = Array.isArray(value) ? value : [value];
  if (entries.length === 0) throw invalid(name, value, 'a port, host:port or socket path, or a list of them');
  return entries.map((entry, index) => {
    const label = Array.isArray(value) ? `${name}[${index}]` : name;
    const parsed = typeof entry === 'string' || typeof entry === 'number' ? parseListenAddress(entry) : undefined;
    if (!parsed) throw invalid(label, entry, 'a port (1-65535), host:port with an IP address or localhost, or a socket path starting with / or ./');
    return formatListenAddress(parsed);
  });
}
