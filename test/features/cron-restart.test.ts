import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Monitor, type StatusEvent } from '../../src/index.js';
import { nextCronRun } from '../../src/features/cron-restart.js';
import { decideRestart } from '../../src/run/restart-policy.js';
import { resolveOptions } from '../../src/options/options.js';
import { startReady } from '../helpers/events.js';
import { fixture } from '../helpers/paths.js';
import { until } from '../helpers/polling.js';

test('the next cron time, from a fixed clock, in the schedule\'s time zone (summer and winter time)', () => {
  const cases: [string, string | undefined, string, string][] = [
    ['0 3 * * *', 'UTC', '2026-12-01T12:00:00Z', '2026-12-02T03:00:00.000Z'],
    ['0 3 * * *', 'Europe/Paris', '2026-12-01T12:00:00Z', '2026-12-02T02:00:00.000Z'],
    ['0 3 * * *', 'Europe/Paris', '2026-07-01T12:00:00Z', '2026-07-02T01:00:00.000Z'],
    ['0 3 * * *', 'America/New_York', '2026-12-01T12:00:00Z', '2026-12-02T08:00:00.000Z'],
    ['30 4 * * 1', 'UTC', '2026-12-01T12:00:00Z', '2026-12-07T04:30:00.000Z'],
    ['*/10 * * * * *', 'UTC', '2026-12-01T12:00:01Z', '2026-12-01T12:00:10.000Z'],
  ];
  for (const [expression, zone, from, next] of cases) {
    assert.equal(nextCronRun(expression, zone, new Date(from))?.toISOString(), next, `${expression} ${zone} from ${from}`);
  }
});

test('cronRestart and cronTimezone are checked when the monitor is made', () => {
  assert.throws(() => resolveOptions('app.js', { cronRestart: '61 * * * *' }), /option cronRestart: expected a cron expression/);
  assert.throws(() => resolveOptions('app.js', { cronRestart: '0 3 * * *', cronTimezone: 'Mars/Olympus' }), /option cronTimezone: expected an IANA time zone/);
  assert.throws(() => resolveOptions('app.js', { cronTimezone: 'UTC' }), /option cronTimezone: expected to be used with cronRestart/);
});

test('a cron restart is a requested restart: at once, never giving up, whatever max and minUptime say', () => {
  const rules = resolveOptions('app.js', { max: 1, minUptime: 60_000 });
  const decision = decideRestart({ cause: 'restart-requested', requestedFor: 'cron', uptime: 5, status: 143, endedAt: 0, pastEnds: [], spinsInARow: 9 }, rules);
  assert.deepEqual(decision, { action: 'restart', delay: 0, reason: 'cron', spinning: true });
});

// A six-field schedule (seconds first) fires every second: the real timer is tested without waiting a minute.
test('cronRestart fires at the scheduled second, says the next time, and counts towards neither max nor spinning', async () => {
  const monitor = new Monitor(fixture('idle.js'), { cronRestart: '* * * * * *', cronTimezone: 'UTC', max: 1, minUptime: 60_000, silent: true });
  const seen: { event: StatusEvent; at: number }[] = [];
  monitor.on('status', (event) => seen.push({ event, at: Date.now() }));
  await startReady(monitor);
  try {
    const cronRestarts = (): { event: StatusEvent; at: number }[] =>
      seen.filter(({ event }) => event.type === 'restarting' && event.reason === 'cron');
    await until('three cron restarts', () => cronRestarts().length >= 3 && seen.at(-1)?.event.type === 'started');
    for (const restart of cronRestarts()) {
      // The stop that makes the restart, and the time announced before it (the next one is announced as it fires).
      const before = seen.slice(0, seen.indexOf(restart));
      const stopping = before.filter(({ event }) => event.type === 'stopping').at(-1);
      assert.ok(stopping);
      const announced = before.slice(0, before.indexOf(stopping)).filter(({ event }) => event.type === 'cron-scheduled').at(-1)?.event;
      assert.ok(announced?.type === 'cron-scheduled');
      const due = Date.parse(announced.next);
      // At the scheduled second: the wall clock and the timers' clock may differ by a few ms; late by less than a second even on a busy machine.
      assert.ok(stopping.at >= due - 20 && stopping.at < due + 1000, `due ${announced.next}, stopping at ${new Date(stopping.at).toISOString()}`);
    }
    assert.equal(monitor.state, 'running');
    assert.equal(seen.some(({ event }) => event.type === 'gave-up'), false);
  } finally {
    await monitor.stop();
  }
});
