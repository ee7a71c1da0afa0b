import assert from 'node:assert/strict';
import { test } from 'node:test';
import { LineStamper, MAX_HELD_LINE } from '../../src/output/line-stamper.js';
import { random } from '../helpers/random.js';

const TIME = '2026-01-02T03:04:05.678Z';

/** A stamper whose output is collected per call: `take()` returns what the calls since the last take wrote. */
function stamper(): { s: LineStamper; take: () => Buffer | undefined } {
  let written: Buffer[] = [];
  // The stamper reuses its memory, so each part is copied as it is written.
  const s = new LineStamper((bytes) => written.push(Buffer.from(bytes)), () => new Date(TIME));
  const take = (): Buffer | undefined => {
    const out = written.length > 0 ? Buffer.concat(written) : undefined;
    written = [];
    return out;
  };
  return { s, take };
}

function run(chunks: Buffer[]): Buffer {
  const { s, take } = stamper();
  for (const chunk of chunks) s.push(chunk);
  s.flush();
  return take() ?? Buffer.alloc(0);
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
  const { s, take } = stamper();
  s.push(Buffer.from('half a '));
  assert.equal(take(), undefined);
  s.push(Buffer.from('line\nnext'));
  assert.equal(take()?.toString(), `${TIME} half a line\n`);
  s.flush();
  assert.equal(take()?.toString(), `${TIME} next`);
  s.flush();
  assert.equal(take(), undefined);
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
  const { s, take } = stamper();
  const afterEach = (call: () => void): Buffer | undefined => {
    call();
    return take();
  };
  const parts = [
    ...chunks.map((chunk) => afterEach(() => s.push(chunk))),
    afterEach(() => s.push(Buffer.from('\n'))),
    afterEach(() => s.flush()),
  ].filter((part): part is Buffer => part !== undefined);
  // What one call writes is written in one go, so only the cuts between calls matter.
  assert.ok(parts.length >= 3, 'written in parts');
  for (const part of parts.slice(0, -1)) assert.ok(!part.toString('utf8').includes('\uFFFD'), 'no character is cut');
  const out = Buffer.concat(parts);
  assert.equal(out.toString('latin1').split(TIME).length - 1, 1, 'one time for the whole line');
  assert.deepEqual(unstamp(out), Buffer.concat([line, Buffer.from('\n')]));
});

test('an empty chunk and empty lines', () => {
  assert.equal(run([Buffer.alloc(0), Buffer.from('\n\n')]).toString(), `${TIME} \n${TIME} \n`);
});

test('large and dense input, in random chunks, matches a line-by-line reference', () => {
  const next = random(7);
  for (let round = 0; round < 30; round++) {
    // Dense newlines fill the output room most; long lines cross the piece boundaries.
    const density = [0.5, 0.05, 0.001][round % 3] ?? 0.05;
    const bytes = Buffer.from(Array.from({ length: 1000 + Math.floor(next() * 400_000) }, () => (next() < density ? 0x0a : Math.floor(next() * 256))));
    const chunks: Buffer[] = [];
    for (let at = 0; at < bytes.length; ) {
      const size = 1 + Math.floor(next() * 200_000);
      chunks.push(bytes.subarray(at, at + size));
      at += size;
    }
    const lines = bytes.toString('latin1').split('\n');
    const last = lines.pop() ?? '';
    const expected = lines.map((line) => `${TIME} ${line}\n`).join('') + (last ? `${TIME} ${last}` : '');
    assert.equal(run(chunks).toString('latin1'), expected, `round ${round}`);
  }
});

test('a write that throws loses only its own bytes: what follows is stamped as before', () => {
  let failing = false;
  const written: string[] = [];
  const s = new LineStamper((bytes) => {
    if (failing) throw new Error('disk full');
    written.push(bytes.toString('latin1'));
  }, () => new Date(TIME));
  const failOnce = (call: () => void): void => {
    failing = true;
    assert.throws(call, /disk full/);
    failing = false;
  };

  s.push(Buffer.from('abc'));
  failOnce(() => s.push(Buffer.from('def\nrest')));
  s.push(Buffer.from(' of it\n'));
  assert.deepEqual(written.splice(0), [`${TIME} rest of it\n`]);

  // A long line's first part fails: the line goes on without a second time, the next has one.
  failOnce(() => s.push(Buffer.alloc(MAX_HELD_LINE, 'a')));
  s.push(Buffer.from('\nnext\n'));
  assert.equal(written.join(''), `\n${TIME} next\n`);
});
