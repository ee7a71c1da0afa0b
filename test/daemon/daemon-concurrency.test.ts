import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { isRunning } from '../helpers/processes.js';
import { sandbox } from '../helpers/sandbox.js';
import { fixture } from '../helpers/paths.js';

const app = fixture('daemon-app.js');
const FAST = ['--minUptime', '200', '--killTTL', '2s'];

describe('named watchdogs in parallel', () => {
  it('twenty parallel start -d, then stop all: no stray process, no corrupt record', async () => {
    const box = sandbox();
    const names = Array.from({ length: 20 }, (_, at) => `app${at}`);
    const starts = await Promise.all(names.map((name) => box.run(['start', '-d', '--name', name, ...FAST, app, box.marker], 120_000)));
    for (const [at, result] of starts.entries()) assert.equal(result.code, 0, `${names[at]}: ${result.stderr}`);
    const list = JSON.parse((await box.run(['list', '--json'])).stdout) as { name: string; status: string; watchdogPid: number; childPid: number }[];
    assert.deepEqual(list.map((entry) => entry.name), [...names].sort());
    assert.ok(list.every((entry) => entry.status === 'running'), JSON.stringify(list));
    assert.equal(box.processes().length, 40);

    const stopped = await box.run(['stop', 'all'], 120_000);
    assert.equal(stopped.code, 0, stopped.stderr);
    assert.equal(stopped.stdout.split('\n').filter(Boolean).length, 20);
    for (const entry of list) assert.ok(!isRunning(entry.watchdogPid) && !isRunning(entry.childPid));
    assert.deepEqual(box.processes(), []);
    const files = readdirSync(box.home).filter((file) => file !== 'logs' && file !== 'metrics').sort();
    assert.deepEqual(files, names.map((name) => `${name}.json`).sort(), 'no temp or lock file left');
    const metrics = readdirSync(path.join(box.home, 'metrics')).sort();
    assert.deepEqual(metrics, names.map((name) => `${name}.prom`).sort(), 'no temp metrics file left');
    for (const name of names) {
      const record = JSON.parse(readFileSync(path.join(box.home, `${name}.json`), 'utf8')) as { name: string; status: string };
      assert.equal(record.name, name);
      assert.equal(record.status, 'stopped');
    }
  });

  it('two parallel starts of one name: exactly one wins', async () => {
    for (let round = 0; round < 3; round++) {
      const box = sandbox();
      const results = await Promise.all([0, 1].map(() => box.run(['start', '-d', '--name', 'one', ...FAST, app, box.marker])));
      const codes = results.map((result) => result.code).sort();
      assert.deepEqual(codes, [0, 1], results.map((result) => result.stderr).join('\n'));
      const loser = results.find((result) => result.code === 1);
      assert.match(loser?.stderr ?? '', /^keepalive: one is already running/);
      const record = JSON.parse(readFileSync(path.join(box.home, 'one.json'), 'utf8')) as { watchdogPid: number; childPid: number };
      assert.deepEqual(box.processes().sort(), [record.watchdogPid, record.childPid].sort());
      assert.equal((await box.run(['stop', 'one'])).code, 0);
      assert.deepEqual(box.processes(), []);
    }
  });
});
