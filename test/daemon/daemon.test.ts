import assert from 'node:assert/strict';
import { chmodSync, existsSync, readdirSync, lstatSync, mkdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { until } from '../helpers/polling.js';
import { isRunning } from '../helpers/processes.js';
import { sandbox } from '../helpers/sandbox.js';
import { fixture, tempDir } from '../helpers/paths.js';

const app = fixture('daemon-app.js');
/** Short enough to keep the tests quick; `start -d` waits this long to call a start good. */
const FAST = ['--minUptime', '200', '--killTTL', '2s'];
/** For scripts that crash at start: a first run slowed by a busy machine still counts as spinning. */
const CRASHING = ['--minUptime', '5s', '--killTTL', '2s'];

describe('keepalive start -d, list, logs, stop', () => {
  it('starts detached, lists, shows logs and stops both processes', async () => {
    const box = sandbox();
    const started = await box.run(['start', '-d', '--name', 'api', ...FAST, app, box.marker]);
    assert.equal(started.code, 0, started.stderr);
    const match = /^started api: watchdog pid (\d+), child pid (\d+)\n$/.exec(started.stdout);
    assert.ok(match, started.stdout);
    const [watchdog, child] = [Number(match[1]), Number(match[2])];
    assert.ok(isRunning(watchdog) && isRunning(child));
    assert.deepEqual(box.processes().sort(), [watchdog, child].sort());

    const table = await box.run(['list']);
    assert.equal(table.code, 0);
    assert.match(table.stdout, /^NAME +STATUS +HEALTH +WATCHDOG +CHILD +UPTIME +CPU +MEM +RESTARTS +SCRIPT\n/);
    assert.match(table.stdout, new RegExp(`\\napi +running +- +${watchdog} +${child} +\\d+s +\\d+\\.\\d% +[\\d.]+ MiB +0 +${app.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} ${box.marker}\\n`));
    const ls = await box.run(['ls']);
    assert.equal(ls.stdout, table.stdout.replace(/\d+s /, ls.stdout.match(/\d+s /)?.[0] ?? ''));

    const json = await box.run(['list', '--json']);
    const entries = JSON.parse(json.stdout) as Record<string, unknown>[];
    assert.equal(entries.length, 1);
    const [entry] = entries;
    assert.ok(entry);
    assert.equal(entry.name, 'api');
    assert.equal(entry.status, 'running');
    assert.equal(entry.watchdogPid, watchdog);
    assert.equal(entry.childPid, child);
    assert.equal(entry.restarts, 0);
    assert.equal(entry.script, app);
    assert.ok(typeof entry.uptime === 'number' && entry.uptime >= 200, `uptime ${entry.uptime}`);

    await box.waitForOut('api', /hello stdout/);
    const logs = await box.run(['logs', 'api']);
    assert.equal(logs.code, 0);
    assert.match(logs.stdout, /==> .*api\.out\.log <==\nhello stdout\nready \d+\n/);
    assert.match(logs.stdout, /==> .*api\.err\.log <==\nhello stderr\n/);
    assert.match(logs.stdout, /keepalive: started pid \d+ \(run 1\)/);
    const last = await box.run(['logs', 'api', '-n', '1']);
    assert.match(last.stdout, /api\.out\.log <==\nready \d+\n/);

    const stopped = await box.run(['stop', 'api']);
    assert.equal(stopped.code, 0, stopped.stderr);
    assert.equal(stopped.stdout, 'stopped api\n');
    assert.ok(!isRunning(watchdog) && !isRunning(child), 'both gone when stop returns');
    assert.deepEqual(box.processes(), []);
    const after = JSON.parse((await box.run(['list', '--json'])).stdout) as Record<string, unknown>[];
    assert.deepEqual(after.map(({ name, status, watchdogPid, childPid }) => ({ name, status, watchdogPid, childPid })), [
      { name: 'api', status: 'stopped', watchdogPid: null, childPid: null },
    ]);
    assert.equal((await box.run(['stop', 'api'])).stdout, 'api was not running\n');
  });

  it('names an app after its script, refuses a second start of it, and restarts it', async () => {
    const box = sandbox();
    const first = await box.run(['start', '-d', ...FAST, app, box.marker]);
    assert.equal(first.code, 0, first.stderr);
    assert.match(first.stdout, /^started daemon-app: /);
    const before = box.record('daemon-app');
    const running = box.processes().sort();

    const second = await box.run(['start', '-d', ...FAST, app, box.marker]);
    assert.equal(second.code, 1);
    assert.match(second.stderr, /^keepalive: daemon-app is already running \(watchdog pid \d+, child pid \d+\); stop it first\n$/);
    assert.equal(second.stdout, '');
    assert.deepEqual(box.processes().sort(), running, 'nothing new runs');
    assert.deepEqual(box.record('daemon-app'), before, 'the record is untouched');

    const restarted = await box.run(['restart', 'daemon-app']);
    assert.equal(restarted.code, 0, restarted.stderr);
    const now = box.record('daemon-app');
    assert.equal(restarted.stdout, `restarted daemon-app: child pid ${now.childPid}\n`);
    assert.notEqual(now.childPid, before.childPid);
    assert.equal(now.watchdogPid, before.watchdogPid);
    assert.equal(now.restarts, 1);
    assert.ok(!isRunning(before.childPid as number));

    assert.equal((await box.run(['stop', 'all'])).code, 0);
    assert.deepEqual(box.processes(), []);
  });

  it('reports a script that crashes at once and keeps retrying it; one that gives up leaves nothing running', async () => {
    const box = sandbox();
    const crash = await box.run(['start', '-d', '--name', 'crash', ...CRASHING, fixture('daemon-crash.js'), box.marker]);
    assert.equal(crash.code, 1);
    assert.match(crash.stderr, /^keepalive: crash crashed at start: exited with code 3 after \d+ ms; retrying in 1 s \(see keepalive logs crash\)\n$/);
    const { watchdogPid } = box.record('crash');
    assert.ok(isRunning(watchdogPid), 'the watchdog stays');
    await until('a second run', () => (box.record('crash').restarts as number) >= 1);
    await until('list to show it waiting', async () => (await box.status('crash')) === 'waiting to restart');
    const logs = await box.run(['logs', 'crash']);
    assert.match(logs.stdout, /cannot listen: port taken/);
    assert.equal((await box.run(['stop', 'crash'])).stdout, 'stopped crash\n');
    assert.deepEqual(box.processes(), []);

    const once = await box.run(['start', '-d', '--name', 'once', '-m', '1', ...CRASHING, fixture('daemon-crash.js'), box.marker]);
    assert.equal(once.code, 1);
    assert.match(once.stderr, /^keepalive: once failed to start: gave up after 1 run \(max\): exited with code 3 after \d+ ms \(see keepalive logs once\)\n$/);
    assert.deepEqual(box.processes(), []);
    const list = JSON.parse((await box.run(['list', '--json'])).stdout) as { name: string; status: string }[];
    assert.deepEqual(list.map(({ name, status }) => [name, status]), [['crash', 'stopped'], ['once', 'gave up']]);
  });

  it('start -d of a server whose database is not up yet: exit 1, and the watchdog starts it once it can', async () => {
    const box = sandbox();
    const database = path.join(tempDir(), 'database-up');
    const started = await box.run(['start', '-d', '--name', 'api', ...CRASHING, fixture('daemon-needs-file.js'), database, box.marker]);
    assert.equal(started.code, 1);
    assert.match(started.stderr, /^keepalive: api crashed at start: exited with code 1 after \d+ ms; retrying in 1 s \(see keepalive logs api\)\n$/);
    await until('list to show it waiting', async () => (await box.status('api')) === 'waiting to restart');

    writeFileSync(database, '');
    await until('the server to run', () => {
      const record = box.record('api');
      return record.status === 'running' && record.childPid !== null && isRunning(record.childPid);
    });
    assert.equal(await box.status('api'), 'running');
    assert.match(readFileSync(path.join(box.home, 'logs', 'api.err.log'), 'utf8'), /database not up/);
    assert.equal((await box.run(['stop', 'api'])).code, 0);
    assert.deepEqual(box.processes(), []);
  });

  it('a script that does not exist: one line, nothing recorded and nothing started', async () => {
    const box = sandbox();
    const missing = await box.run(['start', '-d', '--name', 'missing', path.join(box.home, 'nope.js'), box.marker]);
    assert.equal(missing.code, 1);
    assert.equal(missing.stderr, `keepalive: script not found: ${path.join(box.home, 'nope.js')}\n`);
    assert.deepEqual(box.processes(), []);
    assert.ok(!existsSync(path.join(box.home, 'missing.json')), 'no record');
  });

  it('a watchdog that cannot start says why in one line, with one "keepalive:"', async () => {
    const box = sandbox();
    const aFile = path.join(tempDir(), 'a-file');
    writeFileSync(aFile, '');
    const log = path.join(aFile, 'such', 'x.log');
    const result = await box.run(['start', '-d', '--name', 'x', '-l', log, ...FAST, app, box.marker]);
    assert.equal(result.code, 1);
    assert.equal(result.stderr.split('\n').length, 2, result.stderr);
    assert.match(result.stderr, /^keepalive: x failed to start: logFile ".*x\.log": ENOTDIR[^\n]*\(see keepalive logs x\)\n$/);
    assert.doesNotMatch(result.stderr, /keepalive: .*keepalive:/);
    assert.deepEqual(box.processes(), []);
  });

  it('rejects unknown names (exit 1) and bad input (exit 2) in one line', async () => {
    const box = sandbox();
    for (const args of [['stop', 'nope'], ['restart', 'nope'], ['logs', 'nope'], ['delete', 'nope']]) {
      const result = await box.run(args);
      assert.equal(result.code, 1, args.join(' '));
      assert.equal(result.stderr, 'keepalive: unknown name "nope" (see keepalive list)\n');
    }
    for (const args of [
      ['start', '-d', '--name', 'a b', app], ['start', '-d', '--name', 'all', app], ['start', '-d', '--name', '../x', app],
      ['stop'], ['stop', 'a', 'b'], ['logs', 'x', '-n', 'many'], ['list', 'extra'], ['start', '--user', 'x', app],
      ['unit', '-d', app],
    ]) {
      const result = await box.run(args);
      assert.equal(result.code, 2, `${args.join(' ')}: ${result.stderr}`);
      assert.equal(result.stderr.split('\n').length, 2, result.stderr);
      assert.match(result.stderr, /^keepalive: /);
    }
    assert.deepEqual(box.processes(), []);
  });
});

describe('the state folder', () => {
  it('is 0700 with 0600 records, tightens an open folder, and never writes through a symlink', async () => {
    const parent = tempDir();
    const box = sandbox();
    mkdirSync(box.home, { recursive: true });
    chmodSync(box.home, 0o755);
    const outside = path.join(parent, 'outside.json');
    writeFileSync(outside, 'keep me\n');
    symlinkSync(outside, path.join(box.home, 'sym.json'));

    const started = await box.run(['start', '-d', '--name', 'sym', ...FAST, app, box.marker]);
    assert.equal(started.code, 0, started.stderr);
    assert.equal(statSync(box.home).mode & 0o777, 0o700);
    assert.equal(statSync(path.join(box.home, 'logs')).mode & 0o777, 0o700);
    const record = lstatSync(path.join(box.home, 'sym.json'));
    assert.ok(record.isFile(), 'the symlink was replaced, not followed');
    assert.equal(record.mode & 0o777, 0o600);
    assert.equal(readFileSync(outside, 'utf8'), 'keep me\n');
    assert.match(started.stderr, /replacing the record of sym/);
    assert.equal(lstatSync(path.join(box.home, 'logs', 'sym.keepalive.log')).mode & 0o777, 0o600);
    assert.equal((await box.run(['stop', 'sym'])).code, 0);
    assert.equal(lstatSync(path.join(box.home, 'sym.json')).mode & 0o777, 0o600);
  });

  it('creates a missing home 0700', async () => {
    const box = sandbox('not/yet');
    const result = await box.run(['list']);
    assert.equal(result.code, 0);
    assert.match(result.stdout, /^no apps/);
    assert.ok(!existsSync(box.home), 'list creates nothing');
    const started = await box.run(['start', '-d', ...FAST, app, box.marker]);
    assert.equal(started.code, 0, started.stderr);
    assert.equal(statSync(box.home).mode & 0o777, 0o700);
    assert.equal((await box.run(['stop', 'all'])).code, 0);
  });
});

describe('orphans', () => {
  it('lists the child of a SIGKILLed watchdog as orphaned, and stop ends it and its group', async () => {
    const box = sandbox();
    const started = await box.run(['start', '-d', '--name', 'tree', ...FAST, app, 'tree', box.marker]);
    assert.equal(started.code, 0, started.stderr);
    const { watchdogPid, childPid } = box.record('tree');
    // Ready: the child has written its last line. A write after its watchdog died would end it.
    await box.waitForOut('tree', /ready \d+ \d+\n/);
    await until('the grandchild', () => box.processes().length === 3);
    const grandchild = box.processes().find((pid) => pid !== watchdogPid && pid !== childPid) as number;

    process.kill(watchdogPid, 'SIGKILL');
    await until('the watchdog to die', () => !isRunning(watchdogPid));
    const list = JSON.parse((await box.run(['list', '--json'])).stdout) as Record<string, unknown>[];
    assert.deepEqual(list.map(({ name, status, watchdogPid, childPid }) => ({ name, status, watchdogPid, childPid })), [
      { name: 'tree', status: 'orphaned', watchdogPid: null, childPid },
    ]);
    assert.match((await box.run(['list'])).stdout, /\ntree +orphaned +- +- +\d+ /);
    assert.equal((await box.run(['restart', 'tree'])).code, 1);

    const stopped = await box.run(['stop', 'tree']);
    assert.equal(stopped.code, 0, stopped.stderr);
    assert.equal(stopped.stdout, `stopped tree (its watchdog was gone; stopped the orphaned child pid ${childPid})\n`);
    assert.ok(!isRunning(childPid as number) && !isRunning(grandchild));
    assert.deepEqual(box.processes(), []);
    assert.equal(box.record('tree').status, 'stopped');
  });

  it('start of an orphaned name stops the orphan first: never two copies', async () => {
    const box = sandbox();
    assert.equal((await box.run(['start', '-d', '--name', 'web', ...FAST, app, box.marker])).code, 0);
    const old = box.record('web');
    await box.waitForOut('web', /ready \d+\n/);
    process.kill(old.watchdogPid, 'SIGKILL');
    await until('the watchdog to die', () => !isRunning(old.watchdogPid));
    assert.ok(isRunning(old.childPid as number));

    const again = await box.run(['start', '-d', '--name', 'web', ...FAST, app, box.marker]);
    assert.equal(again.code, 0, again.stderr);
    assert.match(again.stderr, new RegExp(`stopping the orphaned child pid ${old.childPid} of web`));
    assert.ok(!isRunning(old.childPid as number));
    const now = box.record('web');
    assert.deepEqual(box.processes().sort(), [now.watchdogPid, now.childPid as number].sort());
    assert.equal((await box.run(['stop', 'web'])).code, 0);
    assert.deepEqual(box.processes(), []);
  });

  it('a SIGKILLed watchdog: its child ends at its next write (no reader), listed as "watchdog died"; start brings it back', async () => {
    const box = sandbox();
    const speaker = fixture('speak-on-usr1.js');
    assert.equal((await box.run(['start', '-d', '--name', 'talk', ...FAST, speaker, box.marker])).code, 0);
    const old = box.record('talk');
    // Ready: its SIGUSR1 handler is in place (without one, SIGUSR1 starts Node's inspector).
    await box.waitForOut('talk', /ready \d+\n/);
    process.kill(old.watchdogPid, 'SIGKILL');
    await until('the watchdog to die', () => !isRunning(old.watchdogPid));
    assert.ok(isRunning(old.childPid as number), 'a quiet child lives on, orphaned, until it writes');
    // The watchdog's pid is a zombie before its last thread has let go of the pipes: a write
    // may still go in then. Every write after that ends the child.
    await until('the child to end at a write', () => {
      if (!isRunning(old.childPid as number)) return true;
      process.kill(old.childPid as number, 'SIGUSR1');
      return false;
    });
    const list = JSON.parse((await box.run(['list', '--json'])).stdout) as Record<string, unknown>[];
    assert.equal(list[0]?.status, 'watchdog died');
    assert.match((await box.run(['list'])).stdout, /\ntalk +watchdog died +- +- /);
    const again = await box.run(['start', 'talk']);
    assert.equal(again.code, 0, again.stderr);
    assert.equal((await box.run(['stop', 'talk'])).code, 0);
    assert.deepEqual(box.processes(), []);
  });

  it('--unmovableLogs: the child of a SIGKILLed watchdog lives on and still writes its own file', async () => {
    const box = sandbox();
    const speaker = fixture('speak-on-usr1.js');
    assert.equal((await box.run(['start', '-d', '--name', 'talk', '--unmovableLogs', ...FAST, speaker, box.marker])).code, 0);
    const old = box.record('talk');
    await box.waitForOut('talk', /ready \d+\n/);
    process.kill(old.watchdogPid, 'SIGKILL');
    await until('the watchdog to die', () => !isRunning(old.watchdogPid));
    process.kill(old.childPid as number, 'SIGUSR1');
    await box.waitForOut('talk', /said 1\n/);
    assert.ok(isRunning(old.childPid as number));
    assert.equal(JSON.parse((await box.run(['list', '--json'])).stdout)[0]?.status, 'orphaned');
    assert.equal((await box.run(['stop', 'talk'])).code, 0);
    assert.deepEqual(box.processes(), []);
  });

  it('a stale record of a dead watchdog with a dead child shows the watchdog died, not running', async () => {
    const box = sandbox();
    assert.equal((await box.run(['start', '-d', '--name', 'gone', ...FAST, app, box.marker])).code, 0);
    const old = box.record('gone');
    process.kill(old.watchdogPid, 'SIGKILL');
    process.kill(old.childPid as number, 'SIGKILL');
    await until('both to die', () => !isRunning(old.watchdogPid) && !isRunning(old.childPid as number));
    assert.equal(box.record('gone').status, 'running', 'the record still says running');
    const list = JSON.parse((await box.run(['list', '--json'])).stdout) as Record<string, unknown>[];
    assert.equal(list[0]?.status, 'watchdog died');
    const again = await box.run(['start', '-d', '--name', 'gone', ...FAST, app, box.marker]);
    assert.equal(again.code, 0, again.stderr);
    assert.equal((await box.run(['stop', 'gone'])).code, 0);
  });
});

describe('keepalive unit', () => {
  it('prints a systemd service running keepalive start in the foreground', async () => {
    const box = sandbox();
    const dir = tempDir();
    const result = await box.run(['unit', '--user', 'app', '--killTTL', '20s', '-o', 'out.log', '--workingDir', dir, '--env', 'A=b c', app, '--port', '80']);
    assert.equal(result.code, 0, result.stderr);
    const lines = result.stdout.split('\n');
    assert.ok(lines.includes('[Service]') && lines.includes('[Install]'));
    assert.ok(lines.includes('Type=simple'));
    assert.ok(lines.includes('KillMode=mixed'));
    assert.ok(lines.includes('TimeoutStopSec=25'), 'above killTTL');
    assert.ok(lines.includes('Restart=on-failure'));
    assert.ok(lines.includes('User=app'));
    assert.ok(lines.includes(`WorkingDirectory=${dir}`));
    const exec = lines.find((line) => line.startsWith('ExecStart='));
    assert.ok(exec);
    assert.ok(exec.startsWith(`ExecStart=${process.execPath} ${path.join(path.dirname(app), '..', '..', 'bin', 'keepalive.js')} start `), exec);
    assert.ok(!/ -d | --daemon /.test(exec));
    assert.match(exec, / --outFile=\/\S+\/out\.log /);
    assert.match(exec, / --killTTL=20000 /);
    assert.match(exec, / "--env=A=b c" /);
    assert.ok(exec.endsWith(` -- ${app} --port 80`), exec);
    assert.deepEqual(readdirSync(box.home), [], 'unit touches no state');
  });
});
