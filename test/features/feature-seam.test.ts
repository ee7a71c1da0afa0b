import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FeatureSet } from '../../src/features/feature-set.js';
import type { FeatureFactory, FeatureHost, RunInfo, SpawnNeeds } from '../../src/features/feature.js';
import { planSpawn } from '../../src/run/spawn-needs.js';
import { resolveOptions } from '../../src/options/options.js';
import { KeepaliveError } from '../../src/vocabulary/errors.js';

/** A run as the seam tells it, without a process: only its pid matters here. */
function run(pid: number): RunInfo {
  return { pid, fds: new Map(), stopping: () => false, onMessage: () => () => {} };
}

function host(): FeatureHost & { restarts: string[] } {
  const restarts: string[] = [];
  return {
    options: resolveOptions('app.js'), restarts, restart: (reason) => restarts.push(reason), fail: (reason) => restarts.push(reason),
    ready: () => restarts.push('ready'), status: () => {}, onStatus: () => () => {}, report: () => {},
  };
}

test('the seam: features are made at attach, told of each run, undone per run, closed last made first', async () => {
  const log: string[] = [];
  const feature = (name: string): FeatureFactory => () => ({
    attachRun: ({ pid }) => {
      log.push(`${name} run ${pid}`);
      return () => log.push(`${name} end ${pid}`);
    },
    close: async () => {
      log.push(`${name} close`);
    },
  });
  const off: FeatureFactory = () => undefined;
  const set = new FeatureSet([feature('a'), off, feature('b')]);
  set.attach(host(), assert.fail);
  set.attachRun(run(1));
  set.endRun();
  set.attachRun(run(2));
  await set.close(assert.fail);
  assert.deepEqual(log, ['a run 1', 'b run 1', 'b end 1', 'a end 1', 'a run 2', 'b run 2', 'b end 2', 'a end 2', 'b close', 'a close']);
});

test('the seam: a feature that cannot work fails attach, and those made before it are closed', async () => {
  const closed: string[] = [];
  const fine: FeatureFactory = () => ({ close: () => void closed.push('fine') });
  const broken: FeatureFactory = () => {
    throw new KeepaliveError('LOG_PATH', 'pidFile "x": no');
  };
  const set = new FeatureSet([fine, broken]);
  assert.throws(() => set.attach(host(), assert.fail), { code: 'LOG_PATH' });
  assert.deepEqual(closed, ['fine']);
});

test('the seam: a feature asks for a restart with its own reason, and a failing close is reported, not thrown', async () => {
  const seen = host();
  const reported: Error[] = [];
  const asking: FeatureFactory = (h) => {
    h.restart('watch');
    return {
      close: () => {
        throw new Error('cannot close');
      },
    };
  };
  const set = new FeatureSet([asking]);
  set.attach(seen, assert.fail);
  assert.deepEqual(seen.restarts, ['watch']);
  await set.close((error) => reported.push(error));
  assert.deepEqual(reported.map((error) => error.message), ['cannot close']);
});

test('the seam: spawn needs are merged, descriptors numbered from the first free one, a shared name shares one', () => {
  const plan = planSpawn([
    { fds: [{ name: 'notify', source: 'pipe', env: (fd) => ({ NOTIFY_FD: String(fd) }) }] },
    { ipc: true, fds: [{ name: 'notify', source: 'pipe' }, { name: 'http', source: 7 }], env: { NOTIFY_SOCKET: undefined } },
    {},
  ], 3);
  assert.deepEqual(plan, {
    ipc: true,
    fds: [{ name: 'notify', fd: 3, source: 'pipe', option: 'notify' }, { name: 'http', fd: 4, source: 7, option: 'http' }],
    env: { NOTIFY_FD: '3', NOTIFY_SOCKET: undefined },
    preloads: [],
    wrap: undefined,
  });
  assert.deepEqual(planSpawn([], 3), { ipc: false, fds: [], env: {}, preloads: [], wrap: undefined });
});

test('the seam: preloads in the features\' order, command wraps nested with the first feature\'s innermost', () => {
  const plan = planSpawn([
    { preloads: ['/a.cjs'], wrap: (command, args) => ({ command: 'inner', args: [command, ...args] }) },
    { preloads: ['/b.cjs'], wrap: (command, args) => ({ command: 'outer', args: [command, ...args] }) },
  ], 3);
  assert.deepEqual(plan.preloads, ['/a.cjs', '/b.cjs']);
  assert.deepEqual(plan.wrap?.('node', ['app.js']), { command: 'outer', args: ['inner', 'node', 'app.js'] });
});

test('the seam: a descriptor that must stay below 10 refuses to come after too many sockets, naming both options', () => {
  const sockets = (count: number): SpawnNeeds => ({
    fds: Array.from({ length: count }, (_, index) => ({ name: `listen ${index}`, source: 100 + index, option: 'listen' })),
  });
  const notify: SpawnNeeds = { fds: [{ name: 'notify', source: 'pipe', below: 10, option: "ready: 'notify'" }] };
  assert.equal(planSpawn([sockets(6), notify], 3).fds.at(-1)?.fd, 9);
  assert.throws(() => planSpawn([sockets(7), notify], 3), (error: KeepaliveError) => {
    assert.equal(error.code, 'INVALID_OPTION');
    assert.match(error.message, /^ready: 'notify': its notify descriptor must be below 10, and would be 10 \(listen takes fds 3-9\)/);
    return true;
  });
});

test('the seam: a ready child is news for every feature, then for the monitor', () => {
  const seen = host();
  const heard: string[] = [];
  const listener: FeatureFactory = () => ({ runReady: () => heard.push('told'), close: () => {} });
  const teller: FeatureFactory = (h) => ({ attachRun: () => void h.ready(5), close: () => {} });
  const set = new FeatureSet([listener, teller]);
  set.attach(seen, assert.fail);
  set.attachRun(run(1));
  assert.deepEqual([heard, seen.restarts], [['told'], ['ready']]);
});
