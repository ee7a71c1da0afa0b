import { closeSync, fstatSync, openSync, readSync, renameSync, rmSync } from 'node:fs';
import { sizeInBytes } from '../options/size.js';
import type { ResolvedOptions } from '../options/options.js';
import { archivePath, listArchives, nextArchiveTime, partialCompressions, type Archive } from './archive-names.js';
import { compressLater } from './compress.js';
import { planPieces, type LineState, type Piece } from './rotation-plan.js';

/** How the log files rotate (the options maxLogSize, maxLogFiles, maxLogAge, compressLogs). */
export interface RotationSettings {
  readonly maxBytes: number;
  readonly maxFiles: number;
  /** Archives older than this many ms are removed; undefined: kept until maxFiles pushes them out. */
  readonly maxAge: number | undefined;
  readonly compress: boolean;
}

type RotationOptions = Pick<ResolvedOptions, 'maxLogSize' | 'maxLogFiles' | 'maxLogAge' | 'compressLogs'>;

const UNIT_MS: Readonly<Record<string, number>> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };
const AGE = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h|d|w)\s*$/;

/** The ms an age means (`'7d'`, `'12h'`, `'30m'`, `'90s'`, `'500ms'`, `'2w'`), or undefined when it is not one. */
export function ageInMs(text: string): number | undefined {
  const match = AGE.exec(text);
  if (!match) return undefined;
  const ms = Number(match[1]) * (UNIT_MS[match[2] as string] as number);
  return ms > 0 && Number.isFinite(ms) ? Math.round(ms) : undefined;
}

/** The rotation the options ask for, or undefined when the files grow without a limit. */
export function rotationSettings(options: RotationOptions): RotationSettings | undefined {
  if (options.maxLogSize === undefined) return undefined;
  return {
    maxBytes: sizeInBytes(options.maxLogSize) as number,
    maxFiles: options.maxLogFiles,
    maxAge: options.maxLogAge === undefined ? undefined : ageInMs(options.maxLogAge),
    compress: options.compressLogs,
  };
}

/**
 * The archives to remove: all but the newest `maxFiles`, and those older than `maxAge`, but never
 * the newest one. An archive and its finished `.gz` (same time) count as one.
 */
export function archivesToRemove(archives: readonly Archive[], settings: RotationSettings, now: number): Archive[] {
  const times = [...new Set(archives.map((archive) => archive.time))];
  const newest = times.at(-1);
  const kept = new Set(times.slice(-settings.maxFiles));
  const old = (time: number): boolean => settings.maxAge !== undefined && time < now - settings.maxAge && time !== newest;
  return archives.filter((archive) => !kept.has(archive.time) || old(archive.time));
}

/**
 * One log file that keepalive rotates as its writer: it says where to cut each chunk
 * (rotation-plan.ts), renames the file to an archive when told, and keeps the archives within
 * their limits. Opening the new file is the caller's (it knows how each file is opened).
 */
export class RotatingFile {
  readonly #file: string;
  readonly #settings: RotationSettings;
  readonly #report: (error: Error) => void;
  readonly #state: LineState = { size: 0, lineLength: 0 };
  #newest: number | undefined;

  constructor(file: string, settings: RotationSettings, report: (error: Error) => void) {
    this.#file = file;
    this.#settings = settings;
    this.#report = report;
  }

  /** Reads where the file stands, and finishes what a previous watchdog left: partial compressions, archives over the limits. */
  opened(fd: number): void {
    this.resync(fd);
    partialCompressions(this.#file).forEach((partial) => rmSync(partial, { force: true }));
    const archives = this.#prune(listArchives(this.#file));
    this.#newest = archives.at(-1)?.time;
    for (const archive of archives.filter((each) => !each.compressed)) {
      // Its .gz is complete (it is renamed only then): the watchdog ended before it removed the archive.
      if (archives.some((other) => other.compressed && other.time === archive.time)) rmSync(archive.path, { force: true });
      else if (this.#settings.compress) compressLater(archive.path, this.#report);
    }
  }

  /** Takes the file's size and its unfinished last line from the file itself (after opening it, or after a failed write). */
  resync(fd: number): void {
    const { size } = fstatSync(fd);
    this.#state.size = size;
    this.#state.lineLength = size === 0 ? 0 : unfinishedLineLength(this.#file, size, this.#settings.maxBytes);
  }

  /** Where to cut `data`, and where to rotate. */
  pieces(data: Buffer): Piece[] {
    return planPieces(this.#state, data, this.#settings.maxBytes);
  }

  /** Renames the file to a new archive (the caller opens a new file), then prunes and compresses. Throws if the rename fails. */
  archive(): void {
    const time = nextArchiveTime(Date.now(), this.#newest);
    const archive = archivePath(this.#file, time);
    renameSync(this.#file, archive);
    this.#newest = time;
    try {
      this.#prune(listArchives(this.#file));
    } catch (error) {
      this.#report(error as Error);
    }
    if (this.#settings.compress) compressLater(archive, this.#report);
  }

  /** Removes the archives over the limits; returns those kept. */
  #prune(archives: Archive[]): Archive[] {
    const removed = new Set(archivesToRemove(archives, this.#settings, Date.now()));
    removed.forEach((archive) => rmSync(archive.path, { force: true }));
    return archives.filter((archive) => !removed.has(archive));
  }
}

/** The length of the unfinished line at the end of a file (0 when it ends with a newline), looking back at most `limit` bytes. */
function unfinishedLineLength(file: string, size: number, limit: number): number {
  const length = Math.min(size, limit, 1 << 20);
  const tail = Buffer.alloc(length);
  let fd: number;
  try {
    fd = openSync(file, 'r');
  } catch {
    return 0;
  }
  try {
    readSync(fd, tail, 0, length, size - length);
  } finally {
    closeSync(fd);
  }
  const newline = tail.lastIndexOf(0x0a);
  return newline === -1 ? length : length - newline - 1;
}
