import { closeSync, fstatSync, openSync, readSync, watch, type FSWatcher } from 'node:fs';
import type { Writable } from 'node:stream';
import { usableEcho } from './output-routing.js';

const READ_SIZE = 1024 * 1024;

/**
 * Echoes what is appended to a file, like `tail -f`: used when the child writes to its log file
 * directly and the output should also show on the console. The file gets every byte at the
 * disk's speed; the console follows at its own pace and never slows the child down.
 */
export class FileFollower {
  readonly #fd: number;
  readonly #echo: Writable;
  readonly #watcher: FSWatcher | undefined;
  #buffer = Buffer.allocUnsafe(READ_SIZE);
  #offset: number;
  #waitingForDrain = false;
  #done = false;

  /** Starts at the file's current end: what was there before this run is not echoed again. */
  constructor(file: string, echo: Writable) {
    this.#fd = openSync(file, 'r');
    this.#offset = fstatSync(this.#fd).size;
    this.#echo = echo;
    try {
      this.#watcher = watch(file, { persistent: false }, () => this.#pump());
      this.#watcher.on('error', () => {});
    } catch {
      // No change events (an odd file system): the rest is echoed when the run ends.
    }
  }

  /** A follower, or undefined if the file cannot be read (then there is no echo, and the file is still complete). */
  static start(file: string | undefined, echo: Writable): FileFollower | undefined {
    try {
      return file === undefined ? undefined : new FileFollower(file, echo);
    } catch {
      return undefined;
    }
  }

  /** Echoes what is left and lets go of the file. Called once the child is gone. */
  finish(): void {
    if (this.#done) return;
    this.#watcher?.close();
    this.#pump(true);
    this.#done = true;
    closeSync(this.#fd);
  }

  /** Copies new bytes to the echo stream; waits for 'drain' when it is full, unless finishing. */
  #pump(finishing = false): void {
    if (this.#done || (this.#waitingForDrain && !finishing)) return;
    for (;;) {
      let read: number;
      try {
        read = readSync(this.#fd, this.#buffer, 0, READ_SIZE, this.#offset);
      } catch {
        return;
      }
      if (read === 0) return;
      this.#offset += read;
      const echo = usableEcho(this.#echo);
      if (!echo) continue;
      const accepted = echo.write(this.#buffer.subarray(0, read));
      // A stream that could not write at once keeps the bytes queued: they are its own now.
      if (echo.writableLength > 0) this.#buffer = Buffer.allocUnsafe(READ_SIZE);
      if (!accepted && !finishing) {
        this.#waitingForDrain = true;
        this.#echo.once('drain', () => {
          this.#waitingForDrain = false;
          this.#pump();
        });
        return;
      }
    }
  }
}
