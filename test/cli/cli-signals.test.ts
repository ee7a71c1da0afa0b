import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { QUIET_TIME } from '../../src/features/watch.js';
import { fixture, tempDir } from '../helpers/paths.js';
import { runBin, type BinRun } from '../helpers/bin.js';
import { waitForFile } from '../helpers/polling.js';
import { isRunning } from '../helpers/processes.js';
import { statusLines } from '../helpers/statuses.js';

for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  test(`${signal}: the script is stopped gracefully, the pid file removed, exit 0`, async () => {
    const dir = tempDir();
    const pidFile = path.join(dir, 'app.pid');
    const run = runBin(['start', '--pidFile', pidFile, fixture('cli-ready.js')]);
    const [, pid] = await run.waitFor('stdout', /ready (\d+)/);
    // The child writes to the terminal itself, so its line can come before keepalive (busy) has
    // handled the spawn and written the pid file: wait for the file, then it must be this pid.
    assert.equal((await waitForFile(pidFile, /\d+/)).trim(), pid);
    run.process.kill(signal);
    assert.deepEqual(await run.exited, { code: 0, signal: null });
    const lines = statusLines(run.stderr());
    assert.ok(lines.includes(`${signal} received: stopping`), lines.join('\n'));
    assert.ok(lines.includes(`stopping pid ${pid} with SIGTERM`), lines.join('\n'));
    assert.equal(lines.at(-1), 'stopped');
    assert.equal(existsSync(pidFile), false);
    assert.equal(isRunning(Number(pid)), false);
  });
}

test('a second SIGINT while stopping kills at once', async () => {
  const run = runBin(['start', '--killTTL', '60s', fixture('cli-ignore-stop.js')]);
  const [, pid] = await run.waitFor('stdout', /ready (\d+)/);
  run.process.kill('SIGINT');
  await run.waitFor('stderr', /stopping pid \d+ with SIGTERM/);
  run.process.kill('SIGINT');
  // Well before the 60 s killTTL.
  assert.deepEqual(await run.exited, { code: 0, signal: null });
  assert.ok(statusLines(run.stderr()).includes('SIGINT again: sending SIGKILL now'));
  assert.equal(isRunning(Number(pid)), false);
});

test('SIGUSR2 restarts the script', async () => {
  const run = runBin(['start', fixture('cli-ready.js')]);
  const [, first] = await run.waitFor('stdout', /ready (\d+)/);
  const seen = run.stdout().length;
  run.process.kill('SIGUSR2');
  const [, second] = await run.waitFor('stdout', /ready (\d+)/, seen);
  assert.notEqual(second, first);
  assert.equal(isRunning(Number(first)), false);
  run.process.kill('SIGTERM');
  assert.deepEqual(await run.exited, { code: 0, signal: null });
  const lines = statusLines(run.stderr());
  assert.ok(lines.includes('restart requested (SIGUSR2)'), lines.join('\n'));
  assert.ok(lines.includes('restarting now (requested)'), lines.join('\n'));
  assert.ok(lines.includes(`started pid ${second} (run 2)`), lines.join('\n'));
});

/**
 * Runs the SIGUSR1 writer with `-o out` (and `flags`), moves `out` away as logrotate does and sends
 * SIGHUP; once keepalive said `said`, has the script write its last line and exit. Returns the
 * run, ended, with its stderr as it stood before that last line.
 */
async function moveLogThenHup(out: string, flags: readonly string[], said: RegExp): Promise<{ run: BinRun; stderrAtHup: string }> {
  const run = runBin(['start', '-m', '1', ...flags, '-o', out, fixture('cli-write-on-usr1.js')]);
  const [, pid] = await run.waitFor('stderr', /started pid (\d+)/);
  await waitForFile(out, /ready\n/);
  renameSync(out, `${out}.1`);
  run.process.kill('SIGHUP');
  await run.waitFor('stderr', said);
  const stderrAtHup = run.stderr();
  process.kill(Number(pid), 'SIGUSR1');
  assert.deepEqual(await run.exited, { code: 0, signal: null });
  return { run, stderrAtHup };
}

