import { closeSync, constants, fstatSync, openSync, readSync, writeSync } from 'node:fs';
import { createFolderOf } from '../files/folders.js';
import { KeepaliveError } from '../vocabulary/errors.js';
import type { StatusEvent } from '../vocabulary/events.js';

export type OutputName = 'outFile' | 'errFile' | 'logFile';
export const OUTPUT_NAMES: readonly OutputName[] = ['outFile', 'errFile', 'logFile'];

/** Appends, creates with 0644 (less the umask), never truncates unless asked. The logFile is
 * also read: a status line must not be glued to a last line the child left unfinished. */
const APPEND = constants.O_APPEND | constants.O_CREAT;
const ACCESS: Record<OutputName, number> = { outFile: constants.O_WRONLY, errFile: constants.O_WRONLY, logFile: constants.O_RDWR };

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

  constructor(paths: Partial<Record<OutputName, string | undefined>>, report: (event: StatusEvent) => void) {
    this.#paths = Object.fromEntries(Object.entries(paths).filter(([, file]) => file !== undefined));
    this.#report = report;
  }

  /** Opens every file, or none: a bad path throws LOG_PATH and leaves nothing open. */
  open(truncate: boolean): void {
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
    this.close();
    opened.forEach((fd, name) => this.#fds.set(name, fd));
  }

  /**
   * Opens the files again by name (after logrotate moved them), then closes the old ones. Says
   * which, by path; `held` are those the child holds itself, which do not move with it.
   */
  reopen(held: readonly OutputName[]): Extract<StatusEvent, { type: 'logs-reopened' }> {
    if (this.#fds.size > 0) this.open(false);
    // One path once, when two names share it.
    const paths = (names: readonly OutputName[]): string[] => [...new Set(names.map((name) => this.#paths[name] as string))];
    return { type: 'logs-reopened', reopened: paths([...this.#fds.keys()]), held: paths(held) };
  }

  close(): void {
    new Set(this.#fds.values()).forEach((fd) => closeSync(fd));
    this.#fds.clear();
    this.#failing.clear();
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

  /** Writes a line of keepalive's own, on a line of its own even after unfinished output. */
  writeLine(name: OutputName, line: string): void {
    const fd = this.#fds.get(name);
    if (fd === undefined) return;
    this.write(name, Buffer.from(endsMidLine(fd) ? `\n${line}` : line));
  }

  write(name: OutputName, data: Buffer): void {
    const fd = this.#fds.get(name);
    if (fd === undefined) return;
    try {
      for (let done = 0; done < data.length; ) done += writeSync(fd, data, done);
    } catch (error) {
      if (this.#failing.has(name)) return;
      this.#failing.add(name);
      this.#report({ type: 'output-failed', file: this.#paths[name] ?? name, error: (error as Error).message });
      return;
    }
    if (this.#failing.delete(name)) this.#report({ type: 'output-recovered', file: this.#paths[name] ?? name });
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
