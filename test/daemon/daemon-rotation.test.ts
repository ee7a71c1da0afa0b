import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { runBin } from '../helpers/bin.js';
import { fixture } from '../helpers/paths.js';
import { until } from '../helpers/polling.js';
import { sandbox } from '../helpers/sandbox.js';

const writer = fixture('numbered-lines.js');
const FAST = ['--minUptime', '200', '--killTTL', '2s'];

/** The numbered lines of the `==> ...name <==` parts of `logs` output. */
function numbersOf(output: string, name: string): number[] {
  const parts = output.split(/^==> (.*) <==$/m);
  const mine = parts.flatMap((part, index) => (index % 2 === 1 && part.endsWith(name) ? [parts[index + 1] as string] : []));
  assert.ok(mine.length > 0, `a part for ${name} in:\n${output.slice(0, 500)}`);
  return mine.join('').split('\n').filter((line) => /^\d+$/.test(line)).map(Number);
}

function assertConsecutive(numbers: readonly number[]): void {
  numbers.forEach((number, index) => assert.equal(number, (numbers[0] as number) + index, `line ${index}: ${number} after ${numbers[index - 1]}`));
}

describe('named apps with rotation', () => {
  it('the default logs rotate, compressed; `logs -n` reads back across the archives, .gz ones too', async () => {
    const box = sandbox();
    const logs = path.join(box.home, 'logs');
    const started = await box.run(['start', '-d', '--name', 'rot', ...FAST, '--maxLogSize', '4K', '--maxLogFiles', '1000', '--compressLogs', writer, box.marker]);
    assert.equal(started.code, 0, started.stderr);
    const gz = (): string[] => readdirSync(logs).filter((name) => /^rot\.out\.log\.\d{8}T\d{6}\.\d{3}Z\.gz$/.test(name));
    await until('ten compressed archives', () => gz().length >= 10);
    const stopped = await box.run(['stop', 'rot']);
    assert.equal(stopped.code, 0, stopped.stderr);
    assert.deepEqual(readdirSync(logs).filter((name) => name.endsWith('.partial')), []);

    const shown = await box.run(['logs', 'rot', '-n', '5000']);
    assert.equal(shown.code, 0, shown.stderr);
    const numbers = numbersOf(shown.stdout, 'rot.out.log');
    assert.equal(numbers.length, 5000);
    assertConsecutive(numbers);
  });

  it('`logs -f` follows across rotations without losing or repeating a line', async () => {
    const box = sandbox();
    const started = await box.run(['start', '-d', '--name', 'fol', ...FAST, '--maxLogSize', '16K', '--maxLogFiles', '1000', writer, box.marker]);
    assert.equal(started.code, 0, started.stderr);
    const follow = runBin(['logs', 'fol', '-f', '-n', '0'], { env: { ...process.env, KEEPALIVE_HOME: box.home }, timeout: 60_000 });
    // At 20,000 lines a second, 16 KiB lasts about a fifth of a second: this spans some twenty rotations.
    const first = Number((await follow.waitFor('stdout', /^(\d+)$/m))[1]);
    await follow.waitFor('stdout', new RegExp(`^${first + 80_000}$`, 'm'));
    follow.process.kill('SIGINT');
    await follow.exited;
    await box.run(['stop', 'fol']);
    const archives = readdirSync(path.join(box.home, 'logs')).filter((name) => name.startsWith('fol.out.log.'));
    assert.ok(archives.length >= 10, `${archives.length} rotations`);
    const numbers = numbersOf(follow.stdout(), 'fol.out.log');
    assert.ok(numbers.length > 80_000, `${numbers.length} lines from ${first}: ${follow.stdout().slice(0, 300)}`);
    assertConsecutive(numbers);
  });

  it("the watchdog's status log rotates by the app's rules too", async () => {
    const box = sandbox();
    const logs = path.join(box.home, 'logs');
    // A script that ends at once, restarted at once: three status lines a run fill 1 KiB quickly.
    const started = await box.run(['start', '-d', '--name', 'st', '--minUptime', '0', '--spinSleepTime', '0', '--maxLogSize', '1K', '--maxLogFiles', '3', fixture('exit-with.js'), '0', box.marker]);
    assert.equal(started.code, 0, started.stderr);
    const archives = (): string[] => readdirSync(logs).filter((name) => name.startsWith('st.keepalive.log.'));
    await until('the status log rotated three times', () => archives().length >= 3);
    await box.run(['stop', 'st']);
    assert.equal(archives().length, 3, 'maxLogFiles holds for the status log');
    for (const name of archives()) assert.match(readFileSync(path.join(logs, name), 'utf8'), /^(\S+Z keepalive: [^\n]+\n)+$/);
  });
});
