import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { Monitor, type MonitorOptions } from '../../src/index.js';
import { runBin } from '../helpers/bin.js';
import { fixture, tempDir } from '../helpers/paths.js';
import { waitForFile } from '../helpers/polling.js';
import { statusLines } from '../helpers/statuses.js';

const ROTATIONS = 20;

/** The numbers of the numbered lines in a file, in order; timestamps and status lines are passed over. */
function numbersIn(file: string): number[] {
  return readFileSync(file, 'utf8')
    .split('\n')
    .map((line) => /^(?:\S+Z )?(\d+)$/.exec(line)?.[1])
    .filter((number): number is string => number !== undefined)
    .map(Number);
}

/**
 * The files, oldest first, must hold every number from 1 up exactly once, each file a run that
 * goes on where the one before ended; and the newest, written after the last reopen, not empty.
 */
function assertEveryLineOnceInOrder(files: readonly string[]): void {
  let next = 1;
  for (const file of files) {
    for (const number of numbersIn(file)) {
      assert.equal(number, next, `${path.basename(file)}: expected line ${next}, found ${number}`);
      next++;
    }
  }
  assert.ok(next > 1, 'some lines were written');
  assert.ok(numbersIn(files.at(-1) as string).length > 0, 'lines written after the last reopen are in the new file');
}

const modes: [string, (dir: string) => MonitorOptions, string][] = [
  ['outFile, the default', (dir) => ({ outFile: path.join(dir, 'out.log') }), 'out.log'],
  ['outFile with timestamps', (dir) => ({ outFile: path.join(dir, 'out.log'), timestamp: true }), 'out.log'],
  ['logFile, both streams and status lines', (dir) => ({ logFile: path.join(dir, 'all.log') }), 'all.log'],
];

for (const [mode, optionsIn, name] of modes) {
  test(`reopenLogs() after ${ROTATIONS} renames (${mode}): every line in exactly one file, later lines in the new file`, async () => {
    const dir = tempDir();
    const file = path.join(dir, name);
    const monitor = new Monitor([process.execPath, fixture('numbered-lines.js')], { silent: true, ...optionsIn(dir) });
    const reopened: string[] = [];
    monitor.on('status', (event) => {
      if (event.type === 'logs-reopened') reopened.push(...event.reopened.filter((each) => !event.held.includes(each)));
    });
    monitor.start();
    const archives: string[] = [];
    for (let rotation = 1; rotation <= ROTATIONS; rotation++) {
      await waitForFile(file, /\d\n/);
      const archive = `${file}.${String(rotation).padStart(2, '0')}`;
      renameSync(file, archive);
      archives.push(archive);
      monitor.reopenLogs();
    }
    await waitForFile(file, /\d\n/);
    await monitor.stop();
    assert.equal(reopened.filter((each) => each === file).length, ROTATIONS, 'each reopen says it moved the file');
    assertEveryLineOnceInOrder([...archives, file]);
  });
}

function hasLogrotate(): boolean {
  try {
    execFileSync('logrotate', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

test(
  `the real logrotate, create + postrotate SIGHUP, ${ROTATIONS} rotations at 20,000 lines/s: every line in exactly one file`,
  { skip: !hasLogrotate() && "logrotate is not installed (Debian's logrotate; scripts/install-system-tools.sh installs it)" },
  async () => {
    const dir = tempDir();
    const out = path.join(dir, 'out.log');
    const err = path.join(dir, 'err.log');
    const run = runBin(['start', '-o', out, '-e', err, fixture('numbered-lines.js')], { timeout: 60_000 });
    await run.waitFor('stderr', /started pid \d+/);
    const config = path.join(dir, 'logrotate.conf');
    writeFileSync(
      config,
      [
        `${out} ${err} {`,
        `  rotate ${ROTATIONS + 5}`,
        '  create',
        '  missingok',
        '  sharedscripts',
        '  postrotate',
        `    /bin/kill -HUP ${run.process.pid}`,
        '  endscript',
        '}',
        '',
      ].join('\n'),
    );
    const reopens = (): number => statusLines(run.stderr()).filter((line) => line.startsWith(`reopened ${out}`)).length;
    for (let rotation = 1; rotation <= ROTATIONS; rotation++) {
      await waitForFile(out, /\d\n/);
      const from = run.stderr().length;
      execFileSync('logrotate', ['-f', '-s', path.join(dir, 'logrotate.state'), config]);
      // logrotate returns once it has sent SIGHUP; the status line says the reopen is done.
      await run.waitFor('stderr', /reopened \S+out\.log, \S+err\.log: all later output goes to the new file/, from);
    }
    assert.equal(reopens(), ROTATIONS);
    await waitForFile(out, /\d\n/);
    run.process.kill('SIGTERM');
    assert.deepEqual(await run.exited, { code: 0, signal: null });

    const archives = readdirSync(dir)
      .filter((each) => /^out\.log\.\d+$/.test(each))
      .sort((a, b) => Number(b.split('.').pop()) - Number(a.split('.').pop()))
      .map((each) => path.join(dir, each));
    assert.equal(archives.length, ROTATIONS);
    assertEveryLineOnceInOrder([...archives, out]);
  },
);
