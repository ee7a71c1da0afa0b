import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { Monitor } from '../../src/index.js';
import { JsonLines } from '../../src/output/json-lines.js';
import { nextEvent } from '../helpers/events.js';
import { fixture, tempDir } from '../helpers/paths.js';

interface Entry {
  log: string;
  stream: string;
  time: string;
}

/** Every line of a file, parsed: each one must be a whole object of Docker's shape. */
function entries(file: string): Entry[] {
  const text = readFileSync(file, 'utf8');
  assert.ok(text.endsWith('\n'));
  return text.slice(0, -1).split('\n').map((line) => {
    const entry = JSON.parse(line) as Entry;
    assert.deepEqual(Object.keys(entry), ['log', 'stream', 'time'], line);
    assert.match(entry.time, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    return entry;
  });
}

test('JSON lines: one object per whole line; a character split between chunks comes out whole; long lines in 16 KiB parts; the rest at the end', () => {
  const lines = new JsonLines('stdout');
  const text = (buffer: Buffer): Entry[] => buffer.toString().split('\n').filter(Boolean).map((line) => JSON.parse(line) as Entry);
  assert.deepEqual(text(lines.push(Buffer.from('a\nb'))).map((entry) => entry.log), ['a\n']);
  const euro = Buffer.from('€\n');
  assert.deepEqual(text(lines.push(euro.subarray(0, 2))), []);
  assert.deepEqual(text(lines.push(euro.subarray(2))).map((entry) => entry.log), ['b€\n']);
  const parts = text(lines.push(Buffer.from('y'.repeat(20_000))));
  assert.deepEqual(parts.map((entry) => entry.log.length), [20_000]);
  assert.deepEqual(text(lines.push(Buffer.from('tail'))), []);
  assert.deepEqual(text(lines.end()).map((entry) => [entry.log, entry.stream]), [['tail', 'stdout']]);
  assert.equal(lines.end().length, 0);
});

test("logFormat 'json': outFile and logFile hold Docker json-file objects; status lines are stream keepalive; the unfinished last line is written at the end", async () => {
  const dir = tempDir();
  const outFile = path.join(dir, 'out.log');
  const logFile = path.join(dir, 'all.log');
  const monitor = new Monitor([process.execPath, fixture('json-speaker.js')], { outFile, logFile, logFormat: 'json', silent: true, max: 1 });
  const ended = nextEvent(monitor, 'exit');
  monitor.start();
  await ended;

  const out = entries(outFile);
  assert.ok(out.every((entry) => entry.stream === 'stdout'));
  assert.equal(out.map((entry) => entry.log).join(''), `hello\né€𝄞 split\n${'x'.repeat(40_000)}\nno newline at the end`);
  assert.equal(out[0]?.log, 'hello\n');
  assert.equal(out[1]?.log, 'é€𝄞 split\n');
  assert.equal(out.at(-1)?.log, 'no newline at the end');

  const all = entries(logFile);
  assert.deepEqual(all.filter((entry) => entry.stream === 'stderr').map((entry) => entry.log), ['oops "quoted"\n']);
  const statuses = all.filter((entry) => entry.stream === 'keepalive').map((entry) => entry.log);
  assert.match(statuses[0] ?? '', /^keepalive: started pid \d+ \(run 1\)\n$/);
  assert.ok(statuses.some((log) => /^keepalive: exited with code 0/.test(log)), statuses.join(''));
});
