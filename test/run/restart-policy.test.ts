import assert from 'node:assert/strict';
import { test } from 'node:test';
import { decideRestart, rememberEnd, type RestartRules, type RunEnd } from '../../src/run/restart-policy.js';
import { RestartHistory } from '../../src/run/restart-history.js';
import { countedReason, formatStatus } from '../../src/vocabulary/events.js';

const rules: RestartRules = {
  max: Infinity,
  minUptime: 1000,
  spinSleepTime: undefined,
  maxSpinSleepTime: undefined,
  restartWindow: undefined,
  stopExitCodes: [],
};
const end: RunEnd = { cause: 'exited', uptime: 5000, status: 1, endedAt: 100_000, pastEnds: [], spinsInARow: 0 };

const cases: { name: string; rules?: Partial<RestartRules>; end?: Partial<RunEnd>; expect: object }[] = [
  { name: 'a long run restarts at once', expect: { action: 'restart', delay: 0, reason: 'exited', spinning: false } },
  { name: 'exit code 0 restarts too, as in forever', end: { status: 0 }, expect: { action: 'restart', delay: 0 } },
  { name: 'minUptime boundary: exactly minUptime is not spinning', end: { uptime: 1000 }, expect: { action: 'restart', spinning: false } },
  { name: 'one ms short of minUptime is spinning', end: { uptime: 999 }, expect: { action: 'give-up', reason: 'spinning', spinning: true } },
  { name: 'minUptime 0 (the default) never spins', rules: { minUptime: 0 }, end: { uptime: 0 }, expect: { action: 'restart', delay: 0, spinning: false } },
  { name: 'spinning without spinSleepTime gives up (forever)', end: { uptime: 10 }, expect: { action: 'give-up', reason: 'spinning' } },
  { name: 'spinSleepTime waits before restarting a spinning child', rules: { spinSleepTime: 250 }, end: { uptime: 10 }, expect: { action: 'restart', delay: 250, reason: 'spinning' } },
  { name: 'spinSleepTime 0 restarts at once, not "unset"', rules: { spinSleepTime: 0 }, end: { uptime: 10 }, expect: { action: 'restart', delay: 0, reason: 'spinning', spinning: true } },
  { name: 'a spawn failure is spinning', rules: { minUptime: 0, spinSleepTime: 50 }, end: { cause: 'spawn-failed', uptime: 0, status: undefined }, expect: { action: 'restart', delay: 50, spinning: true } },
  { name: 'max: the run that reaches it gives up', rules: { max: 3 }, end: { pastEnds: [1, 2] }, expect: { action: 'give-up', reason: 'max' } },
  { name: 'max: below it restarts', rules: { max: 3 }, end: { pastEnds: [1] }, expect: { action: 'restart' } },
  { name: 'max 1 gives up after the first run', rules: { max: 1 }, expect: { action: 'give-up', reason: 'max' } },
  { name: 'a requested restart ignores max', rules: { max: 1 }, end: { cause: 'restart-requested' }, expect: { action: 'restart', delay: 0, reason: 'requested' } },
  { name: 'a requested restart ignores spinning and its sleep', rules: { spinSleepTime: 5000 }, end: { cause: 'restart-requested', uptime: 1 }, expect: { action: 'restart', delay: 0, reason: 'requested', spinning: true } },
  { name: 'restartWindow: old exits do not count towards max', rules: { max: 3, restartWindow: 60_000 }, end: { pastEnds: [1000, 2000] }, expect: { action: 'restart' } },
  { name: 'restartWindow: exits inside the window count', rules: { max: 3, restartWindow: 60_000 }, end: { pastEnds: [50_000, 90_000] }, expect: { action: 'give-up', reason: 'max' } },
  { name: 'restartWindow: an exit exactly one window ago is out', rules: { max: 2, restartWindow: 60_000 }, end: { pastEnds: [40_000] }, expect: { action: 'restart' } },
  { name: 'stopExitCodes: a listed code is final', rules: { stopExitCodes: [0, 143] }, end: { status: 0 }, expect: { action: 'give-up', reason: 'stop-exit-code' } },
  { name: 'stopExitCodes: a signal death counts as 128 + n', rules: { stopExitCodes: [143] }, end: { status: 143 }, expect: { action: 'give-up', reason: 'stop-exit-code' } },
  { name: 'stopExitCodes: other codes restart', rules: { stopExitCodes: [0] }, end: { status: 2 }, expect: { action: 'restart' } },
  { name: 'stopExitCodes win over a requested restart? no: a requested restart always restarts', rules: { stopExitCodes: [143] }, end: { cause: 'restart-requested', status: 143 }, expect: { action: 'restart', reason: 'requested' } },
  { name: 'backoff: the first spin waits spinSleepTime', rules: { spinSleepTime: 100, maxSpinSleepTime: 1000 }, end: { uptime: 5, spinsInARow: 0 }, expect: { delay: 100, reason: 'spinning' } },
  { name: 'backoff: the second spin in a row doubles it', rules: { spinSleepTime: 100, maxSpinSleepTime: 1000 }, end: { uptime: 5, spinsInARow: 1 }, expect: { delay: 200, reason: 'backoff' } },
  { name: 'backoff: the fourth spin in a row waits 8x', rules: { spinSleepTime: 100, maxSpinSleepTime: 1000 }, end: { uptime: 5, spinsInARow: 3 }, expect: { delay: 800 } },
  { name: 'backoff: capped at maxSpinSleepTime', rules: { spinSleepTime: 100, maxSpinSleepTime: 1000 }, end: { uptime: 5, spinsInARow: 4 }, expect: { delay: 1000 } },
  { name: 'backoff: a huge streak stays at the cap', rules: { spinSleepTime: 100, maxSpinSleepTime: 1000 }, end: { uptime: 5, spinsInARow: 5000 }, expect: { delay: 1000 } },
  { name: 'backoff: a good run restarts at once whatever the streak', rules: { spinSleepTime: 100, maxSpinSleepTime: 1000 }, end: { uptime: 5000, spinsInARow: 7 }, expect: { delay: 0, reason: 'exited' } },
  { name: 'no backoff without maxSpinSleepTime', rules: { spinSleepTime: 100 }, end: { uptime: 5, spinsInARow: 9 }, expect: { delay: 100, reason: 'spinning' } },
  { name: 'a failing child stopped by a feature restarts with the failure as its reason', end: { failedFor: 'unhealthy' }, expect: { action: 'restart', delay: 0, reason: 'unhealthy', failedFor: 'unhealthy' } },
  { name: 'a failure counts towards max like a crash', rules: { max: 2 }, end: { failedFor: 'memory-limit', pastEnds: [1] }, expect: { action: 'give-up', reason: 'max' } },
  { name: 'a failure that was spinning backs off like a crash', rules: { spinSleepTime: 100, maxSpinSleepTime: 1000 }, end: { failedFor: 'not-ready', uptime: 5, spinsInARow: 2 }, expect: { action: 'restart', delay: 400, reason: 'backoff', failedFor: 'not-ready' } },
  { name: 'a failure that was spinning without spinSleepTime gives up', end: { failedFor: 'not-ready', uptime: 5 }, expect: { action: 'give-up', reason: 'spinning' } },
  { name: 'a feature\'s restart (watch) is a requested restart with its own reason', rules: { max: 1, spinSleepTime: 5000 }, end: { cause: 'restart-requested', requestedFor: 'watch', uptime: 1 }, expect: { action: 'restart', delay: 0, reason: 'watch' } },
];

