import { closeSync, constants, fstatSync, ftruncateSync, openSync, readSync, writeSync } from 'node:fs';
import { createFolderOf } from '../files/folders.js';
import { KeepaliveError } from '../vocabulary/errors.js';
import { statusLine, type StatusEvent } from '../vocabulary/events.js';
import { jsonLine, JsonLines } from './json-lines.js';
import { RotatingFile, type RotationSettings } from './rotation.js';

export type OutputName = 'outFile' | 'errFile' | 'logFile';
export type StreamName = 'stdout' | 'stderr';
export const OUTPUT_NAMES: readonly OutputName[] = ['outFile', 'errFile', 'logFile'];

/** Appends, creates with 0644 (less the umask), never truncates unless asked. The logFile is
 * also read: a status line must not be glued to a last line the child left unfinished. */
const APPEND = constants.O_APPEND | constants.O_CREAT;
const ACCESS: Record<OutputName, number> = { outFile: constants.O_WRONLY, errFile: constants.O_WRONLY, logFile: constants.O_RDWR };

/** How the files are written: rotated (`maxLogSize`...), as JSON lines (`logFormat: 'json'`). */
export interface FileSettings {
  readonly rotation?: RotationSettings | undefined;
  readonly json?: boolean;
}

/**
 * The open log files. They are opened with O_APPEND, so every write lands at the end even when
 * the child holds the same file open, or logrotate's copytruncate empties it. Writes are
 * synchronous: a file write is a copy into the page cache, and a chunk written is a chunk kept.
 */
export class OutputFiles {
  readonly #paths: Partial<Record<OutputName, string>>;
  readonly #fds = new Map<OutputName, number>();
  /** Files whose last write failed: a failure is reported once per episode, not once per chunk. */
  readonly #failing = new Set<OutputName>();
  readonly #report: (event: StatusEvent) => void;
  readonly #rotation: RotationSettings | undefined;
  /** With rotation on: each file's rotation, shared by the names that share the file. */
  readonly #rotating = new Map<OutputName, RotatingFile>();
  /** With `logFormat: 'json'`: the encoder of each file and stream (`outFile:stdout`). */
  readonly #json: Map<string, JsonLines> | undefined;

  constructor(paths: Partial<Record<OutputName, string | undefined>>, report: (event: StatusEvent) => void, settings: FileSettings = {}) {
    this.#paths = Object.fromEntries(Object.entries(paths).filter(([, file]) => file !== undefined));
    this.#report = report;
    this.#rotation = settings.rotation;
    this.#json = settings.json ? new Map() : undefined;
  }

