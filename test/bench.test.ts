import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { promisify } from 'node:util';
import { root, tempDir } from './helpers/paths.js';

const run = promisify(execFile);

// The benchmark is not part of the suite; this only makes sure its script still runs end to end
// (on a tiny input, keepalive and the shell only) and writes a report whose checks passed.
test('bench/run.mjs --quick runs and writes a report', async () => {
  const out = path.join(tempDir('keepalive-bench-test-'), 'BENCHMARKS.md');
  const { stdout } = await run(
    process.execPath,
    [
      path.join(root, 'bench', 'run.mjs'),
      '--quick',
      '--size', '256k',
      '--lines', '2000',
      '--restarts', '20',
      '--only', 'throughput,last-words,restarts',
      '--systems', 'keepalive,shell',
      '--out', out,
    ],
    { cwd: root, timeout: 60_000 },
  );
  const report = readFileSync(out, 'utf8');
  assert.match(report, /^# Benchmarks/);
  assert.match(report, /## 1\. Throughput/);
  assert.match(report, /## 2\. Last words/);
  assert.match(report, /## 3\. Restart cost/);
  // Every run's output was byte-identical, and every line of the last words was kept.
  assert.match(report, /\| keepalive, files only \| [\d.]+ s \| \d+ MB\/s \| 1\/1 \|/);
  assert.match(report, /\| keepalive, files only, unmovableLogs \| [\d.]+ s \| \d+ MB\/s \| 1\/1 \|/);
  assert.match(report, /\| keepalive, timestamps \| [\d.]+ s \| \d+ MB\/s \| 1\/1 \|/);
  assert.match(report, /\| keepalive, echo \| [\d.]+ s \| \d+ MB\/s \| 1\/1 \|/);
  // The shell's references for the piped modes ran and kept every byte too.
  assert.match(report, /\| cat \\\| cat >> file \(shell, a pipe\) \| [\d.]+ s \| \d+ MB\/s \| 1\/1 \|/);
  assert.match(report, /\| cat \\\| tee -a file \(shell, echo\) \| [\d.]+ s \| \d+ MB\/s \| 1\/1 \|/);
  assert.match(stdout, /met {4}keepalive, files only: lines kept in every run: 2,000/);
  assert.match(stdout, /met {4}keepalive, unmovableLogs: lines kept in every run: 2,000/);
  assert.match(stdout, /met {4}keepalive, timestamps: lines kept in every run: 2,000/);
  assert.match(stdout, /keepalive: [\d.]+ ms per restart/);
});
