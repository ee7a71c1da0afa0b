import { readFileSync } from 'node:fs';
import { KeepaliveError } from '../vocabulary/errors.js';
import { packageFile } from '../package-files.js';

/** A line longer than this is written in parts (the first with the time) so memory stays bounded. */
export const MAX_HELD_LINE = 1024 * 1024;

const NEWLINE = 0x0a;

/** How many bytes of `buffer` end on a whole UTF-8 character: a cut there splits none. */
function wholeCharacters(buffer: Buffer): number {
  let start = buffer.length - 1;
  let continuation = 0;
  while (start >= 0 && continuation < 3 && ((buffer[start] ?? 0) & 0xc0) === 0x80) {
    start--;
    continuation++;
  }
  const lead = buffer[start];
  if (lead === undefined) return buffer.length;
  const size = lead >= 0xf0 ? 4 : lead >= 0xe0 ? 3 : lead >= 0xc0 ? 2 : 1;
  return size > continuation + 1 ? start : buffer.length;
}

/**
 * Prefixes every line with `time ` (ISO-8601). Output arrives in chunks that may end inside a
 * line or inside a character; a partial line waits for its end, so each line gets exactly one
 * time and two streams that share a file never mix inside a line. Without the prefixes, the
 * bytes are exactly those the child wrote.
 *
 * What is ready goes to `write`, possibly in several parts for one chunk, each in memory that
 * is reused afterwards: `write` must write it (or copy it) before it returns.
 */
export class LineStamper {
  #held: Buffer[] = [];
  #heldLength = 0;
  /** The next byte starts a line (false after a long line's first part). */
  #atLineStart = true;
  readonly #write: (bytes: Buffer) => void;
  readonly #now: () => Date;

  /** Throws if the WebAssembly part cannot be loaded or instantiated: here, where a run is set up, not later in a stream's handler. */
  constructor(write: (bytes: Buffer) => void, now: () => Date = () => new Date()) {
    this.#write = write;
    this.#now = now;
    readyMachine();
  }

  /** Takes a chunk and writes the lines it completes. */
  push(chunk: Buffer): void {
    const lastNewline = chunk.lastIndexOf(NEWLINE);
    if (lastNewline === -1) {
      this.#hold(chunk);
      return;
    }
    const rest = chunk.subarray(lastNewline + 1);
    try {
      this.#stamp([...this.#takeHeld(), chunk.subarray(0, lastNewline + 1)], true);
    } finally {
      // A copy: the rest may wait long, and should not keep the whole chunk alive.
      if (rest.length > 0) this.#hold(Buffer.from(rest));
    }
  }

  /** Writes the last partial line as it is; called when the child ends. */
  flush(): void {
    if (this.#heldLength > 0) this.#stamp(this.#takeHeld(), true);
  }

  #hold(part: Buffer): void {
    this.#held.push(part);
    this.#heldLength += part.length;
    if (this.#heldLength < MAX_HELD_LINE) return;

    const all = Buffer.concat(this.#takeHeld());
    const cut = wholeCharacters(all);
    if (cut < all.length) this.#hold(Buffer.from(all.subarray(cut)));
    this.#stamp([all.subarray(0, cut)], false);
  }

  #takeHeld(): Buffer[] {
    const held = this.#held;
    this.#held = [];
    this.#heldLength = 0;
    return held;
  }

  /**
   * Writes `parts` as one text with the time before each line; all its lines get one time.
   * `endsLine`: whether the next byte after them starts a line. The stamper's state is
   * settled before anything is written, so a write that throws loses only its own bytes.
   */
  #stamp(parts: readonly Buffer[], endsLine: boolean): void {
    const prefix = `${this.#now().toISOString()} `;
    let atLineStart = this.#atLineStart;
    this.#atLineStart = endsLine;
    const machine = idleMachines.pop() ?? new StampMachine();
    let lastLoaded: number | undefined;
    try {
      const writeLoaded = (): void => {
        const stamped = machine.stamp(prefix, atLineStart);
        atLineStart = lastLoaded === NEWLINE;
        this.#write(stamped);
      };
      for (const part of parts) {
        for (let offset = 0; offset < part.length; ) {
          offset += machine.load(part.subarray(offset));
          lastLoaded = part[offset - 1];
          if (machine.full) writeLoaded();
        }
      }
      if (!machine.empty) writeLoaded();
    } finally {
      machine.clear();
      idleMachines.push(machine);
    }
  }
}

