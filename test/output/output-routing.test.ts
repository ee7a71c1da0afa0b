import assert from 'node:assert/strict';
import { PassThrough, Writable } from 'node:stream';
import path from 'node:path';
import { test } from 'node:test';
import { OutputFiles } from '../../src/output/output-files.js';
import { copyPipe, planOutput } from '../../src/output/output-routing.js';
import { tempDir } from '../helpers/paths.js';

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

test('unmovableLogs: a stream holds its own file for a later listener to follow, never a file both streams share', () => {
  const dir = tempDir();
  const settings = { silent: true, echoFileOutput: true, timestamp: false, unmovableLogs: true, fork: false, stdio: undefined };
  const nobody = { stdout: false, stderr: false };
  const plan = (paths: Record<string, string>) => {
    const files = new OutputFiles(paths, () => {});
    files.open(false);
    try {
      return planOutput(files, settings, nobody);
    } finally {
      files.close();
    }
  };
  const own = plan({ outFile: path.join(dir, 'out.log'), errFile: path.join(dir, 'err.log') });
  assert.deepEqual([own.held, own.holds], [['outFile', 'errFile'], { stdout: 'outFile', stderr: 'errFile' }]);
  const shared = plan({ logFile: path.join(dir, 'all.log') });
  assert.deepEqual([shared.held, shared.holds], [['logFile', 'logFile'], {}]);
  const same = plan({ outFile: path.join(dir, 'both.log'), errFile: path.join(dir, 'both.log') });
  assert.deepEqual(same.holds, {});
});
