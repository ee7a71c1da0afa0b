import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { parseArgs } from '../../src/cli/args.js';
import { ConfigError } from '../../src/cli/config-error.js';
import { isPm2File } from '../../src/cli/pm2-file.js';
import { mapPm2App, PM2_DEFAULTS } from '../../src/cli/pm2-keys.js';
import { tempDir } from '../helpers/paths.js';

const folder = '/srv/app';
const context = { file: '/srv/app/ecosystem.config.js', folder, stage: undefined, index: 0 };
const map = (app: Record<string, unknown>, stage?: string): ReturnType<typeof mapPm2App> =>
  mapPm2App({ name: 'api', script: 'server.js', ...app }, { ...context, stage });
const refusal = (app: Record<string, unknown>, message: RegExp): void => {
  assert.throws(() => map(app), (error: unknown) => error instanceof ConfigError && message.test(error.message));
};

describe('pm2 keys: each mapped key sets its option', () => {
  // [pm2 keys, the options they set (besides cwd and pm2's stop defaults)]
  const cases: [Record<string, unknown>, Record<string, unknown>][] = [
    [{ args: '--port 80 -v' }, { args: ['--port', '80', '-v'] }],
    [{ args: ['--port', 80] }, { args: ['--port', '80'] }],
    [{ out_file: 'logs/out.log' }, { outFile: '/srv/app/logs/out.log' }],
    [{ error_file: '/var/log/err.log' }, { errFile: '/var/log/err.log' }],
    [{ err_file: 'err.log' }, { errFile: '/srv/app/err.log' }],
    [{ log_file: 'all.log' }, { logFile: '/srv/app/all.log' }],
    [{ merge_logs: true, combine_logs: true }, {}],
    [{ time: true }, { timestamp: true }],
    [{ log_date_format: 'YYYY-MM-DD HH:mm Z' }, { timestamp: true }],
    [{ max_restarts: 10 }, { max: 11 }],
    [{ min_uptime: '5s' }, { minUptime: 5000 }],
    [{ restart_delay: 3000 }, { spinSleepTime: 3000 }],
    [{ exp_backoff_restart_delay: 100 }, { spinSleepTime: 100, maxSpinSleepTime: 15_000, minUptime: 30_000 }],
    [{ exp_backoff_restart_delay: 100, min_uptime: 2000 }, { spinSleepTime: 100, maxSpinSleepTime: 15_000, minUptime: 2000 }],
    [{ autorestart: false, max_restarts: 5 }, { max: 1 }],
    [{ autorestart: true }, {}],
    [{ stop_exit_codes: [0, 3] }, { stopExitCodes: [0, 3] }],
    [{ stop_exit_codes: 0 }, { stopExitCodes: [0] }],
    [{ kill_timeout: 8000 }, { killTTL: 8000 }],
    [{ treekill: false }, { killTree: false }],
    [{ watch: true }, { watch: true }],
    [{ watch: ['src', 'config'] }, { watch: true, watchDirectory: ['/srv/app/src', '/srv/app/config'] }],
    [{ ignore_watch: 'node_modules' }, { watchIgnorePatterns: ['node_modules'] }],
    [{ ignore_watch: ['*.log', 'tmp'] }, { watchIgnorePatterns: ['*.log', 'tmp'] }],
    [{ cron_restart: '0 3 * * *' }, { cronRestart: '0 3 * * *' }],
    [{ pid_file: 'run/api.pid' }, { pidFile: '/srv/app/run/api.pid' }],
    [{ env: { A: '1', B: 2 } }, { env: { A: '1', B: 2 } }],
    [{ instances: 1, exec_mode: 'fork' }, {}],
    [{ wait_ready: false, shutdown_with_message: false }, {}],
  ];
  for (const [app, options] of cases) {
    it(JSON.stringify(app), () => {
      const mapped = map(app);
      assert.deepEqual(mapped.options, { ...PM2_DEFAULTS, ...options, cwd: folder });
    });
  }

  it('pm2 stops with SIGINT and waits 1600 ms, unless the file says otherwise', () => {
    assert.deepEqual(PM2_DEFAULTS, { killSignal: 'SIGINT', killTTL: 1600 });
    assert.equal(map({ kill_timeout: 100 }).options.killTTL, 100);
  });

  it('env_<stage> goes over env with --env <stage>, and only then', () => {
    const app = { env: { A: '1', B: '1' }, env_production: { B: 'prod', C: 'prod' } };
    assert.deepEqual(map(app, 'production').options.env, { A: '1', B: 'prod', C: 'prod' });
    assert.deepEqual(map(app).options.env, { A: '1', B: '1' });
    assert.deepEqual(map(app, 'staging').options.env, { A: '1', B: '1' });
  });

  it('script, cwd and interpreter: node for JavaScript (with node_args), another interpreter, or the program itself', () => {
    assert.deepEqual([map({}).script, map({}).options.command], ['/srv/app/server.js', undefined]);
    assert.deepEqual(map({ cwd: 'api' }).options.cwd, '/srv/app/api');
    assert.equal(map({ cwd: 'api' }).script, '/srv/app/api/server.js');
    assert.equal(map({ node_args: '--max-old-space-size=512' }).options.command, `${process.execPath.replace(/[\s\\]/g, '\\$&')} --max-old-space-size=512`);
    assert.equal(map({ interpreter: 'node', interpreter_args: ['--inspect'] }).options.command?.endsWith(' --inspect'), true);
    assert.deepEqual([map({ script: 'job.py' }).script, map({ script: 'job.py' }).options.command], ['/srv/app/job.py', 'python3']);
    assert.equal(map({ script: 'run.sh' }).options.command, 'bash');
    assert.equal(map({ interpreter: '/usr/bin/ruby', script: 'a.rb' }).options.command, '/usr/bin/ruby');
    assert.deepEqual(map({ script: 'npm', args: 'start' }).script, ['npm']);
    assert.deepEqual(map({ script: 'npm', args: 'start' }).options.args, ['start']);
    assert.deepEqual(map({ script: './bin/server', interpreter: 'none' }).script, ['/srv/app/bin/server']);
  });

  it('the pm2 keys of memory, readiness, shutdown and watch delay map onto their options', () => {
    const cases: [Record<string, unknown>, string, unknown][] = [
      [{ max_memory_restart: 1_073_741_824 }, 'maxMemory', '1073741824B'],
      [{ max_memory_restart: '1073741824' }, 'maxMemory', '1073741824B'],
      [{ max_memory_restart: '512M' }, 'maxMemory', '512M'],
      [{ wait_ready: true }, 'ready', 'message'],
      [{ listen_timeout: 8000 }, 'readyTimeout', 8000],
      [{ shutdown_with_message: true }, 'shutdownMessage', 'shutdown'],
      [{ watch_delay: 1000 }, 'watchDelay', 1000],
    ];
    for (const [app, option, value] of cases) {
      const key = Object.keys(app)[0] as string;
      assert.deepEqual((map(app).options as Record<string, unknown>)[option], value, key);
    }
  });
});

