import { StringDecoder } from 'node:string_decoder';

// `logFormat: 'json'`: one JSON object per line, in the shape Docker's json-file driver writes,
// `{"log":"text\n","stream":"stdout","time":"2026-12-01T16:51:26.123Z"}`, so that log shippers
// read it as they read Docker's logs. A line is written once it is whole; a line longer than
// PARTIAL_LIMIT is written in parts, each part's `log` without a newline, as Docker does, and an
// unfinished last line is written when its stream ends.

/** Docker splits lines longer than 16 KiB into parts. */
const PARTIAL_LIMIT = 16 * 1024;
const NEWLINE = 0x0a;

export type JsonStream = 'stdout' | 'stderr' | 'keepalive';

/** One object's line. */
export function jsonLine(text: string, stream: JsonStream, time = new Date()): string {
  return `${JSON.stringify({ log: text, stream, time: time.toISOString() })}\n`;
}

/** Turns one stream's chunks into objects, one per line; the start of an unfinished line waits for its end. */
export class JsonLines {
  readonly #stream: JsonStream;
  /** Keeps the bytes of a character split between two chunks until its end comes. */
  readonly #decoder = new StringDecoder('utf8');
  #pending = '';
  #pendingBytes = 0;

  constructor(stream: JsonStream) {
    this.#stream = stream;
  }

  /** The objects for the lines `data` finishes. */
  push(data: Buffer): Buffer {
    let out = '';
    let at = 0;
    const time = new Date();
    for (let newline = data.indexOf(NEWLINE); newline !== -1; newline = data.indexOf(NEWLINE, at)) {
      out += jsonLine(this.#pending + this.#decoder.write(data.subarray(at, newline + 1)), this.#stream, time);
      this.#pending = '';
      this.#pendingBytes = 0;
      at = newline + 1;
    }
    if (at < data.length) {
      this.#pending += this.#decoder.write(data.subarray(at));
      this.#pendingBytes += data.length - at;
      if (this.#pendingBytes >= PARTIAL_LIMIT) {
        out += jsonLine(this.#pending, this.#stream, time);
        this.#pending = '';
        this.#pendingBytes = 0;
      }
    }
    return Buffer.from(out);
  }

  /** The object of the unfinished last line, if there is one (the stream ended). */
  end(): Buffer {
    const text = this.#pending + this.#decoder.end();
    this.#pending = '';
    this.#pendingBytes = 0;
    return text === '' ? Buffer.alloc(0) : Buffer.from(jsonLine(text, this.#stream));
  }
}
