import { closeSync, fstatSync, openSync, readSync, statSync } from 'node:fs';
import type { AppRecord } from './state.js';

/** The files `logs` shows, in order: the script's stdout, stderr, the combined log, the watchdog's lines. */
export function logFiles(record: AppRecord): string[] {
  const { out, err, log, watchdog } = record.logs;
  return [...new Set([out, err, log, watchdog].filter((file): file is string => typeof file === 'string'))];
}

function readRange(file: string, from: number, to: number): Buffer {
  const fd = openSync(file, 'r');
  try {
    const buffer = Buffer.alloc(Math.max(0, to - from));
    let read = 0;
    while (read < buffer.length) {
      const n = readSync(fd, buffer, read, buffer.length - read, from + read);
      if (n === 0) break;
      read += n;
    }
    return buffer.subarray(0, read);
  } finally {
    closeSync(fd);
  }
}

function sizeOf(file: string): number | undefined {
  try {
    return statSync(file).size;
  } catch {
    return undefined;
  }
}

/** The last `lines` lines of a file and its size, reading back from the end in chunks. */
export function tail(file: string, lines: number): { text: string; size: number } | undefined {
  let size: number;
  let fd: number;
  try {
    fd = openSync(file, 'r');
    size = fstatSync(fd).size;
    closeSync(fd);
  } catch {
    return undefined;
  }
  if (lines === 0) return { text: '', size };
  let from = size;
  let chunk = Buffer.alloc(0);
  const newlines = (buffer: Buffer): number => {
    let count = 0;
    // A final newline ends the last line; it does not start one more.
    for (let at = buffer.length - 2; at >= 0; at--) if (buffer[at] === 0x0a) count++;
    return count;
  };
  while (from > 0 && newlines(chunk) < lines) {
    const start = Math.max(0, from - 65_536);
    chunk = Buffer.concat([readRange(file, start, from), chunk]);
    from = start;
  }
  let text = chunk.toString('utf8');
  const all = text.split('\n');
  const trailing = text.endsWith('\n');
  const kept = (trailing ? all.slice(0, -1) : all).slice(-lines);
  text = kept.join('\n') + (trailing && kept.length > 0 ? '\n' : '');
  return { text, size };
}

/**
 * Prints the last lines of each log file (with a `==> file <==` heading when there are several),
 * then, with `follow`, what is appended to them until `signal` aborts. A file that shrinks was
 * rotated or truncated: it is read again from its start.
 */
export async function showLogs(files: readonly string[], lines: number, follow: boolean, write: (text: string) => void, signal?: AbortSignal): Promise<void> {
  const positions = new Map<string, number>();
  let last: string | undefined;
  const heading = (file: string): void => {
    if (files.length > 1 && last !== file) write(`${last === undefined ? '' : '\n'}==> ${file} <==\n`);
    last = file;
  };
  for (const file of files) {
    const found = tail(file, lines);
    positions.set(file, found?.size ?? 0);
    if (!found) continue;
    heading(file);
    write(found.text);
  }
  if (!follow) return;
  await new Promise<void>((resolve) => {
    const timer = setInterval(() => {
      for (const file of files) {
        const size = sizeOf(file);
        if (size === undefined) continue;
        let at = positions.get(file) ?? 0;
        if (size < at) at = 0;
        if (size === at) continue;
        heading(file);
        write(readRange(file, at, size).toString('utf8'));
        positions.set(file, size);
      }
    }, 200);
    signal?.addEventListener('abort', () => {
      clearInterval(timer);
      resolve();
    }, { once: true });
  });
}
