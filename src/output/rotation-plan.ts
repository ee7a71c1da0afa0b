// Where a rotating log cuts what it writes: a pure function of the file's state, the bytes and the
// limit, so that the rules are tested without files.

/** The file being written: its size, and how many bytes of an unfinished line end it. */
export interface LineState {
  size: number;
  lineLength: number;
}

/** Bytes `start` to `end` of a chunk go to the current file; then, if `rotate`, a new file begins. */
export interface Piece {
  readonly start: number;
  readonly end: number;
  readonly rotate: boolean;
}

const NEWLINE = 0x0a;

/**
 * Splits a chunk for a file that must not pass `limit` bytes. Whole lines that fit are written;
 * when the next one does not, the file is rotated first; a line that was already begun in this
 * file is finished in it (the file passes the limit by at most that line) and then it rotates. A
 * line longer than the limit is cut every `limit` bytes, at the start of a UTF-8 character.
 * Updates `state` to what the file holds after the last piece.
 */
export function planPieces(state: LineState, data: Buffer, limit: number): Piece[] {
  const pieces: Piece[] = [];
  const rotate = (start: number, end: number): void => {
    pieces.push({ start, end, rotate: true });
    state.size = 0;
    state.lineLength = 0;
  };
  let at = 0;
  while (at < data.length) {
    const room = limit - state.size;
    if (data.length - at <= room) {
      pieces.push({ start: at, end: data.length, rotate: false });
      const lastNewline = data.lastIndexOf(NEWLINE);
      state.size += data.length - at;
      state.lineLength = lastNewline >= at ? data.length - lastNewline - 1 : state.lineLength + data.length - at;
      return pieces;
    }
    // It would pass the limit. First the whole lines that still fit, then a new file.
    const fits = room > 0 ? data.lastIndexOf(NEWLINE, at + room - 1) : -1;
    if (fits >= at) {
      rotate(at, fits + 1);
      at = fits + 1;
      continue;
    }
    if (state.lineLength === 0 && state.size > 0) {
      rotate(at, at);
      continue;
    }
    // The file ends in an unfinished line, or is empty: finish the line here, or cut it at the limit.
    const newline = data.indexOf(NEWLINE, at);
    const lineEnd = newline === -1 ? data.length : newline + 1;
    const allowed = limit - state.lineLength;
    if (lineEnd - at <= allowed) {
      if (newline === -1) {
        pieces.push({ start: at, end: lineEnd, rotate: false });
        state.size += lineEnd - at;
        state.lineLength += lineEnd - at;
      } else {
        rotate(at, lineEnd);
      }
      at = lineEnd;
      continue;
    }
    let cut = characterStart(data, at + allowed, at);
    // Only a limit smaller than one character could leave nothing to write into an empty file.
    if (cut === at && state.size === 0) cut = at + Math.max(1, allowed);
    rotate(at, cut);
    at = cut;
  }
  return pieces;
}

/** The nearest index at or before `index` (and after `floor`) where a UTF-8 character starts. */
export function characterStart(data: Buffer, index: number, floor: number): number {
  let at = index;
  // 10xxxxxx is the continuation of a character begun before it.
  while (at > floor && at < data.length && ((data[at] as number) & 0xc0) === 0x80) at--;
  return at;
}
