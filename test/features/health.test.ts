import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Monitor, type MonitorOptions, type StatusEvent } from '../../src/index.js';
import { nextEvent } from '../helpers/events.js';
import { fixture } from '../helpers/paths.js';
import { freePort, statusOf } from '../helpers/ports.js';
import { until } from '../helpers/polling.js';
import { statuses } from '../helpers/statuses.js';

const quiet = { silent: true, killTTL: 1000 } as const;
/** Fast probes: a period of 100 ms, failing after 2 in a row. */
const fast = { period: 100, timeout: 80, failureThreshold: 2 } as const;

function readyPids(monitor: Monitor): number[] {
  const pids: number[] = [];
  monitor.on('ready', ({ pid }) => pids.push(pid));
  return pids;
}

/** Waits until `count` status events of `type` were seen; returns them. */
async function nth(seen: readonly StatusEvent[], type: StatusEvent['type'], count: number): Promise<StatusEvent[]> {
  await until(`${count} "${type}" status events; seen: ${seen.map((event) => event.type).join(', ')}`, () =>
    seen.filter((event) => event.type === type).length >= count);
  return seen.filter((event) => event.type === type);
}

async function serverRun(script: string, options: (port: number) => MonitorOptions): Promise<{ monitor: Monitor; port: number; pids: number[]; seen: StatusEvent[] }> {
  const port = await freePort();
  const monitor = new Monitor(fixture(script), { ...quiet, env: { PORT: port }, ready: { tcp: `127.0.0.1:${port}` }, ...options(port) });
  const pids = readyPids(monitor);
  const seen = statuses(monitor);
  monitor.start();
  await until('the first child to be ready', () => pids.length === 1);
  return { monitor, port, pids, seen };
}

test('http: a server that blocks its event loop is restarted as unhealthy, and the new one answers', async () => {
  const { monitor, port, pids, seen } = await serverRun('hang-on-request.js', (port) => ({
    healthCheck: { http: `http://127.0.0.1:${port}/healthz`, ...fast },
  }));
  await nth(seen, 'healthy', 1);
  void statusOf(`http://127.0.0.1:${port}/hang`);
  await until('a second child to be ready', () => pids.length === 2);
  const failed = seen.filter((event) => event.type === 'health-failed');
  assert.deepEqual(failed.map((event) => event.type === 'health-failed' && [event.failure, event.count]), [
    ['timed out after 80 ms', 1], ['timed out after 80 ms', 2],
  ]);
  assert.ok(seen.some((event) => event.type === 'restarting' && event.reason === 'unhealthy'));
  assert.equal(await statusOf(`http://127.0.0.1:${port}/healthz`), 200);
  await monitor.stop();
});

test('http: a server that answers 500 is unhealthy after failureThreshold failures in a row', async () => {
  const { monitor, port, pids, seen } = await serverRun('fail-after.js', (port) => ({
    healthCheck: { http: `http://127.0.0.1:${port}/healthz`, ...fast, failureThreshold: 3 },
  }));
  await nth(seen, 'healthy', 1);
  assert.equal(await statusOf(`http://127.0.0.1:${port}/break`), 500);
  await until('a second child to be ready', () => pids.length === 2);
  const failed = seen.filter((event) => event.type === 'health-failed');
  assert.deepEqual(failed.map((event) => event.type === 'health-failed' && `${event.failure} ${event.count}/${event.threshold}`), [
    'status 500 1/3', 'status 500 2/3', 'status 500 3/3',
  ]);
  await monitor.stop();
});

test('tcp and exec: a check that passes never restarts; exec reports the exit code of a failing command', async () => {
  const { monitor, port, seen } = await serverRun('fail-after.js', (port) => ({ healthCheck: { tcp: `127.0.0.1:${port}`, ...fast } }));
  await nth(seen, 'healthy', 1);
  await monitor.stop();
  assert.equal(seen.filter((event) => event.type === 'health-failed').length, 0);

  const failing = new Monitor(fixture('idle.js'), {
    ...quiet, max: 1, healthCheck: { exec: ['sh', '-c', `exit 3 # ${port}`], ...fast },
  });
  const events = statuses(failing);
  const exit = nextEvent(failing, 'exit');
  failing.start();
  await exit;
  const last = events.filter((event) => event.type === 'health-failed').at(-1);
  assert.deepEqual(last && last.type === 'health-failed' && [last.failure, last.count], ['exit code 3', 2]);
  assert.deepEqual(events.at(-1), { type: 'gave-up', runs: 1, reason: 'max' });
});

test('heartbeat: a child that stops its heartbeat (IPC or WATCHDOG=1 on its pipe) is restarted', async () => {
  for (const via of ['message', 'notify'] as const) {
    const monitor = new Monitor(fixture('heartbeat-stops.js'), {
      ...quiet, env: { VIA: via }, ready: via, healthCheck: { heartbeat: true, timeout: 300, failureThreshold: 1 },
    });
    const pids = readyPids(monitor);
    const seen = statuses(monitor);
    monitor.start();
    await until(`${via}: a second child to be ready`, () => pids.length === 2);
    const [healthy, failed] = [seen.find((event) => event.type === 'healthy'), seen.find((event) => event.type === 'health-failed')];
    assert.deepEqual(healthy, { type: 'healthy', probe: 'heartbeat' }, via);
    assert.deepEqual(failed, { type: 'health-failed', probe: 'heartbeat', failure: 'no heartbeat for 300 ms', count: 1, threshold: 1 });
    await monitor.stop();
  }
});

test('unhealthy restarts count like crashes: max, and spinning with its backoff', async () => {
  const monitor = new Monitor(fixture('heartbeat-stops.js'), {
    ...quiet, ready: 'message', healthCheck: { heartbeat: true, timeout: 100, failureThreshold: 1 },
    minUptime: 60_000, spinSleepTime: 50, maxSpinSleepTime: 1000, max: 3,
  });
  const seen = statuses(monitor);
  const exit = nextEvent(monitor, 'exit');
  monitor.start();
  await exit;
  const restarts = seen.filter((event) => event.type === 'restarting');
  assert.deepEqual(restarts, [
    { type: 'restarting', delay: 50, reason: 'spinning', failedFor: 'unhealthy' },
    { type: 'restarting', delay: 100, reason: 'backoff', failedFor: 'unhealthy' },
  ]);
  assert.deepEqual(seen.at(-1), { type: 'gave-up', runs: 3, reason: 'max' });
  assert.equal(seen.filter((event) => event.type === 'health-failed').length, 3);
});
