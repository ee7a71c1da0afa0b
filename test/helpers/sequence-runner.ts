// One seeded random sequence of start(), stop(), restart(), kill() and forced stops against a
// Monitor whose child takes a while to exit, checked against /proc at every step.
import { setImmediate as nextTurn, setTimeout as delay } from 'node:timers/promises';
import { KeepaliveError, Monitor, type MonitorOptions } from '../../src/index.js';
import { fixture } from './paths.js';
import { within } from './polling.js';
import { isRunning, killAll, liveChildren, survivorsAfter } from './processes.js';
import { between, pick, random, type Random } from './random.js';

const FIXTURE = 'torture-graceful.js';
/** Rejections a caller may get by design; anything else is a bug. */
const EXPECTED = new Set(['STOPPING', 'ALREADY_RUNNING', 'SUPERSEDED', 'NOT_STARTED']);

export interface SequenceReport {
  readonly seed: number;
  readonly steps: string[];
  /** Broken promises: empty when the sequence went well. */
  readonly problems: string[];
  readonly children: number;
}

function options(next: Random): MonitorOptions {
  return {
    silent: true,
    killTTL: pick(next, [300, 2000]),
    spinSleepTime: pick(next, [0, 0, 5, 30]),
    minUptime: pick(next, [0, 0, 50]),
    max: pick(next, [Infinity, Infinity, 2, 5]),
    // The child's own time to exit after SIGTERM, and (sometimes) a life that ends by itself.
    args: [String(pick(next, [0, 10, 40, 120])), String(pick(next, [0, 0, 0, 30, 150]))],
  };
}

/** Runs the sequence for `seed` and reports every broken promise. Never leaves a process behind. */
export async function runSequence(seed: number, length = 12): Promise<SequenceReport> {
  const next = random(seed);
  const steps: string[] = [];
  const problems: string[] = [];
  const seen = new Set<number>();
  const pending: Promise<unknown>[] = [];
  const monitor = new Monitor([process.execPath, fixture(FIXTURE)], options(next));

  const onSpawn = (event: string) => (_: Monitor, data: { pid: number | undefined }): void => {
    const pid = data.pid;
    if (pid === undefined) return void problems.push(`${event} without a pid`);
    const others = [...seen].filter((old) => old !== pid && isRunning(old));
    if (others.length > 0) problems.push(`${event} of ${pid} while ${others.join(', ')} still ran`);
    const live = liveChildren(FIXTURE);
    if (live.length > 1) problems.push(`${event}: ${live.length} children alive (${live.join(', ')})`);
    seen.add(pid);
  };
  monitor.on('start', onSpawn('start'));
  monitor.on('restart', onSpawn('restart'));
  monitor.on('error', (error) => problems.push(`error event: ${error.message}`));

  const expect = (what: string, promise: Promise<unknown>): void => {
    pending.push(
      promise.catch((error: unknown) => {
        if (!(error instanceof KeepaliveError && EXPECTED.has(error.code))) problems.push(`${what} rejected: ${String(error)}`);
      }),
    );
  };
  const call = (what: string, action: () => unknown): void => {
    try {
      const result = action();
      if (result instanceof Promise) expect(what, result);
    } catch (error) {
      if (!(error instanceof KeepaliveError && EXPECTED.has(error.code))) problems.push(`${what} threw: ${String(error)}`);
    }
  };

  try {
    for (let step = 0; step < length; step++) {
      const action = pick(next, ['start', 'start', 'stop', 'restart', 'restart', 'force', 'kill', 'wait', 'wait', 'turn']);
      steps.push(`${action}@${monitor.state}`);
      if (action === 'start') call('start()', () => monitor.start());
      else if (action === 'stop') call('stop()', () => monitor.stop());
      else if (action === 'restart') call('restart()', () => monitor.restart());
      else if (action === 'force') call('stop({force})', () => monitor.stop({ force: true }));
      else if (action === 'kill') call('kill()', () => monitor.kill(next() < 0.3));
      else if (action === 'wait') await delay(between(next, 0, 60));
      else await nextTurn();
      const live = liveChildren(FIXTURE);
      if (live.length > 1) problems.push(`after ${action}: ${live.length} children alive (${live.join(', ')})`);
    }
    steps.push(`final stop@${monitor.state}`);
    if (monitor.state !== 'idle') await within(monitor.stop(), 10_000, 'the final stop()');
    await within(Promise.all(pending), 10_000, 'every promise of the sequence to settle');
    const left = await survivorsAfter([...seen, ...liveChildren(FIXTURE)], 2000);
    if (left.length > 0) problems.push(`left after the final stop: ${left.join(', ')}`);
    if (monitor.child !== undefined) problems.push('monitor.child is set after the final stop');
    if (monitor.running) problems.push(`running after the final stop (state ${monitor.state})`);
  } catch (error) {
    problems.push(String(error));
  } finally {
    killAll([...seen, ...liveChildren(FIXTURE)]);
  }
  return { seed, steps, problems, children: seen.size };
}

/** Runs seeds first..first+count-1 and returns the reports that found problems. */
export async function runSequences(first: number, count: number): Promise<{ failed: SequenceReport[]; children: number }> {
  const failed: SequenceReport[] = [];
  let children = 0;
  for (let seed = first; seed < first + count; seed++) {
    const report = await runSequence(seed);
    children += report.children;
    if (report.problems.length > 0) failed.push(report);
  }
  return { failed, children };
}
