import assert from 'node:assert/strict';
import { test } from 'node:test';
import { size, sizeInBytes } from '../../src/options/size.js';

const MiB = 1024 * 1024;

test('sizes: binary units, case-insensitive, with or without B or iB', () => {
  const cases: [string, number][] = [
    ['512M', 512 * MiB], ['512m', 512 * MiB], ['512MB', 512 * MiB], ['512MiB', 512 * MiB], ['512mib', 512 * MiB],
    ['10K', 10 * 1024], ['10kb', 10 * 1024], ['1G', 1024 * MiB], ['1.5G', 1.5 * 1024 * MiB], ['2T', 2 * 1024 ** 4],
    ['4096B', 4096], ['4096b', 4096], [' 64K ', 64 * 1024], ['0.5K', 512],
  ];
  for (const [text, bytes] of cases) assert.equal(sizeInBytes(text), bytes, text);
});

test('sizes: what is not a size is undefined (never 10 for "10M" misread)', () => {
  for (const text of ['', 'M', '10', '10X', '-5M', '0M', '0.1B', '10 M B', '1e3M', '10MM', '10iB']) {
    assert.equal(sizeInBytes(text), undefined, text);
  }
});

test('the size check: a bare number is refused with a unit suggested; the text is kept as written', () => {
  assert.equal(size('maxMemory', '512M'), '512M');
  assert.throws(() => size('maxMemory', '512'), { code: 'INVALID_OPTION', message: /option maxMemory: expected a size with a unit, such as "512M".*got "512"/ });
  assert.throws(() => size('maxLogSize', 1048576), { code: 'INVALID_OPTION', message: /option maxLogSize: .*"1048576M".*got 1048576/ });
  assert.throws(() => size('maxLogSize', '10 parsecs'), { code: 'INVALID_OPTION', message: /option maxLogSize: expected a size above 0 with a unit.*got "10 parsecs"/ });
  assert.throws(() => size('maxLogSize', {}), { code: 'INVALID_OPTION', message: /option maxLogSize/ });
});
