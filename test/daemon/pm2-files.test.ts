import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { until, waitForFile } from '../helpers/polling.js';
import { sandbox, type Sandbox } from '../helpers/sandbox.js';
import { fixture, tempDir } from '../helpers/paths.js';

const app = fixture('pm2-app.js');
const STARTED = /^started (\S+): watchdog pid \d+, child pid \d+$/;

/** A project folder named after the sandbox's marker, so that every watchdog's command line holds it. */
function project(box: Sandbox): string {
  const dir = path.join(tempDir(), box.marker);
  mkdirSync(dir);
  return dir;
}

/** The JSON line the fixture printed last in a file (its arguments, folder and STAGE_ variables). */
async function lastRun(file: string, runs = 1): Promise<{ argv: string[]; cwd: string; env: Record<string, string> }> {
  const text = await waitForFile(file, new RegExp(`(ready \\d+\\n[^]*){${runs}}`));
  const lines = text.split('\n').filter((line) => line.startsWith('{'));
  return JSON.parse(lines.at(-1) as string) as { argv: string[]; cwd: string; env: Record<string, string> };
}

function startedNames(stdout: string): string[] {
  return stdout.trim().split('\n').map((line) => STARTED.exec(line)?.[1] ?? line).sort();
}

describe('pm2 files', () => {
  it('ecosystem.config.js with apps and a stage: every app in the background, its keys in effect; stop, restart and --only take the file', async () => {
    const box = sandbox();
    const dir = project(box);
    mkdirSync(path.join(dir, 'worker'));
    const file = path.join(dir, 'ecosystem.config.js');
    const write = (stageB: string | undefined): void => writeFileSync(file, `module.exports = {
  apps: [
    {
      name: 'api', script: ${JSON.stringify(app)}, args: 'one ${box.marker}', out_file: 'logs/api.out.log', min_uptime: 300,
      env: { STAGE_A: 'a', STAGE_B: 'b' }, env_production: { ${stageB === undefined ? '' : `STAGE_B: '${stageB}', `}STAGE_C: 'prod' },
    },
    { name: 'worker', script: ${JSON.stringify(app)}, args: ['${box.marker}'], cwd: 'worker', kill_timeout: 3000, min_uptime: 300 },
  ],
};
`);
    write('prod');
    const started = await box.run(['start', file, '--env', 'production'], undefined, dir);
    assert.equal(started.code, 0, started.stderr);
    assert.deepEqual(startedNames(started.stdout), ['api', 'worker']);

    const api = await lastRun(path.join(dir, 'logs', 'api.out.log'));
    assert.deepEqual(api, { argv: ['one', box.marker], cwd: dir, env: { STAGE_A: 'a', STAGE_B: 'prod', STAGE_C: 'prod' } });
    const worker = await lastRun(path.join(box.home, 'logs', 'worker.out.log'));
    assert.deepEqual(worker, { argv: [box.marker], cwd: path.join(dir, 'worker'), env: {} });
    assert.equal(box.record('worker').killTTL, 3000);
    assert.equal(box.record('api').killTTL, 1600, "pm2's kill_timeout default");
    assert.deepEqual(box.record('api').argv, ['start', '--env=production', '--only=api', '--', file]);

    const stopWorker = await box.run(['stop', 'ecosystem.config.js', '--only', 'worker'], undefined, dir);
    assert.equal(stopWorker.stdout, 'stopped worker\n', stopWorker.stderr);
    assert.equal(await box.status('worker'), 'stopped');
    assert.equal(await box.status('api'), 'running');

    // The file changes: STAGE_B leaves env_production. A restart of the file reads it again, so the variable is gone.
    write(undefined);
    const restarted = await box.run(['restart', 'ecosystem.config.js', '--env', 'production'], undefined, dir);
    assert.equal(restarted.code, 0, restarted.stderr);
    assert.deepEqual(startedNames(restarted.stdout), ['api', 'stopped api', 'worker']);
    assert.deepEqual((await lastRun(path.join(dir, 'logs', 'api.out.log'), 2)).env, { STAGE_A: 'a', STAGE_B: 'b', STAGE_C: 'prod' });

    // start <name> runs the app's command line again: the file, with --only.
    assert.equal((await box.run(['stop', 'api'])).code, 0);
    const byName = await box.run(['start', 'api'], undefined, tempDir());
    assert.equal(byName.code, 0, byName.stderr);
    assert.equal(await box.status('api'), 'running');

    const stopped = await box.run(['stop', file]);
    assert.equal(stopped.code, 0, stopped.stderr);
    assert.deepEqual(stopped.stdout.trim().split('\n').sort(), ['stopped api', 'stopped worker']);
    assert.deepEqual(box.processes(), []);
  });

  it("an app.json array (pm2's JSON shape) with env_<stage>; a keepalive config beside it still runs as one", async () => {
    const box = sandbox();
    const dir = project(box);
    writeFileSync(path.join(dir, 'app.json'), JSON.stringify([
      { name: 'one', script: app, args: [box.marker], env: { STAGE_X: '1' }, env_staging: { STAGE_X: 'staging' }, min_uptime: '300ms' },
      { name: 'two', script: app, args: [box.marker], min_uptime: 300 },
    ]));
    const started = await box.run(['start', 'app.json', '--env', 'staging'], undefined, dir);
    assert.equal(started.code, 0, started.stderr);
    assert.deepEqual(startedNames(started.stdout), ['one', 'two']);
    assert.deepEqual((await lastRun(path.join(box.home, 'logs', 'one.out.log'))).env, { STAGE_X: 'staging' });
    assert.equal((await box.run(['delete', 'app.json'], undefined, dir)).code, 1, 'running apps are not deleted');
    assert.equal((await box.run(['stop', 'app.json'], undefined, dir)).code, 0);
    const deleted = await box.run(['delete', 'app.json'], undefined, dir);
    assert.equal(deleted.code, 0, deleted.stderr);
    assert.match(deleted.stdout, /^deleted one .*\ndeleted two /);

    // keepalive's own config: an object with "script" runs in the foreground as before.
    writeFileSync(path.join(dir, 'own.json'), JSON.stringify({ script: app, args: [box.marker], env: { STAGE_OWN: 'yes' } }));
    const own = await box.run(['start', '--name', 'own', '-d', 'own.json'], undefined, dir);
    assert.equal(own.code, 0, own.stderr);
    assert.deepEqual((await lastRun(path.join(box.home, 'logs', 'own.out.log'))).env, { STAGE_OWN: 'yes' });
    assert.equal((await box.run(['stop', 'own'])).code, 0);
    assert.deepEqual(box.processes(), []);
  });

  it('a key keepalive cannot honour: one line naming it and what to do, and nothing starts', async () => {
    const box = sandbox();
    const dir = project(box);
    writeFileSync(path.join(dir, 'ecosystem.config.cjs'), `module.exports = { apps: [
      { name: 'fine', script: ${JSON.stringify(app)} },
      { name: 'web', script: ${JSON.stringify(app)}, instances: 4, exec_mode: 'cluster' },
    ] };\n`);
    const result = await box.run(['start', 'ecosystem.config.cjs'], undefined, dir);
    assert.equal(result.code, 1);
    assert.equal(result.stderr, `keepalive: pm2 file ${path.join(dir, 'ecosystem.config.cjs')}: app "web": instances: 4: keepalive runs one process per app: give each copy an app of its own (its own name and port), or use node:cluster inside the app\n`);
    assert.equal(result.stdout, '');
    assert.deepEqual(JSON.parse((await box.run(['list', '--json'])).stdout), []);
    const stage = await box.run(['start', 'ecosystem.config.cjs', '--env', 'prod', '--only', 'fine'], undefined, dir);
    assert.match(stage.stderr, /--env prod: no app has env_prod\n$/);
    // A missing script is found before anything starts, too.
    writeFileSync(path.join(dir, 'typo.config.js'), `module.exports = { apps: [{ name: 'ok', script: ${JSON.stringify(app)} }, { name: 'typo', script: 'serevr.js' }] };\n`);
    const typo = await box.run(['start', 'typo.config.js'], undefined, dir);
    assert.equal(typo.code, 1);
    assert.equal(typo.stderr, `keepalive: pm2 file ${path.join(dir, 'typo.config.js')}: app "typo": script not found: ${path.join(dir, 'serevr.js')}\n`);
    assert.deepEqual(JSON.parse((await box.run(['list', '--json'])).stdout), []);
    // --only picks the apps that are read: the other app's keys do not stop it.
    const fine = await box.run(['start', 'ecosystem.config.cjs', '--only', 'fine'], undefined, dir);
    assert.equal(fine.code, 0, fine.stderr);
    assert.equal((await box.run(['stop', 'fine'])).code, 0);
    const only = await box.run(['start', 'ecosystem.config.cjs', '--only', 'nope'], undefined, dir);
    assert.match(only.stderr, /--only nope: no such app \(apps: fine, web\)\n$/);
  });

  it('an ecosystem.config.mjs (ES module) starts its apps in parallel', async () => {
    const box = sandbox();
    const dir = project(box);
    const apps = Array.from({ length: 4 }, (_, index) => ({ name: `app${index}`, script: app, args: [box.marker], min_uptime: 300 }));
    writeFileSync(path.join(dir, 'ecosystem.config.mjs'), `export default { apps: ${JSON.stringify(apps)} };\n`);
    const started = await box.run(['start', 'ecosystem.config.mjs'], undefined, dir);
    assert.equal(started.code, 0, started.stderr);
    assert.deepEqual(startedNames(started.stdout), ['app0', 'app1', 'app2', 'app3']);
    // All four watchdogs ran at once: each started before any app had run for its 300 ms.
    const starts = apps.map(({ name }) => box.record(name).childStartedAt as unknown as number);
    assert.ok(Math.max(...starts) - Math.min(...starts) < 300 * 4, `child starts ${starts.join(', ')}`);
    assert.equal((await box.run(['stop', 'all'])).code, 0);
    await until('every process gone', () => box.processes().length === 0);
  });

  it('save, stop everything, resurrect: the same apps run with the same options', async () => {
    const box = sandbox();
    const dir = project(box);
    writeFileSync(path.join(dir, 'ecosystem.config.js'), `module.exports = { apps: [
      { name: 'api', script: ${JSON.stringify(app)}, args: ['${box.marker}'], env_production: { STAGE_P: 'p' }, kill_timeout: 2500, min_uptime: 300 },
    ] };\n`);
    assert.equal((await box.run(['start', 'ecosystem.config.js', '--env', 'production'], undefined, dir)).code, 0);
    assert.equal((await box.run(['start', '-d', '--name', 'solo', '--minUptime', '300', '--killTTL', '4s', app, box.marker, 'x'], undefined, dir)).code, 0);
    const nothing = sandbox();
    const empty = await nothing.run(['save']);
    assert.equal(empty.code, 1);
    assert.match(empty.stderr, /no app is running; nothing saved/);

    const saved = await box.run(['save']);
    assert.equal(saved.code, 0, saved.stderr);
    assert.equal(saved.stdout, `saved api, solo to ${path.join(box.home, 'saved', 'apps.json')}\n`);
    const before = { api: box.record('api'), solo: box.record('solo') };
    assert.equal((await box.run(['stop', 'all'])).code, 0);
    assert.equal((await box.run(['delete', 'all'])).code, 0);
    assert.deepEqual(box.processes(), []);

    const resurrected = await box.run(['resurrect'], undefined, tempDir());
    assert.equal(resurrected.code, 0, resurrected.stderr);
    assert.deepEqual(startedNames(resurrected.stdout), ['api', 'solo']);
    for (const name of ['api', 'solo'] as const) {
      const now = box.record(name);
      assert.equal(await box.status(name), 'running');
      for (const key of ['script', 'args', 'cwd', 'killTTL', 'argv', 'argvCwd', 'logs']) assert.deepEqual(now[key], before[name][key], `${name}: ${key}`);
    }
    assert.deepEqual((await lastRun(path.join(box.home, 'logs', 'api.out.log'), 2)).env, { STAGE_P: 'p' });
    assert.match((await box.run(['resurrect'])).stdout, /api is already running\nsolo is already running\n|solo is already running\napi is already running\n/);
    assert.equal((await box.run(['stop', 'all'])).code, 0);
    assert.deepEqual(box.processes(), []);
    assert.ok(readFileSync(path.join(box.home, 'saved', 'apps.json'), 'utf8').includes('"solo"'));
  });
});
