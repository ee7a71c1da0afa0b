import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fixture } from '../helpers/paths.js';
import { runBin } from '../helpers/bin.js';
import { childrenOf, isRunning } from '../helpers/processes.js';
import { statusLines } from '../helpers/statuses.js';

/** `unshare` runs keepalive as PID 1 of a new PID namespace, as a container runtime does (and kills it if a timed-out test kills unshare). */
const UNSHARE = ['unshare', '--pid', '--fork', '--mount-proc', '--kill-child'];

function whyNoNamespace(): string | undefined {
  if (process.platform !== 'linux') return 'PID namespaces are Linux only';
  const probe = spawnSync(UNSHARE[0] as string, [...UNSHARE.slice(1), 'true'], { encoding: 'utf8' });
  if (probe.error) return `unshare cannot run: ${probe.error.message}`;
  if (probe.status !== 0) return `unshare is not permitted here: ${probe.stderr.trim()}`;
  return undefined;
}
const skip = whyNoNamespace() ?? false;

/** The pid, as seen from here, of the process unshare forked (keepalive, PID 1 inside). */
function forkedBy(unsharePid: number): number {
  const children = childrenOf(unsharePid);
  assert.equal(children.length, 1, `unshare has one child: ${children.join(' ')}`);
  return children[0] as number;
}

test('as PID 1, SIGTERM still stops the script gracefully and exits 0', { skip }, async () => {
  const run = runBin(['start', fixture('cli-ready.js')], { prefix: UNSHARE });
  const [, pid, parent] = await run.waitFor('stdout', /ready (\d+) (\d+)/);
  assert.equal(parent, '1', 'the script is a child of keepalive, which is PID 1');
  const keepalive = forkedBy(run.process.pid as number);
  process.kill(keepalive, 'SIGTERM');
  assert.deepEqual(await run.exited, { code: 0, signal: null });
  const lines = statusLines(run.stderr());
  assert.ok(lines.includes(`stopping pid ${pid} with SIGTERM`), lines.join('\n'));
  assert.equal(lines.at(-1), 'stopped');
  assert.equal(isRunning(keepalive), false);
});

test('as PID 1, SIGINT twice forces the stop of a script that ignores SIGTERM', { skip }, async () => {
  const run = runBin(['start', '--killTTL', '60s', fixture('cli-ignore-stop.js')], { prefix: UNSHARE });
  await run.waitFor('stdout', /ready \d+/);
  const keepalive = forkedBy(run.process.pid as number);
  process.kill(keepalive, 'SIGINT');
  await run.waitFor('stderr', /stopping pid \d+ with SIGTERM/);
  process.kill(keepalive, 'SIGINT');
  assert.deepEqual(await run.exited, { code: 0, signal: null });
});

test('as PID 1, giving up passes on the script status', { skip }, async () => {
  const run = runBin(['start', '-m', '1', fixture('cli-exit.js'), 'SIGTERM'], { prefix: UNSHARE });
  assert.deepEqual(await run.exited, { code: 143, signal: null });
});
