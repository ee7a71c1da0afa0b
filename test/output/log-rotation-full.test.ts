import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { runBin } from '../helpers/bin.js';
import { fixture, tempDir } from '../helpers/paths.js';
import { until } from '../helpers/polling.js';
import { statusLines } from '../helpers/statuses.js';

function hasPrlimit(): boolean {
  try {
    execFileSync('prlimit', ['--version'], { stdio: 'ignore' });
    return process.platform === 'linux';
  } catch {
    return false;
  }
}

/** Mounts a tmpfs of `size` on `dir` (root only); false when it cannot. */
function mountTmpfs(dir: string, size: string): boolean {
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${size}`, 'tmpfs', dir], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** Write calls the process has made so far (Linux /proc/<pid>/io). */
function writeCalls(pid: number): number {
  return Number(/^syscw: (\d+)$/m.exec(readFileSync(`/proc/${pid}/io`, 'utf8'))?.[1]);
}

// A full disk without root: a file size limit (RLIMIT_FSIZE, set on the running watchdog with
// prlimit) fails every write past it with EFBIG, as ENOSPC fails it on a full disk. Node ignores
// the SIGXFSZ that comes with it. Raising the limit again is the space coming back.
test(
  'a full disk while rotating: reported once, the watchdog runs on, output and rotation resume when space returns',
  { skip: !hasPrlimit() && 'prlimit (util-linux) is not installed, or this is not Linux' },
  async () => {
    const dir = tempDir();
    const out = path.join(dir, 'out.log');
    const run = runBin(['start', '-o', out, '--maxLogSize', '16K', '--maxLogFiles', '1000', fixture('numbered-lines.js')], { timeout: 60_000 });
    const pid = run.process.pid as number;
    const archives = (): string[] => readdirSync(dir).filter((name) => name.startsWith('out.log.')).sort();
    await until('three rotations', () => archives().length >= 3);

    execFileSync('prlimit', ['--pid', String(pid), '--fsize=2048:unlimited']);
    await run.waitFor('stderr', /cannot write \S+out\.log: .*EFBIG/);
    const failedAt = writeCalls(pid);
    await until('a hundred more writes tried', () => writeCalls(pid) >= failedAt + 100);
    const duringOutage = archives().length;
    execFileSync('prlimit', ['--pid', String(pid), '--fsize=unlimited:unlimited']);
    await run.waitFor('stderr', /writing \S+out\.log again/);
    await until('two more rotations', () => archives().length >= duringOutage + 2);

    run.process.kill('SIGTERM');
    assert.deepEqual(await run.exited, { code: 0, signal: null }, 'the watchdog survived and stopped as asked');
    const failures = statusLines(run.stderr()).filter((line) => line.startsWith('cannot write'));
    assert.equal(failures.length, 1, failures.join('\n'));

    // Lines are lost only while the disk is full: one gap, and every line before and after it once, in order.
    const numbers = [...archives(), 'out.log'].flatMap((name) => readFileSync(path.join(dir, name), 'utf8').split('\n').filter((line) => /^\d+$/.test(line)).map(Number));
    assert.equal(numbers[0], 1);
    const gaps = numbers.filter((number, index) => index > 0 && number !== (numbers[index - 1] as number) + 1);
    assert.ok(gaps.length <= 1, `${gaps.length} gaps`);
    assert.ok(numbers.every((number, index) => index === 0 || number > (numbers[index - 1] as number)), 'in order, none twice');
  },
);

// The real thing, where the test may mount: a 512 KiB tmpfs fills up (ENOSPC), then is made
// larger (the space comes back).
const tmpfs = mkdtempSync(path.join(tmpdir(), 'keepalive-tmpfs-'));
const mounted = process.platform === 'linux' && mountTmpfs(tmpfs, '512k');
after(() => {
  if (mounted) execFileSync('umount', [tmpfs]);
  rmSync(tmpfs, { recursive: true, force: true });
});

test(
  'a full tmpfs while rotating: ENOSPC reported once, the watchdog runs on, output and rotation resume when the tmpfs grows',
  { skip: !mounted && 'cannot mount a tmpfs here (needs root, or a container that allows it)' },
  async () => {
    const out = path.join(tmpfs, 'out.log');
    const run = runBin(['start', '-o', out, '--maxLogSize', '64K', '--maxLogFiles', '1000', fixture('numbered-lines.js')], { timeout: 60_000 });
    const pid = run.process.pid as number;
    const archives = (): string[] => readdirSync(tmpfs).filter((name) => name.startsWith('out.log.')).sort();
    await run.waitFor('stderr', /cannot write \S+out\.log: .*ENOSPC/);
    const failedAt = writeCalls(pid);
    await until('a hundred more writes tried', () => writeCalls(pid) >= failedAt + 100);
    const whenFull = archives().length;
    execFileSync('mount', ['-o', 'remount,size=64m', tmpfs]);
    await run.waitFor('stderr', /writing \S+out\.log again/);
    await until('two more rotations', () => archives().length >= whenFull + 2);

    run.process.kill('SIGTERM');
    assert.deepEqual(await run.exited, { code: 0, signal: null });
    const failures = statusLines(run.stderr()).filter((line) => line.startsWith('cannot write'));
    assert.equal(failures.length, 1, failures.join('\n'));
    const numbers = [...archives(), 'out.log'].flatMap((name) => readFileSync(path.join(tmpfs, name), 'utf8').split('\n').filter((line) => /^\d+$/.test(line)).map(Number));
    assert.equal(numbers[0], 1);
    assert.ok(numbers.every((number, index) => index === 0 || number > (numbers[index - 1] as number)), 'in order, none twice');
  },
);
