import assert from 'node:assert/strict';
import { existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { Monitor, type MonitorOptions } from '../../src/index.js';
import { fixture, tempDir } from '../helpers/paths.js';
import { nextReady, readyPids, startReady } from '../helpers/events.js';
import { commandLine, killAtEnd, onLinux, parentOf } from '../helpers/processes.js';

const leftovers = killAtEnd();

function graceful(options: MonitorOptions): Monitor {
  return new Monitor([process.execPath, fixture('torture-graceful.js'), '0'], { silent: true, ...options });
}

test('a pidFile that is a symlink is replaced, never written through; its target is untouched', async () => {
  const dir = tempDir();
  const victim = path.join(dir, 'victim');
  writeFileSync(victim, 'precious\n');
  const pidFile = path.join(dir, 'app.pid');
  symlinkSync(victim, pidFile);
  const monitor = graceful({ pidFile });
  const errors: Error[] = [];
  monitor.on('error', (error) => errors.push(error));
  const [pid] = await startReady(monitor, leftovers);
  assert.equal(readFileSync(victim, 'utf8'), 'precious\n');
  assert.equal(lstatSync(pidFile).isSymbolicLink(), false, 'the link itself was replaced by a file');
  assert.equal(readFileSync(pidFile, 'utf8'), `${pid}\n`);
  await monitor.stop();
  assert.equal(existsSync(pidFile), false);
  assert.equal(readFileSync(victim, 'utf8'), 'precious\n', 'removing the pid file did not remove or change the target');
  assert.deepEqual(errors, []);
});

test('a pidFile that is a dangling symlink: its target is never created, nothing is left behind', async () => {
  const dir = tempDir();
  const target = path.join(dir, 'would-be-created');
  const pidFile = path.join(dir, 'app.pid');
  symlinkSync(target, pidFile);
  const monitor = graceful({ pidFile });
  const [pid] = await startReady(monitor, leftovers);
  assert.equal(existsSync(target), false);
  assert.equal(readFileSync(pidFile, 'utf8'), `${pid}\n`);
  // A restart writes the pid file again: the target stays uncreated.
  const restarted = nextReady(monitor);
  await monitor.restart();
  leftovers.add(readyPids(await restarted)[0]);
  assert.equal(existsSync(target), false);
  await monitor.stop();
  assert.deepEqual(readdirSync(dir), [], 'no pid file, no temporary file, no target left behind');
});

test('no file keepalive creates is world-writable, even with umask 0: logs and pid file are 0644', async () => {
  const dir = tempDir();
  const files = { outFile: 'out.log', errFile: 'err.log', logFile: 'all.log', pidFile: 'app.pid' };
  const options = Object.fromEntries(Object.entries(files).map(([name, file]) => [name, path.join(dir, file)])) as MonitorOptions;
  const previous = process.umask(0);
  const modes: Record<string, number> = {};
  try {
    for (const timestamp of [false, true]) {
      const monitor = graceful({ ...options, timestamp });
      await startReady(monitor, leftovers);
      for (const [name, file] of Object.entries(files)) modes[`${name} (timestamp: ${timestamp})`] = statSync(path.join(dir, file)).mode & 0o777;
      await monitor.stop();
    }
  } finally {
    process.umask(previous);
  }
  for (const [name, mode] of Object.entries(modes)) assert.equal(mode.toString(8), '644', name);
});

test('hideEnv removes secrets from the child environment, in every output mode, and they are nowhere in /proc', onLinux, async () => {
  const secrets = { KEEPALIVE_TORTURE_TOKEN: 'tok-7f3a9c', KEEPALIVE_TORTURE_PASSWORD: 'pw-1b2c3d' };
  Object.assign(process.env, secrets);
  try {
    for (const options of [{}, { timestamp: true }, { outFile: path.join(tempDir(), 'out.log') }] as MonitorOptions[]) {
      const monitor = new Monitor([process.execPath, fixture('torture-graceful.js')], {
        silent: true,
        hideEnv: Object.keys(secrets),
        env: { KEEPALIVE_TORTURE_KEPT: 'visible' },
        ...options,
      });
      const [pid] = await startReady(monitor, leftovers);
      const environ = readFileSync(`/proc/${pid}/environ`, 'utf8');
      for (const [name, value] of Object.entries(secrets)) {
        assert.ok(!environ.includes(name), `${name} is not in the child's environment`);
        assert.ok(!environ.includes(value), `the value of ${name} is nowhere in it`);
      }
      assert.ok(environ.includes('KEEPALIVE_TORTURE_KEPT=visible'));
      assert.ok(!JSON.stringify(monitor.data).includes(secrets.KEEPALIVE_TORTURE_TOKEN), 'data does not carry it either');
      await monitor.stop();
    }
  } finally {
    for (const name of Object.keys(secrets)) delete process.env[name];
  }
});

test('no shell: the child is the command itself, a direct child of the host, with exactly the given arguments', onLinux, async () => {
  const args = ['$(id)', '; echo no', '*', '"quoted"'];
  const monitor = new Monitor([process.execPath, fixture('torture-graceful.js'), '0', '0', ...args], { silent: true });
  const [pid] = await startReady(monitor, leftovers);
  assert.equal(parentOf(pid), process.pid, 'no shell in between');
  assert.deepEqual(commandLine(pid), [process.execPath, fixture('torture-graceful.js'), '0', '0', ...args]);
  await monitor.stop();

  // A string script runs with `command` (node by default): still no shell.
  const script = new Monitor(fixture('torture-graceful.js'), { silent: true, args: ['0', '0', ...args] });
  const [scriptPid] = await startReady(script, leftovers);
  assert.equal(parentOf(scriptPid), process.pid);
  assert.deepEqual(commandLine(scriptPid), [process.execPath, fixture('torture-graceful.js'), '0', '0', ...args]);
  await script.stop();
});

test('spawnWith cannot turn a shell on', () => {
  assert.throws(() => new Monitor(['/bin/true'], { spawnWith: { shell: true } as unknown as MonitorOptions['spawnWith'] }), { code: 'INVALID_OPTION' });
  assert.throws(() => new Monitor(['/bin/true'], { spawnWith: { shell: '/bin/sh' } as unknown as MonitorOptions['spawnWith'] }), { code: 'INVALID_OPTION' });
});

test('a pidFile path that is a symlink to a folder is replaced, not followed into the folder', async () => {
  const dir = tempDir();
  const folder = path.join(dir, 'folder');
  const pidFile = path.join(dir, 'app.pid');
  mkdirSync(folder);
  symlinkSync(folder, pidFile);
  const monitor = graceful({ pidFile });
  const errors: Error[] = [];
  monitor.on('error', (error) => errors.push(error));
  await startReady(monitor, leftovers);
  assert.deepEqual(readdirSync(folder), [], 'nothing was written inside the folder');
  await monitor.stop();
  assert.deepEqual(readdirSync(folder), []);
  assert.deepEqual(errors, []);
});
