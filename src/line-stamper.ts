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
 */
export class LineStamper {
  #held: Buffer[] = [];
  #heldLength = 0;
  /** The line being held was already started on disk (it was too long to hold whole). */
  #continuing = false;
  readonly #now: () => Date;
  /** Reused for each chunk's stamped copy. */
  #scratch = Buffer.allocUnsafe(0);

  constructor(now: () => Date = () => new Date()) {
    this.#now = now;
  }

  /** Takes a chunk and returns what can be written now, or undefined when it is all held. The
   * result may share memory with the next one: write it (or copy it) before the next call. */
  push(chunk: Buffer): Buffer | undefined {
    const lastNewline = chunk.lastIndexOf(NEWLINE);
    if (lastNewline === -1) return this.#hold(chunk);

    const rest = chunk.subarray(lastNewline + 1);
    const complete = this.#take(chunk.subarray(0, lastNewline + 1));
    if (rest.length > 0) this.#hold(Buffer.from(rest));
    return complete;
  }

  /** The last partial line, written as it is when the child ends. */
  flush(): Buffer | undefined {
    if (this.#heldLength === 0) return undefined;
    return this.#take(Buffer.alloc(0));
  }

  #prefix(): string {
    return `${this.#now().toISOString()} `;
  }

  /** Prefixes the held bytes plus `lines`, which end with a newline (or are empty on flush). */
  #take(lines: Buffer): Buffer {
    const head = this.#held.length > 0 ? Buffer.concat([...this.#held, lines]) : lines;
    const firstPrefix = this.#continuing ? '' : undefined;
    this.#held = [];
    this.#heldLength = 0;
    this.#continuing = false;
    const prefix = this.#prefix();
    // Room for the stamps of up to one line per 32 bytes; denser output allocates its own.
    const room = head.length + Math.ceil(head.length / 32 + 1) * prefix.length;
    if (this.#scratch.length < room) this.#scratch = Buffer.allocUnsafe(Math.max(room, 2 * this.#scratch.length));
    return stampLines(head, prefix, firstPrefix ?? prefix, this.#scratch);
  }

  #hold(part: Buffer): Buffer | undefined {
    this.#held.push(part);
    this.#heldLength += part.length;
    if (this.#heldLength < MAX_HELD_LINE) return undefined;

    const all = Buffer.concat(this.#held);
    const cut = wholeCharacters(all);
    const out = Buffer.concat([Buffer.from(this.#continuing ? '' : this.#prefix()), all.subarray(0, cut)]);
    const tail = all.subarray(cut);
    this.#held = tail.length > 0 ? [Buffer.from(tail)] : [];
    this.#heldLength = tail.length;
    this.#continuing = true;
    return out;
  }
}

/**
 * Puts `prefix` before each line of `text` (whose last line may lack its newline), into `into`
 * when it is large enough. The work is done on a latin1 string, which maps every byte to one
 * character and back, so any bytes (binary, UTF-8, NUL) survive exactly, and the search runs in
 * the engine's native code. Writing into a reused buffer spares an allocation per chunk.
 */
function stampLines(text: Buffer, prefix: string, firstPrefix: string, into: Buffer): Buffer {
  if (text.length === 0) return text;
  const endsWithNewline = text[text.length - 1] === NEWLINE;
  const body = text.toString('latin1', 0, endsWithNewline ? text.length - 1 : text.length);
  const stamped = firstPrefix + body.replaceAll('\n', `\n${prefix}`) + (endsWithNewline ? '\n' : '');
  if (stamped.length > into.length) return Buffer.from(stamped, 'latin1');
  return into.subarray(0, into.write(stamped, 0, 'latin1'));
}
