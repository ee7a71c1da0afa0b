import assert from 'node:assert/strict';
import { test } from 'node:test';
import { LineStamper, MAX_HELD_LINE } from '../src/line-stamper.js';

const TIME = '2026-01-02T03:04:05.678Z';
const stamper = (): LineStamper => new LineStamper(() => new Date(TIME));

function run(chunks: Buffer[]): Buffer {
  const s = stamper();
  // push() may reuse its buffer, so each result is copied before the next call.
  const out = chunks.map((chunk) => Buffer.from(s.push(chunk) ?? Buffer.alloc(0)));
  return Buffer.concat([...out, s.flush() ?? Buffer.alloc(0)]);
}

/** Removes the stamps again: what is left must be exactly what the child wrote. */
function unstamp(stamped: Buffer): Buffer {
  return Buffer.from(stamped.toString('latin1').replaceAll(`${TIME} `, ''), 'latin1');
}

test('every line gets one time, whatever the chunking', () => {
  const text = 'alpha\nbeta\ngamma\n';
  for (let cut = 0; cut <= text.length; cut++) {
    const out = run([Buffer.from(text.slice(0, cut)), Buffer.from(text.slice(cut))]);
    assert.equal(out.toString(), `${TIME} alpha\n${TIME} beta\n${TIME} gamma\n`, `cut at ${cut}`);
  }
});

test('a partial line waits for its end', () => {
  const s = stamper();
  assert.equal(s.push(Buffer.from('half a ')), undefined);
  assert.equal(s.push(Buffer.from('line\nnext'))?.toString(), `${TIME} half a line\n`);
  assert.equal(s.flush()?.toString(), `${TIME} next`);
  assert.equal(s.flush(), undefined);
});

test('multibyte characters split across chunks come out whole', () => {
  const text = Buffer.from('héllo wörld 😀 ✓\nzweite Zeile ü\n');
  for (let cut = 0; cut <= text.length; cut++) {
    const out = run([text.subarray(0, cut), text.subarray(cut)]);
    assert.equal(out.toString('utf8'), `${TIME} héllo wörld 😀 ✓\n${TIME} zweite Zeile ü\n`);
  }
});

test('binary with NUL bytes and CR survives exactly', () => {
  const bytes = Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 131) % 256));
  const out = run([bytes.subarray(0, 1000), bytes.subarray(1000, 1001), bytes.subarray(1001)]);
  assert.deepEqual(unstamp(out), bytes);
});

test('a line longer than the hold limit is written in parts with one time and no cut character', () => {
  const line = Buffer.from('€'.repeat(Math.ceil((MAX_HELD_LINE * 2.5) / 3)));
  const chunks: Buffer[] = [];
  for (let at = 0; at < line.length; at += 65536) chunks.push(line.subarray(at, at + 65536));
  const s = stamper();
  const copy = (part: Buffer | undefined): Buffer | undefined => part && Buffer.from(part);
  const parts = [...chunks.map((chunk) => copy(s.push(chunk))), copy(s.push(Buffer.from('\n'))), s.flush()].filter(
    (part): part is Buffer => part !== undefined,
  );
  assert.ok(parts.length >= 3, 'written in parts');
  for (const part of parts.slice(0, -1)) assert.ok(!part.toString('utf8').includes('\uFFFD'), 'no character is cut');
  const out = Buffer.concat(parts);
  assert.equal(out.toString('latin1').split(TIME).length - 1, 1, 'one time for the whole line');
  assert.deepEqual(unstamp(out), Buffer.concat([line, Buffer.from('\n')]));
});

test('an empty chunk and empty lines', () => {
  assert.equal(run([Buffer.alloc(0), Buffer.from('\n\n')]).toString(), `${TIME} \n${TIME} \n`);
});
