import assert from 'node:assert/strict';
import { test } from 'node:test';
import { archivePath, nextArchiveTime, stampOf, timeOfStamp } from '../../src/output/archive-names.js';
import { planPieces, type LineState } from '../../src/output/rotation-plan.js';
import { ageInMs, archivesToRemove, type RotationSettings } from '../../src/output/rotation.js';

/** The files a sequence of chunks ends up in, as text, given a starting file. */
function filesAfter(chunks: readonly string[], limit: number, start = ''): string[] {
  const state: LineState = { size: Buffer.byteLength(start), lineLength: start.length - (start.lastIndexOf('\n') + 1) };
  const files = [start];
  for (const text of chunks) {
    const data = Buffer.from(text);
    for (const piece of planPieces(state, data, limit)) {
      files[files.length - 1] += data.subarray(piece.start, piece.end).toString('latin1');
      if (piece.rotate) files.push('');
    }
  }
  return files.map((file) => Buffer.from(file, 'latin1').toString());
}

test('rotation cuts: whole lines up to the limit, then a new file', () => {
  const cases: [string, string[], number, string, string[]][] = [
    ['fits', ['ab\n', 'cd\n'], 10, '', ['ab\ncd\n']],
    ['exactly the limit stays', ['abcd\n', 'efgh\n'], 10, '', ['abcd\nefgh\n']],
    ['the next line goes to a new file', ['abcd\n', 'efgh\n', 'ij\n'], 10, '', ['abcd\nefgh\n', 'ij\n']],
    ['one chunk of many lines', ['aaa\nbbb\nccc\nddd\n'], 8, '', ['aaa\nbbb\n', 'ccc\nddd\n']],
    ['a file that is already full', ['x\n'], 4, 'abcd', ['abcd', 'x\n']],
    ['a line begun in the file is finished there, past the limit', ['gh\nij\n'], 8, 'ab\ncdef', ['ab\ncdefgh\n', 'ij\n']],
    ['a line as long as the limit, in two chunks', ['abcdef', 'g\nij\n'], 8, '', ['abcdefg\n', 'ij\n']],
    ['a line over the limit is cut at the limit', ['abcdefghij\nk\n'], 4, '', ['abcd', 'efgh', 'ij\n', 'k\n']],
    ['a long line begun after others', ['ab\ncdefghijk\n'], 4, '', ['ab\n', 'cdef', 'ghij', 'k\n']],
    ['an unfinished line that fits waits for its end', ['ab\ncd', 'e'], 5, '', ['ab\ncde']],
  ];
  for (const [name, chunks, limit, start, expected] of cases) assert.deepEqual(filesAfter(chunks, limit, start), expected, name);
});

test('rotation cuts: a long line is cut at the start of a UTF-8 character, never inside one', () => {
  // "é" is 2 bytes, "€" 3, "𝄞" 4: a cut at 4 bytes would split each of them.
  for (const char of ['é', '€', '𝄞']) {
    const line = `${char.repeat(12)}\n`;
    const files = filesAfter([line], 7);
    assert.equal(files.join(''), line, char);
    for (const file of files) assert.ok(!file.includes('\uFFFD'), `${char}: ${JSON.stringify(files)}`);
    for (const file of files) assert.ok(Buffer.byteLength(file) <= 7, `${char}: ${Buffer.byteLength(file)} bytes`);
  }
});

test('rotation cuts: no file passes the limit by more than one line, and every byte is kept, in order', () => {
  let text = '';
  for (let i = 0; i < 2000; i++) text += `${'y'.repeat(i % 37)}${i}\n`;
  const chunks: string[] = [];
  for (let at = 0; at < text.length; at += 1 + (at % 113)) chunks.push(text.slice(at, at + 1 + (at % 113)));
  const files = filesAfter(chunks, 256);
  assert.equal(files.join(''), text);
  for (const file of files.slice(0, -1)) {
    assert.ok(file.endsWith('\n'), 'each archive ends with a whole line');
    assert.ok(file.length <= 256 + 41, `${file.length} bytes`);
  }
});

test('archive names: fixed-width UTC stamps that sort as they were made, read back exactly', () => {
  const time = Date.UTC(2026, 11, 1, 16, 51, 26, 7);
  assert.equal(stampOf(time), '20261201T165126.007Z');
  assert.equal(timeOfStamp('20261201T165126.007Z'), time);
  assert.equal(archivePath('/var/log/app.log', time), '/var/log/app.log.20261201T165126.007Z');
  for (const bad of ['20261301T165126.007Z', '20261201T165126Z', 'x20261201T165126.007Z', '20261201T165126.007Z.gz']) {
    assert.equal(timeOfStamp(bad), undefined, bad);
  }
  const names = [Date.UTC(2026, 0, 1), Date.UTC(2026, 0, 1, 0, 0, 0, 999), Date.UTC(2026, 0, 2), Date.UTC(2027, 5, 30)].map(stampOf);
  assert.deepEqual([...names].sort(), names);
});

test('archive times: two rotations in one ms, or after the clock stepped back, get later times than the newest', () => {
  const cases: [number, number | undefined, number][] = [
    [1000, undefined, 1000], [1000, 999, 1000], [1000, 1000, 1001], [500, 1000, 1001], [1000, 5000, 5001],
  ];
  for (const [now, newest, expected] of cases) assert.equal(nextArchiveTime(now, newest), expected, `now ${now}, newest ${newest}`);
});

test('retention: the newest maxLogFiles archives are kept, those older than maxLogAge removed, never the newest', () => {
  const day = 86_400_000;
  const now = 100 * day;
  const archive = (time: number, compressed = false): { path: string; time: number; compressed: boolean } => ({ path: `a.${time}${compressed ? '.gz' : ''}`, time, compressed });
  const settings = (maxFiles: number, maxAge?: number): RotationSettings => ({ maxBytes: 1, maxFiles, maxAge, compress: false });
  const five = [1, 2, 3, 4, 5].map((n) => archive(now - n * day)).reverse();
  const removed = (list: typeof five, rules: RotationSettings): number[] => archivesToRemove(list, rules, now).map((each) => (now - each.time) / day);
  assert.deepEqual(removed(five, settings(3)), [5, 4]);
  assert.deepEqual(removed(five, settings(10, 2.5 * day)), [5, 4, 3]);
  assert.deepEqual(removed(five, settings(10, day / 2)), [5, 4, 3, 2], 'the newest archive stays');
  // An archive and its finished .gz are one.
  const pair = [archive(now - 3 * day), archive(now - 2 * day), archive(now - 2 * day, true), archive(now - day)];
  assert.deepEqual(removed(pair, settings(2)), [3]);
});

test('maxLogAge: ages with a unit', () => {
  const cases: [string, number | undefined][] = [
    ['7d', 7 * 86_400_000], ['12h', 12 * 3_600_000], ['30m', 1_800_000], ['90s', 90_000], ['500ms', 500], ['2w', 14 * 86_400_000], ['1.5h', 5_400_000],
    ['7', undefined], ['7y', undefined], ['0d', undefined], ['d', undefined],
  ];
  for (const [text, ms] of cases) assert.equal(ageInMs(text), ms, text);
});
