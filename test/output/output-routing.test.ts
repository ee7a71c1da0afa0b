import assert from 'node:assert/strict';
import { PassThrough, Writable } from 'node:stream';
import { test } from 'node:test';
import { OutputFiles } from '../../src/output/output-files.js';
import { copyPipe } from '../../src/output/output-routing.js';

test('a slow echo pauses the pipe once, however many parts one chunk is stamped in', () => {
  const source = new PassThrough();
  const echoed: Buffer[] = [];
  const pending: (() => void)[] = [];
  const echo = new Writable({
    highWaterMark: 1,
    write(chunk: Buffer, _encoding, done) {
      echoed.push(chunk);
      pending.push(done);
    },
  });
  copyPipe(source, { stream: 'stdout', files: [], echo, emit: false, timestamp: true }, new OutputFiles({}, () => {}), () => {});

  // A 900 KiB line is held, then written in 128 KiB parts when its newline comes.
  source.emit('data', Buffer.alloc(900 * 1024, 'a'));
  source.emit('data', Buffer.from('\nend\n'));
  assert.ok(source.isPaused(), 'the pipe waits for the echo');
  assert.equal(echo.listenerCount('drain'), 1);

  while (pending.length > 0) pending.shift()?.();
  assert.ok(!source.isPaused(), 'the pipe goes on once the echo drained');
  assert.equal(echo.listenerCount('drain'), 0);
  const text = Buffer.concat(echoed).toString('latin1');
  assert.match(text, /^\d{4}-\d\d-\d\dT[\d:.]+Z a{921600}\n\d{4}-\d\d-\d\dT[\d:.]+Z end\n$/);
});