test('SIGHUP reopens the log files after logrotate moved them: the running script\'s next line is in the new file', async () => {
  const out = path.join(tempDir(), 'out.log');
  await moveLogThenHup(out, [], new RegExp(`reopened ${out}: all later output goes to the new file`));
  assert.equal(readFileSync(`${out}.1`, 'utf8'), 'ready\n');
  assert.equal(readFileSync(out, 'utf8'), 'after SIGUSR1\n');
});

test('--unmovableLogs: SIGHUP says plainly that the script keeps the old file until it restarts', async () => {
  const out = path.join(tempDir(), 'out.log');
  const said = new RegExp(`the child holds ${out} itself \\(unmovableLogs\\) and writes to the old file until it restarts`);
  const { stderrAtHup } = await moveLogThenHup(out, ['--unmovableLogs'], said);
  assert.doesNotMatch(stderrAtHup, /all later output goes to the new file/);
  assert.equal(readFileSync(`${out}.1`, 'utf8'), 'ready\nafter SIGUSR1\n');
  assert.equal(readFileSync(out, 'utf8'), '');
});

test('-e alone keeps stderr in its file and shows stdout on the console; -o alone the other way round', async () => {
  const cases = [
    { flag: '-e', filed: 'to stderr', console: { stdout: 'to stdout\n', stderr: '' } },
    { flag: '-o', filed: 'to stdout', console: { stdout: '', stderr: 'to stderr\n' } },
  ];
  for (const { flag, filed, console } of cases) {
    const file = path.join(tempDir(), 'a.log');
    const run = runBin(['start', '-q', '-m', '1', flag, file, fixture('say-both.js'), 'to stdout', 'to stderr']);
    assert.deepEqual(await run.exited, { code: 0, signal: null });
    assert.deepEqual({ stdout: run.stdout(), stderr: run.stderr() }, console, flag);
    assert.equal(readFileSync(file, 'utf8'), `${filed}\n`, flag);
  }
});

test('a stop while waiting to restart a spinning script ends at once with 0', async () => {
  const run = runBin(['start', '--spinSleepTime', '60s', fixture('cli-exit.js'), '1']);
  await run.waitFor('stderr', /restarting in 60000 ms \(spinning\)/);
  run.process.kill('SIGTERM');
  assert.deepEqual(await run.exited, { code: 0, signal: null });
  assert.equal(statusLines(run.stderr()).filter((line) => line.startsWith('started')).length, 1);
});

test('-w restarts the script when a watched file changes, and not for its own log', async () => {
  const dir = tempDir();
  const out = path.join(dir, 'out.log');
  writeFileSync(path.join(dir, 'config.js'), '// 0\n');
  const run = runBin(['start', '-w', '--watchDirectory', dir, '-l', out, fixture('cli-write-on-usr1.js')]);
  await run.waitFor('stderr', /started pid \d+ \(run 1\)/);
  await waitForFile(out, /ready\n/);
  // The watcher may still be scanning when the script is up: change the file until it is seen.
  let changes = 0;
  const restarted = run.waitFor('stderr', /started pid \d+ \(run 2\)/);
  while (!/\(run 2\)/.test(run.stderr())) {
    writeFileSync(path.join(dir, 'config.js'), `// ${++changes}\n`);
    await Promise.race([restarted, delay(2000)]);
  }
  // The restart wrote lines to keepalive's own log, in the watched folder. Were they not ignored,
  // each would restart the script again: give such a loop time to show, then count the starts.
  await delay(QUIET_TIME * 5);
  run.process.kill('SIGTERM');
  assert.deepEqual(await run.exited, { code: 0, signal: null });
  const lines = statusLines(run.stderr());
  // The watch feature asks for the restart with a reason of its own, which the status line shows.
  assert.ok(lines.includes(`${path.join(dir, 'config.js')} changed`), lines.join('\n'));
  assert.ok(lines.includes('restarting now (watch)'), lines.join('\n'));
  const starts = lines.filter((line) => line.startsWith('started')).length;
  assert.ok(starts >= 2 && starts <= 1 + changes, `${starts} starts for ${changes} changes:\n${lines.join('\n')}`);
});
