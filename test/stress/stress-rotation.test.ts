// npm run test:stress: 1 GiB through rotation at 10 MiB, every archive kept. The archives and the
// current file, concatenated oldest first, must be byte-identical to the input.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { closeSync, openSync, readdirSync, readSync, writeSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { Monitor } from '../../src/index.js';
import { nextEvent } from '../helpers/events.js';
import { tempDir } from '../helpers/paths.js';

const SIZE = Number(process.env.KEEPALIVE_STRESS_ROTATION_BYTES ?? 1024 ** 3);

/** Writes `bytes` of numbered lines of varied length (some with multi-byte characters), and returns their sha1. */
function writeInput(file: string, bytes: number): string {
  const hash = createHash('sha1');
  const fd = openSync(file, 'w');
  try {
    let written = 0;
    for (let line = 1; written < bytes; ) {
      let text = '';
      while (text.length < 1 << 20) {
        text += `${line} ${'é€ log text '.repeat(line % 23)}${line % 97 === 0 ? 'x'.repeat(3000) : ''}\n`;
        line++;
      }
      const chunk = Buffer.from(text).subarray(0, bytes - written);
      writeSync(fd, chunk);
      hash.update(chunk);
      written += chunk.length;
    }
  } finally {
    closeSync(fd);
  }
  return hash.digest('hex');
}

function hashOf(files: readonly string[]): string {
  const hash = createHash('sha1');
  const buffer = Buffer.allocUnsafe(4 << 20);
  for (const file of files) {
    const fd = openSync(file, 'r');
    try {
      for (let read; (read = readSync(fd, buffer, 0, buffer.length, null)) > 0; ) hash.update(buffer.subarray(0, read));
    } finally {
      closeSync(fd);
    }
  }
  return hash.digest('hex');
}

test(`${SIZE} bytes through rotation at 10 MiB: the archives and the current file are the input, byte for byte`, async () => {
  const dir = tempDir();
  const input = path.join(dir, 'input.txt');
  const expected = writeInput(input, SIZE);
  const logs = path.join(dir, 'logs');
  const monitor = new Monitor(['cat', input], { outFile: path.join(logs, 'out.log'), maxLogSize: '10M', maxLogFiles: 10_000, max: 1, silent: true });
  const ended = nextEvent(monitor, 'exit');
  monitor.start();
  await ended;
  const archives = readdirSync(logs).filter((name) => name.startsWith('out.log.')).sort();
  assert.ok(archives.length >= Math.floor(SIZE / (10 * 1024 ** 2)) - 1, `${archives.length} archives`);
  assert.equal(hashOf([...archives, 'out.log'].map((name) => path.join(logs, name))), expected);
});