for (const { name, rules: changes, end: endChanges, expect } of cases) {
  test(name, () => {
    const decision = decideRestart({ ...end, ...endChanges }, { ...rules, ...changes });
    assert.deepEqual(pick(decision, Object.keys(expect)), expect);
  });
}

function pick(object: object, keys: string[]): object {
  return Object.fromEntries(keys.map((key) => [key, (object as Record<string, unknown>)[key]]));
}

test('rememberEnd keeps what max needs: at most max - 1 ends, none older than restartWindow', () => {
  assert.deepEqual(rememberEnd([], 10, { max: Infinity, restartWindow: undefined }), []);
  assert.deepEqual(rememberEnd([], 10, { max: 1, restartWindow: undefined }), []);
  assert.deepEqual(rememberEnd([1, 2, 3], 10, { max: 3, restartWindow: undefined }), [3, 10]);
  assert.deepEqual(rememberEnd([1, 50, 60], 100, { max: 10, restartWindow: 50 }), [60, 100]);
});

test('RestartHistory: requested restarts are not remembered and keep the spin streak; a good run resets it', () => {
  const history = new RestartHistory({ ...rules, max: 2, spinSleepTime: 100, maxSpinSleepTime: 1000 });
  const spin = { cause: 'exited', uptime: 5, status: 1 } as const;
  assert.deepEqual(pick(history.decide(spin, 1), ['delay', 'reason']), { delay: 100, reason: 'spinning' });
  assert.deepEqual(pick(history.decide({ ...spin, cause: 'restart-requested', requestedFor: 'watch' }, 2), ['reason']), { reason: 'watch' });
  // The requested restart neither counted towards max nor broke the streak: this spin is the second.
  assert.deepEqual(pick(history.decide(spin, 3), ['action', 'reason']), { action: 'give-up', reason: 'max' });
  history.reset();
  assert.deepEqual(pick(history.decide(spin, 4), ['action', 'delay']), { action: 'restart', delay: 100 });
});

test('a failure restart is counted and said as the failure, also when it waits as spinning or backoff', () => {
  const waiting = decideRestart({ ...end, failedFor: 'memory-limit', uptime: 5 }, { ...rules, spinSleepTime: 100 });
  assert.equal(waiting.action, 'restart');
  const event = { type: 'restarting', delay: 100, reason: 'spinning', failedFor: 'memory-limit' } as const;
  assert.deepEqual(pick(waiting, ['reason', 'failedFor']), { reason: 'spinning', failedFor: 'memory-limit' });
  assert.equal(countedReason(event), 'memory-limit');
  assert.equal(formatStatus(event), 'restarting in 100 ms (spinning after memory-limit)');
  assert.equal(countedReason({ reason: 'backoff' }), 'crash');
  assert.equal(formatStatus({ type: 'restarting', delay: 0, reason: 'unhealthy', failedFor: 'unhealthy' }), 'restarting now (unhealthy)');
});