  /**
   * Opens every file, or none: a bad path throws LOG_PATH and leaves nothing open. A reopen keeps
   * each file's rotation (its newest archive, a compression under way) and only reads the new file.
   */
  open(truncate: boolean, reopening = false): void {
    const opened = new Map<OutputName, number>();
    const flags = APPEND | (truncate ? constants.O_TRUNC : 0);
    try {
      for (const name of OUTPUT_NAMES) {
        const file = this.#paths[name];
        if (file === undefined) continue;
        const already = [...opened].find(([other]) => this.#paths[other] === file);
        // Truncating a file twice would lose what the first open let through: share one fd.
        opened.set(name, already ? already[1] : openLogFile(name, file, flags | ACCESS[name]));
      }
    } catch (error) {
      new Set(opened.values()).forEach((fd) => closeSync(fd));
      throw error;
    }
    const kept = reopening ? new Map(this.#rotating) : undefined;
    this.close();
    opened.forEach((fd, name) => this.#fds.set(name, fd));
    if (this.#rotation) this.#startRotation(this.#rotation, kept);
  }

  #startRotation(settings: RotationSettings, kept: ReadonlyMap<OutputName, RotatingFile> | undefined): void {
    for (const [name, fd] of this.#fds) {
      const file = this.#paths[name] as string;
      const before = kept?.get(name);
      if (before) {
        this.#rotating.set(name, before);
        this.#resync(name, before);
        continue;
      }
      const shared = [...this.#rotating].find(([other]) => this.#paths[other] === file)?.[1];
      const rotating = shared ?? new RotatingFile(file, settings, (error) => this.#failed(file, error));
      if (!shared) this.#opened(file, rotating, fd);
      this.#rotating.set(name, rotating);
    }
  }

  /**
   * Opens the files again by name (after logrotate moved them), then closes the old ones. Says
   * which, by path; `held` are those the child holds itself, which do not move with it.
   */
  reopen(held: readonly OutputName[]): Extract<StatusEvent, { type: 'logs-reopened' }> {
    if (this.#fds.size > 0) this.open(false, true);
    // One path once, when two names share it.
    const paths = (names: readonly OutputName[]): string[] => [...new Set(names.map((name) => this.#paths[name] as string))];
    return { type: 'logs-reopened', reopened: paths([...this.#fds.keys()]), held: paths(held) };
  }

  close(): void {
    new Set(this.#fds.values()).forEach((fd) => closeSync(fd));
    this.#fds.clear();
    this.#failing.clear();
    this.#rotating.clear();
  }

  /** The open descriptor of a file, to hand to a child as its stdout or stderr. */
  fd(name: OutputName): number | undefined {
    return this.#fds.get(name);
  }

  has(name: OutputName): boolean {
    return this.#fds.has(name);
  }

  /** The path a file was opened by. */
  path(name: OutputName): string | undefined {
    return this.#fds.has(name) ? this.#paths[name] : undefined;
  }

  /** True if two names are one open file (the same path given twice). */
  sharesFd(name: OutputName, other: OutputName): boolean {
    return this.#fds.has(name) && this.#fds.get(name) === this.#fds.get(other);
  }

  /** Writes a status line of keepalive's own, on a line of its own even after unfinished output. */
  writeStatus(name: OutputName, text: string): void {
    const fd = this.#fds.get(name);
    if (fd === undefined) return;
    if (this.#json) return this.write(name, Buffer.from(jsonLine(`keepalive: ${text}\n`, 'keepalive')));
    const line = statusLine(text);
    this.write(name, Buffer.from(endsMidLine(fd) ? `\n${line}` : line));
  }

  /** Writes what a stream of the child said (as JSON objects with `logFormat: 'json'`). */
  writeOutput(name: OutputName, data: Buffer, stream: StreamName): void {
    if (!this.#json) return this.write(name, data);
    const encoded = this.#encoder(name, stream).push(data);
    if (encoded.length > 0) this.write(name, encoded);
  }

  /** A stream of the child ended: its unfinished last line is written (JSON lines wait for a line's end). */
  endOutput(name: OutputName, stream: StreamName): void {
    const last = this.#json?.get(`${name}:${stream}`)?.end();
    if (last && last.length > 0) this.write(name, last);
  }

  #encoder(name: OutputName, stream: StreamName): JsonLines {
    const key = `${name}:${stream}`;
    const encoder = this.#json?.get(key) ?? new JsonLines(stream);
    this.#json?.set(key, encoder);
    return encoder;
  }

  write(name: OutputName, data: Buffer): void {
    const fd = this.#fds.get(name);
    if (fd === undefined) return;
    const rotating = this.#rotating.get(name);
    try {
      if (rotating) this.#writeRotating(name, rotating, data);
      else writeAll(fd, data);
    } catch (error) {
      if (rotating) this.#resync(name, rotating);
      if (this.#failing.has(name)) return;
      this.#failing.add(name);
      this.#report({ type: 'output-failed', file: this.#paths[name] ?? name, error: (error as Error).message });
      return;
    }
    if (this.#failing.delete(name)) this.#report({ type: 'output-recovered', file: this.#paths[name] ?? name });
  }

  /** Writes through a rotating file: whole lines up to its limit, then a new file (see rotation-plan.ts). */
  #writeRotating(name: OutputName, rotating: RotatingFile, data: Buffer): void {
    for (const piece of rotating.pieces(data)) {
      if (piece.end > piece.start) writeAll(this.#fds.get(name) as number, data.subarray(piece.start, piece.end));
      if (piece.rotate) this.#rotate(name, rotating);
    }
  }

  /**
   * Renames the file to an archive and opens a new one for every name that shares it. When the
   * rename fails the file goes on growing (reported); the next try comes after another maxLogSize.
   */
  #rotate(name: OutputName, rotating: RotatingFile): void {
    const file = this.#paths[name] as string;
    const old = this.#fds.get(name) as number;
    const sharing = [...this.#fds].filter(([, fd]) => fd === old).map(([other]) => other);
    try {
      rotating.archive();
    } catch (error) {
      this.#failed(file, error as Error);
      return;
    }
    let fd: number;
    try {
      fd = openLogFile(name, file, APPEND | ACCESS[sharing[0] ?? name]);
    } catch (error) {
      // Writes go on into the archive until the file can be opened again (at the next rotation or reopen).
      this.#failed(file, error as Error);
      return;
    }
    for (const other of sharing) this.#fds.set(other, fd);
    closeSync(old);
  }

  /** Cleaning up after an earlier run (leftovers, archives over the limits) never stops this one from starting. */
  #opened(file: string, rotating: RotatingFile, fd: number): void {
    try {
      rotating.opened(fd);
    } catch (error) {
      this.#failed(file, error as Error);
    }
  }

  #resync(name: OutputName, rotating: RotatingFile): void {
    try {
      rotating.resync(this.#fds.get(name) as number);
    } catch {
      // The next write tells.
    }
  }

  /** A rotation or compression that failed: reported, and the output goes on. */
  #failed(file: string, error: Error): void {
    this.#report({ type: 'output-failed', file, error: error.message });
  }
}

/**
 * Writes a whole chunk, or none of it: when a write fails part way (a full disk), the part that
 * went in is taken back, so that the file does not end in a piece of a line that later output
 * would be glued to.
 */
function writeAll(fd: number, data: Buffer): void {
  let done = 0;
  try {
    while (done < data.length) done += writeSync(fd, data, done);
  } catch (error) {
    if (done > 0) takeBack(fd, done);
    throw error;
  }
}

function takeBack(fd: number, bytes: number): void {
  try {
    ftruncateSync(fd, fstatSync(fd).size - bytes);
  } catch {
    // Not a regular file (a pipe, /dev/full): nothing to take back.
  }
}

function openLogFile(name: OutputName, file: string, flags: number): number {
  try {
    createFolderOf(file);
    return openSync(file, flags, 0o644);
  } catch (error) {
    throw new KeepaliveError('LOG_PATH', `${name} ${JSON.stringify(file)}: ${(error as Error).message}`, { cause: error });
  }
}

/** True if the file's last byte is not a newline. A file that cannot be read (a pipe) is taken as ending well. */
function endsMidLine(fd: number): boolean {
  try {
    const { size } = fstatSync(fd);
    if (size === 0) return false;
    const last = Buffer.alloc(1);
    return readSync(fd, last, 0, 1, size - 1) === 1 && last[0] !== 0x0a;
  } catch {
    return false;
  }
}