/** Input is stamped in pieces of at most this many bytes: a pipe's chunk, plus a held line's start. */
const PIECE = 128 * 1024;
/** Room for the prefix: an ISO-8601 time is at most 27 characters, then a space. */
const PREFIX_ROOM = 32;

/** The parts of the WebAssembly API used here (its full types come with the DOM library only). */
declare const WebAssembly: {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object) => { readonly exports: object };
};

interface StampExports {
  readonly memory: { readonly buffer: ArrayBuffer; grow(pages: number): number };
  stamp(source: number, length: number, target: number, prefix: number, prefixLength: number, atLineStart: number): number;
}

let stampModule: object | undefined;

function loadStampModule(): object {
  stampModule ??= new WebAssembly.Module(readFileSync(packageFile('dist', 'line-stamper.wasm')));
  return stampModule;
}

/** Throws INVALID_OPTION for `timestamp` when the WebAssembly part cannot be loaded or instantiated (a broken install). */
export function checkStamping(): void {
  try {
    readyMachine();
  } catch (error) {
    throw new KeepaliveError('INVALID_OPTION', `timestamp: the time stamper cannot be loaded: ${(error as Error).message}`, { cause: error });
  }
}

/** Machines not in use. Stampers take one for each call and give it back, so a restart costs no new one. */
const idleMachines: StampMachine[] = [];

/** Makes sure one machine waits, so that stamping in a stream's handler does not have to make one. */
function readyMachine(): void {
  if (idleMachines.length === 0) idleMachines.push(new StampMachine());
}

/**
 * The compiled loop of line-stamper.wat, with its own memory: the prefix, then one piece of
 * input, then room for the piece's stamped copy (a prefix after every byte, at worst).
 */
class StampMachine {
  readonly #exports: StampExports;
  readonly #memory: Buffer;
  #loaded = 0;

  constructor() {
    this.#exports = new WebAssembly.Instance(loadStampModule()).exports as StampExports;
    const size = PREFIX_ROOM + PIECE + PIECE * (PREFIX_ROOM + 1) + PREFIX_ROOM;
    const { memory } = this.#exports;
    memory.grow(Math.ceil(size / 65536) - memory.buffer.byteLength / 65536);
    this.#memory = Buffer.from(memory.buffer);
  }

  get full(): boolean {
    return this.#loaded === PIECE;
  }

  get empty(): boolean {
    return this.#loaded === 0;
  }

  /** Copies as much of `bytes` as fits into the piece; returns how much. */
  load(bytes: Buffer): number {
    const taken = Math.min(bytes.length, PIECE - this.#loaded);
    bytes.copy(this.#memory, PREFIX_ROOM + this.#loaded, 0, taken);
    this.#loaded += taken;
    return taken;
  }

  clear(): void {
    this.#loaded = 0;
  }

  /** The loaded piece with `prefix` before each line; valid until the machine is used again. */
  stamp(prefix: string, atLineStart: boolean): Buffer {
    const prefixLength = this.#memory.write(prefix, 0, PREFIX_ROOM, 'latin1');
    const target = PREFIX_ROOM + PIECE;
    const length = this.#exports.stamp(PREFIX_ROOM, this.#loaded, target, 0, prefixLength, atLineStart ? 1 : 0);
    this.#loaded = 0;
    return this.#memory.subarray(target, target + length);
  }
}
