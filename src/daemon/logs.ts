import { closeSync, fstatSync, openSync, readFileSync, readSync, statSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { listArchives, type Archive } from '../output/archive-names.js';
import type { AppRecord } from './state.js';

/** The files `logs` shows, in order: the script's stdout, stderr, the combined log, the watchdog's lines. */
export function logFiles(record: AppRecord): string[] {
  const { out, err, log, watchdog } = record.logs;
  return [...new Set([out, err, log, watchdog].filter((file): file is string => typeof file === 'string'))];
}

function readRange(file: string, from: number, to: number): Buffer {
  const fd = openSync(file, 'r');
  try {
    return readFrom(fd, from, to);
  } finally {
    closeSync(fd);
  }
}

function readFrom(fd: number, from: number, to: number): Buffer {
  const buffer = Buffer.alloc(Math.max(0, to - from));
  let read = 0;
  while (read < buffer.length) {
    const n = readSync(fd, buffer, read, buffer.length - read, from + read);
    if (n === 0) break;
    read += n;
  }
  return buffer.subarray(0, read);
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

/** The last `lines` lines of a text (a final newline ends the last line; it does not start one more). */
function lastLines(text: string, lines: number): string[] {
  const all = text.split('\n');
  if (text.endsWith('\n')) all.pop();
  return lines === 0 ? [] : all.slice(-lines);
}

/**
 * The last `lines` lines of a log and the size of its current file: when the file holds fewer,
 * the rest comes from its archives (rotation), newest first, compressed ones too.
 */
export function tailWithArchives(file: string, lines: number): { text: string; size: number } | undefined {
  const found = tail(file, lines);
  const archives = listArchives(file).filter((archive, index, all) => all[index + 1]?.time !== archive.time).reverse();
  if (archives.length === 0 || lines === 0) return found;
  let have = found ? lastLines(found.text, lines).length : 0;
  let text = found?.text ?? '';
  for (const archive of archives) {
    if (have >= lines) break;
    const kept = lastLines(archiveText(archive), lines - have);
    if (kept.length === 0) continue;
    text = `${kept.join('\n')}\n${text}`;
    have += kept.length;
  }
  return { text, size: found?.size ?? 0 };
}

/** A file being followed: the descriptor read from (kept across a rotation until it is read to its end), how far, and when it was last the file. */
interface Followed {
  fd: number | undefined;
  at: number;
  seenAt: number;
}

function inodeOf(target: string | number): number | undefined {
  try {
    return typeof target === 'number' ? fstatSync(target).ino : statSync(target).ino;
  } catch {
    return undefined;
  }
}

/** The text of an archive; one compressed meanwhile is read from its `.gz`. */
function archiveText(archive: Archive): string {
  const paths = archive.compressed ? [archive.path] : [archive.path, `${archive.path}.gz`];
  for (const each of paths) {
    try {
      const bytes = readFileSync(each);
      return (each.endsWith('.gz') ? gunzipSync(bytes) : bytes).toString('utf8');
    } catch {
      // Tried in the next form.
    }
  }
  return '';
}

/**
 * The archives made after the one that was `fd` (found by its inode, or, once compressed, as the
 * oldest made since it was last seen as the file): rotations that came and went between two reads.
 */
function archivesAfter(file: string, fd: number, seenAt: number): Archive[] {
  const archives = listArchives(file).filter((archive, index, all) => all[index + 1]?.time !== archive.time);
  const inode = inodeOf(fd);
  const own = archives.find((archive) => !archive.compressed && inodeOf(archive.path) === inode) ?? archives.find((archive) => archive.time >= seenAt);
  return own === undefined ? [] : archives.filter((archive) => archive.time > own.time);
}

/**
 * Reads what was added to a file since the last time. After a rotation (the name is a new file)
 * the old one is read to its end first, then any archive made since, then the new one from its
 * start: no line is lost or repeated. A file that shrank was truncated: read again from its start.
 */
function readAdded(file: string, followed: Followed): string {
  let text = '';
  const current = inodeOf(file);
  const now = Date.now();
  if (followed.fd !== undefined) {
    const size = fstatSync(followed.fd).size;
    if (size < followed.at) followed.at = 0;
    if (size > followed.at) {
      text += readFrom(followed.fd, followed.at, size).toString('utf8');
      followed.at = size;
    }
    if (current === undefined || current === inodeOf(followed.fd)) {
      followed.seenAt = now;
      return text;
    }
    for (const archive of archivesAfter(file, followed.fd, followed.seenAt)) text += archiveText(archive);
    closeSync(followed.fd);
    followed.fd = undefined;
    followed.at = 0;
  }
  try {
    followed.fd = openSync(file, 'r');
  } catch {
    return text;
  }
  return text + readAdded(file, followed);
}

/**
 * Prints the last lines of each log file (with a `==> file <==` heading when there are several),
 * then, with `follow`, what is appended to them until `signal` aborts, across rotations.
 */
export async function showLogs(files: readonly string[], lines: number, follow: boolean, write: (text: string) => void, signal?: AbortSignal): Promise<void> {
  const followed = new Map<string, Followed>();
  let last: string | undefined;
  const heading = (file: string): void => {
    if (files.length > 1 && last !== file) write(`${last === undefined ? '' : '\n'}==> ${file} <==\n`);
    last = file;
  };
  for (const file of files) {
    let fd: number | undefined;
    try {
      fd = openSync(file, 'r');
    } catch {
      fd = undefined;
    }
    // Followed from where the tail ended, by the descriptor: a rotation right after the tail loses nothing.
    const found = tailWithArchives(file, lines);
    const same = fd !== undefined && inodeOf(fd) === inodeOf(file);
    followed.set(file, { fd, at: same && found ? found.size : fd === undefined ? 0 : fstatSync(fd).size, seenAt: Date.now() });
    if (!found || (found.text === '' && fd === undefined)) continue;
    heading(file);
    write(found.text);
  }
  try {
    if (!follow) return;
    await new Promise<void>((resolve) => {
      const timer = setInterval(() => {
        for (const file of files) {
          const text = readAdded(file, followed.get(file) as Followed);
          if (text === '') continue;
          heading(file);
          write(text);
        }
      }, 200);
      signal?.addEventListener('abort', () => {
        clearInterval(timer);
        resolve();
      }, { once: true });
    });
  } finally {
    for (const { fd } of followed.values()) if (fd !== undefined) closeSync(fd);
  }
}
