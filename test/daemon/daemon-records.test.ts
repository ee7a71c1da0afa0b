import assert from 'node:assert/strict';
import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { runBin } from '../helpers/bin.js';
import { until } from '../helpers/polling.js';
import { isRunning } from '../helpers/processes.js';
import { sandbox } from '../helpers/sandbox.js';
import { fixture, tempDir } from '../helpers/paths.js';

const app = fixture('daemon-app.js');
const FAST = ['--minUptime', '200', '--killTTL', '2s'];
const STARTED = /^started (\S+): watchdog pid (\d+), child pid (\d+)\n$/;

describe('named apps: start by name, restart of a stopped app, delete', () => {
  it('start <name> and restart <name> start a stopped app again, with its command line and folder', async () => {
    const box = sandbox();
    // A relative script, started from its folder: found again from anywhere.
    const folder = path.dirname(app);
    const first = await box.run(['start', '-d', '--name', 'api', ...FAST, 'daemon-app.js', box.marker, 'extra'], undefined, folder);
    assert.equal(first.code, 0, first.stderr);
    const before = box.record('api');
    assert.deepEqual(before.argv, ['start', '-d', '--name', 'api', ...FAST, 'daemon-app.js', box.marker, 'extra']);
    assert.equal(before.argvCwd, folder);
    assert.equal((await box.run(['stop', 'api'])).code, 0);

    const elsewhere = tempDir();
    const again = await box.run(['start', 'api'], undefined, elsewhere);
    assert.equal(again.code, 0, again.stderr);
    assert.match(again.stdout, STARTED);
    const now = box.record('api');
    assert.equal(now.status, 'running');
    assert.notEqual(now.watchdogPid, before.watchdogPid);
    for (const key of ['script', 'args', 'cwd', 'killTTL', 'argv', 'argvCwd', 'logs']) assert.deepEqual(now[key], before[key], key);
    assert.deepEqual(box.processes().sort(), [now.watchdogPid, now.childPid as number].sort());

    const twice = await box.run(['start', '-d', 'api'], undefined, elsewhere);
    assert.equal(twice.code, 1);
    assert.match(twice.stderr, /^keepalive: api is already running \(watchdog pid \d+, child pid \d+\); stop it first\n$/);

    assert.equal((await box.run(['stop', 'api'])).code, 0);
    const restarted = await box.run(['restart', 'api']);
    assert.equal(restarted.code, 0, restarted.stderr);
    assert.match(restarted.stdout, STARTED);
    assert.equal(box.record('api').status, 'running');
    assert.deepEqual(box.record('api').argv, before.argv);
    assert.equal((await box.run(['stop', 'api'])).code, 0);
    assert.deepEqual(box.processes(), []);
  });

  it('a record from before command lines were kept: one line saying how to start it', async () => {
    const box = sandbox();
    assert.equal((await box.run(['start', '-d', '--name', 'old', ...FAST, app, box.marker])).code, 0);
    assert.equal((await box.run(['stop', 'old'])).code, 0);
    const { argv: _argv, argvCwd: _argvCwd, ...older } = box.record('old');
    writeFileSync(path.join(box.home, 'old.json'), JSON.stringify(older));
    for (const args of [['start', 'old'], ['restart', 'old']]) {
      const result = await box.run(args, undefined, tempDir());
      assert.equal(result.code, 1, args.join(' '));
      assert.equal(
        result.stderr,
        `keepalive: the record of old is from an older keepalive and lacks its command line; start it with its script: keepalive start -d --name old [options] ${app} ${box.marker}\n`,
      );
    }
    assert.deepEqual(box.processes(), []);
  });

  it('start -d <known name> with no such file never replaces its record; a missing script records nothing', async () => {
    const box = sandbox();
    assert.equal((await box.run(['start', '-d', '--name', 'api', ...FAST, app, box.marker])).code, 0);
    assert.equal((await box.run(['stop', 'api'])).code, 0);
    const before = box.record('api');
    const here = tempDir();

    const typo = await box.run(['start', '-d', '--name', 'api', ...FAST, 'nope.js', box.marker], undefined, here);
    assert.equal(typo.code, 1);
    assert.equal(typo.stderr, `keepalive: script not found: ${path.join(here, 'nope.js')}\n`);
    const foreground = await box.run(['start', '--name', 'api', 'nope.js'], undefined, here);
    assert.equal(foreground.code, 1);
    assert.equal(foreground.stderr, `keepalive: script not found: ${path.join(here, 'nope.js')}\n`);
    // With options it is a start of a script named "api", which does not exist.
    const withOptions = await box.run(['start', '-d', ...FAST, 'api'], undefined, here);
    assert.equal(withOptions.code, 1);
    assert.equal(withOptions.stderr, `keepalive: script not found: ${path.join(here, 'api')} (to start the recorded app api: keepalive start api)\n`);
    assert.deepEqual(box.record('api'), before, 'the record is untouched');
    assert.deepEqual(box.processes(), []);

    const byName = await box.run(['start', '-d', 'api'], undefined, here);
    assert.equal(byName.code, 0, byName.stderr);
    assert.match(byName.stdout, /^started api: /);
    assert.equal(box.record('api').script, app);
    assert.deepEqual(box.record('api').argv, before.argv);
    assert.equal((await box.run(['stop', 'api'])).code, 0);

    const fresh = await box.run(['start', '-d', '--name', 'fresh', 'nope.js'], undefined, here);
    assert.equal(fresh.code, 1);
    assert.ok(!existsSync(path.join(box.home, 'fresh.json')), 'no record');
    assert.deepEqual(box.processes(), []);
  });

  it('a foreground named run records its command line, so that start <name> runs it in the background', async () => {
    const box = sandbox();
    const argv = ['start', '--name', 'fg', ...FAST, app, box.marker];
    const foreground = runBin(argv, { env: { ...process.env, KEEPALIVE_HOME: box.home } });
    await until('the foreground run', () => existsSync(path.join(box.home, 'fg.json')) && box.record('fg').status === 'running');
    foreground.process.kill('SIGTERM');
    assert.deepEqual(await foreground.exited, { code: 0, signal: null });
    assert.deepEqual(box.record('fg').argv, argv);

    const background = await box.run(['start', 'fg'], undefined, tempDir());
    assert.equal(background.code, 0, background.stderr);
    assert.match(background.stdout, /^started fg: /);
    assert.equal(await box.status('fg'), 'running');
    assert.equal((await box.run(['stop', 'fg'])).code, 0);
    assert.deepEqual(box.processes(), []);
  });

  it('delete removes the records of apps that are not running and keeps their logs', async () => {
    const box = sandbox();
    for (const name of ['a', 'b', 'c']) assert.equal((await box.run(['start', '-d', '--name', name, ...FAST, app, box.marker])).code, 0);
    assert.equal((await box.run(['stop', 'a'])).code, 0);
    assert.equal((await box.run(['stop', 'c'])).code, 0);
    const logs = (name: string): string => ['out', 'err', 'keepalive'].map((kind) => path.join(box.home, 'logs', `${name}.${kind}.log`)).join(', ');

    const running = await box.run(['delete', 'b']);
    assert.equal(running.code, 1);
    assert.equal(running.stderr, 'keepalive: b is running; stop it first\n');
    assert.ok(existsSync(path.join(box.home, 'b.json')));

    const deleted = await box.run(['delete', 'a']);
    assert.equal(deleted.code, 0, deleted.stderr);
    assert.equal(deleted.stdout, `deleted a (kept its logs: ${logs('a')})\n`);
    assert.ok(!existsSync(path.join(box.home, 'a.json')));
    assert.ok(existsSync(path.join(box.home, 'logs', 'a.out.log')), 'logs are kept');
    const again = await box.run(['delete', 'a']);
    assert.equal(again.code, 1);
    assert.equal(again.stderr, 'keepalive: unknown name "a" (see keepalive list)\n');

    const all = await box.run(['delete', 'all']);
    assert.equal(all.code, 0, all.stderr);
    assert.equal(all.stdout, `skipped b: it is running; stop it first\ndeleted c (kept its logs: ${logs('c')})\n`);
    assert.deepEqual((JSON.parse((await box.run(['list', '--json'])).stdout) as { name: string }[]).map(({ name }) => name), ['b']);

    assert.equal((await box.run(['stop', 'b'])).code, 0);
    assert.equal((await box.run(['delete', 'all'])).stdout, `deleted b (kept its logs: ${logs('b')})\n`);
    assert.match((await box.run(['list'])).stdout, /^no apps/);
    assert.equal((await box.run(['delete', 'all'])).stdout, 'no apps to delete\n');
    assert.equal((await box.run(['stop', 'all'])).stdout, 'no apps to stop\n');
    assert.deepEqual(readdirSync(box.home).sort(), ['logs', 'metrics'], 'no record or lock file left');
    assert.deepEqual(readdirSync(path.join(box.home, 'metrics')), [], 'the metrics of deleted apps are gone');
    assert.deepEqual(box.processes(), []);
  });

  it('delete and start of one name at the same moment: a started app always keeps its record', async () => {
    for (let round = 0; round < 3; round++) {
      const box = sandbox();
      assert.equal((await box.run(['start', '-d', '--name', 'one', ...FAST, app, box.marker])).code, 0);
      assert.equal((await box.run(['stop', 'one'])).code, 0);
      const [started, deleted] = await Promise.all([
        box.run(['start', '-d', '--name', 'one', ...FAST, app, box.marker]),
        box.run(['delete', 'one']),
      ]);
      assert.equal(started.code, 0, started.stderr);
      assert.ok(deleted.stdout.startsWith('deleted one') || deleted.stderr === 'keepalive: one is running; stop it first\n', deleted.stderr);
      const record = box.record('one');
      assert.equal(record.status, 'running');
      assert.ok(isRunning(record.watchdogPid));
      assert.equal((await box.run(['stop', 'one'])).code, 0);
      assert.deepEqual(box.processes(), []);
    }
  });
});