describe('pm2 keys: refused with what to do instead', () => {
  const cases: [Record<string, unknown>, RegExp][] = [
    [{ instances: 4 }, /app "api": instances: 4: keepalive runs one process per app: give each copy an app of its own/],
    [{ instances: 'max' }, /instances: "max": keepalive runs one process per app/],
    [{ exec_mode: 'cluster' }, /exec_mode: "cluster": cluster mode is pm2's: keepalive runs one process per app/],
    [{ instance_var: 'INSTANCE_ID' }, /instance_var: not supported: it only matters with several instances; remove it/],
    [{ increment_var: 'PORT' }, /increment_var: not supported: it only matters with several instances/],
    [{ namespace: 'backend' }, /namespace: not supported: keepalive has no namespaces; pick apps by name with --only/],
    [{ user: 'www' }, /user: not supported: run keepalive as that user/],
    [{ uid: 1000 }, /uid: not supported: run keepalive as that user/],
    [{ gid: 1000 }, /gid: not supported: run keepalive as that user/],
    [{ vizion: false }, /vizion: not supported: a pm2-only service \(versioning\); remove it/],
    [{ post_update: ['npm i'] }, /post_update: not supported: a pm2-only service/],
    [{ pmx: true }, /pmx: not supported: a pm2-only service \(monitoring\)/],
    [{ automation: false }, /automation: not supported: a pm2-only service/],
    [{ deep_monitoring: true }, /deep_monitoring: not supported: a pm2-only service/],
    [{ trace: true }, /trace: not supported: a pm2-only service/],
    [{ disable_trace: true }, /disable_trace: not supported: a pm2-only service/],
    [{ source_map_support: true }, /source_map_support: not supported: pass --enable-source-maps in node_args instead/],
    [{ append_env_to_name: true }, /append_env_to_name: not supported: give each stage its own name instead/],
    [{ filter_env: ['SECRET'] }, /filter_env: not supported: use keepalive's hideEnv/],
    [{ autostart: false }, /autostart: not supported: leave the app out of the file/],
    [{ disable_logs: true }, /disable_logs: not supported: set out_file and error_file to \/dev\/null/],
    [{ max_restart: 3 }, /app "api": max_restart: unknown pm2 key/],
    [{ script: undefined }, /script: expected a non-empty string, got undefined/],
    [{ args: { a: 1 } }, /args: expected a string or an array of strings, got \{"a":1\}/],
    [{ min_uptime: 'soon' }, /min_uptime: expected a time in ms, or with a unit/],
    [{ max_restarts: -1 }, /max_restarts: expected a whole number >= 0, got -1/],
    [{ autorestart: "no" }, /autorestart: expected true or false, got "no"/],
    [{ env_production: 'x' }, /env_production: expected an object of variables/],
    [{ node_args: '--inspect', interpreter: 'none' }, /node_args: needs an interpreter; the script runs as a program/],
  ];
  for (const [app, message] of cases) it(JSON.stringify(app), () => refusal(app, message));

  it('an app without a name is named by its position', () => {
    assert.throws(() => mapPm2App({ script: 'a.js', instances: 2 }, { ...context, index: 2 }), /app #3: instances/);
    assert.throws(() => mapPm2App({ name: 'x' }, context), /app "x": script: missing/);
  });
});

describe('pm2 files: told apart from scripts and keepalive configs', () => {
  it('by name for scripts, by content for JSON', () => {
    const dir = tempDir();
    mkdirSync(path.join(dir, 'sub'));
    writeFileSync(path.join(dir, 'array.json'), '[{"script":"a.js"}]');
    writeFileSync(path.join(dir, 'apps.json'), '{"apps":[{"script":"a.js"}]}');
    writeFileSync(path.join(dir, 'own.json'), '{"script":"a.js"}');
    writeFileSync(path.join(dir, 'broken.json'), '{');
    const cases: [string, boolean][] = [
      ['ecosystem.config.js', true], ['pm2.config.cjs', true], ['sub/ecosystem.config.mjs', true], ['app.js', false],
      ['config.js', false], ['array.json', true], ['apps.json', true], ['own.json', false], ['broken.json', false], ['missing.json', false],
    ];
    for (const [target, expected] of cases) assert.equal(isPm2File(target, dir), expected, target);
  });

  it('flags may follow a pm2 file; --env <stage> and --only are for pm2 files only', () => {
    const start = parseArgs(['start', '-m', '3', 'ecosystem.config.js', '--env', 'production', '--only', 'api,worker', '--env', 'A=1']);
    assert.equal(start.kind, 'start');
    if (start.kind !== 'start') return;
    assert.deepEqual([start.target, start.pm2File, start.stage, start.only, start.options], [
      'ecosystem.config.js', true, 'production', ['api', 'worker'], { max: 3, env: { A: '1' } },
    ]);
    assert.throws(() => parseArgs(['start', 'ecosystem.config.js', 'extra']), /a pm2 file takes no script arguments, got "extra"/);
    assert.throws(() => parseArgs(['start', '--env', 'production', 'app.js']), /--env: expected KEY=VALUE, got "production" \(a stage name is only for pm2 files\)/);
    assert.throws(() => parseArgs(['start', '--only', 'api', 'app.js']), /--only: only for pm2 files/);
    assert.throws(() => parseArgs(['start', '--name', 'x', 'ecosystem.config.js']), /--name: a pm2 file names its apps; pick them with --only/);
    assert.deepEqual(parseArgs(['start', 'app.js', '--env', 'production']), {
      kind: 'start', target: 'app.js', scriptArgs: ['--env', 'production'], options: {}, quiet: false,
      daemon: false, name: undefined, user: undefined, pm2File: false, only: undefined, stage: undefined,
    });
    const stop = parseArgs(['stop', 'ecosystem.config.js', '--only', 'api']);
    assert.equal(stop.kind === 'file' && stop.action === 'stop' && stop.start.only?.join(), 'api');
    assert.throws(() => parseArgs(['stop', 'ecosystem.config.js', '-m', '3']), /stop <pm2 file>: only --only applies/);
    assert.throws(() => parseArgs(['stop', 'app.js']), /"app.js" is a script, not a name/);
  });
});
