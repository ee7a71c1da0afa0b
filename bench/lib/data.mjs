// The data the throughput scenario pushes, and the checks on what comes out.
import { createHash } from 'node:crypto';
import { closeSync, openSync, readSync, statSync, writeSync } from 'node:fs';

const WORDS =
  'lorem ipsum dolor sit amet consectetur adipiscing elit sed do eiusmod tempor incididunt ut labore et dolore magna aliqua GET /api/v1/items 200 ms user=42 request_id=9f1c'.split(
    ' ',
  );

/** Writes `bytes` bytes of log-like text lines (about 130 bytes each, numbered) to `file`. */
export function writeTextFile(file, bytes) {
  const tails = [];
  for (let n = 0; n < 1009; n += 1) {
    let text = '';
    for (let i = 0; i < 6 + ((n * 7919) % 17); i += 1) text += ` ${WORDS[(n + i * 31) % WORDS.length]}`;
    tails.push(`${text}\n`);
  }
  const fd = openSync(file, 'w');
  try {
    let written = 0;
    let line = 0;
    while (written < bytes) {
      const parts = [];
      let length = 0;
      while (length < 1 << 20) {
        line += 1;
        const text = `info ${line}${tails[line % tails.length]}`;
        parts.push(text);
        length += text.length;
      }
      const buffer = Buffer.from(parts.join('').slice(0, bytes - written), 'latin1');
      writeSync(fd, buffer);
      written += buffer.length;
    }
  } finally {
    closeSync(fd);
  }
}

function* chunks(file, size = 4 << 20) {
  const fd = openSync(file, 'r');
  try {
    const buffer = Buffer.allocUnsafe(size);
    for (;;) {
      const read = readSync(fd, buffer, 0, size, null);
      if (read === 0) return;
      yield buffer.subarray(0, read);
    }
  } finally {
    closeSync(fd);
  }
}

function sizeOf(file) {
  try {
    return statSync(file).size;
  } catch {
    return 0;
  }
}

/** Byte-for-byte comparison. */
export function sameBytes(expected, actual) {
  const expectedBytes = sizeOf(expected);
  const actualBytes = sizeOf(actual);
  if (expectedBytes !== actualBytes) return { identical: false, expectedBytes, actualBytes };
  const other = openSync(actual, 'r');
  try {
    let offset = 0;
    const buffer = Buffer.allocUnsafe(4 << 20);
    for (const chunk of chunks(expected)) {
      const read = readSync(other, buffer, 0, chunk.length, offset);
      if (read !== chunk.length || !buffer.subarray(0, read).equals(chunk)) {
        return { identical: false, expectedBytes, actualBytes, firstDifferenceNear: offset };
      }
      offset += read;
    }
  } finally {
    closeSync(other);
  }
  return { identical: true, expectedBytes, actualBytes };
}

/**
 * A hash of a file's content, or of its lines with `prefix` (a RegExp anchored at ^, such as a
 * timestamp) removed from each. `unprefixed` counts the lines that had no prefix.
 */
export function contentHash(file, prefix) {
  const hash = createHash('sha1');
  let lines = 0;
  let unprefixed = 0;
  // Stripped bytes gather here so that the hash sees a few large updates, not one per line.
  const out = Buffer.allocUnsafe(8 << 20);
  let used = 0;
  let carry = Buffer.alloc(0);
  let width = -1;
  const emit = (bytes) => {
    if (used + bytes.length > out.length) {
      hash.update(out.subarray(0, used));
      used = 0;
    }
    if (bytes.length > out.length) hash.update(bytes);
    else used += bytes.copy(out, used);
  };
  const strip = (line) => {
    lines += 1;
    // Most prefixes have one width; check the cheap way first, then fall back to the RegExp.
    if (width > 0 && line.length >= width && line[width - 1] === 0x20 && line[4] === 0x2d) return line.subarray(width);
    const head = line.subarray(0, 80).toString('latin1');
    const match = prefix.exec(head);
    if (!match) {
      unprefixed += 1;
      return line;
    }
    if (width < 0) width = match[0].length;
    return line.subarray(match[0].length);
  };
  for (const chunk of chunks(file)) {
    if (!prefix) {
      hash.update(chunk);
      continue;
    }
    const data = carry.length ? Buffer.concat([carry, chunk]) : chunk;
    let start = 0;
    for (let end = data.indexOf(10, start); end >= 0; end = data.indexOf(10, start)) {
      emit(strip(data.subarray(start, end + 1)));
      start = end + 1;
    }
    carry = Buffer.from(data.subarray(start));
  }
  if (carry.length) emit(strip(carry));
  hash.update(out.subarray(0, used));
  return { hash: hash.digest('hex'), bytes: sizeOf(file), lines, unprefixed };
}

/** How many distinct `line N` lines (1..expected) a file holds, timestamps or not. */
export function countNumberedLines(file, expected) {
  const seen = new Uint8Array(expected + 1);
  let count = 0;
  let rest = '';
  for (const chunk of sizeOf(file) ? chunks(file) : []) {
    const text = rest + chunk.toString('latin1');
    const end = text.lastIndexOf('\n');
    rest = text.slice(end + 1);
    if (end < 0) continue;
    for (const match of text.slice(0, end).matchAll(/(?:^|[ :\]])line (\d+)$/gm)) {
      const n = Number(match[1]);
      if (n >= 1 && n <= expected && !seen[n]) {
        seen[n] = 1;
        count += 1;
      }
    }
  }
  return count;
}
