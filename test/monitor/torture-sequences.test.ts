import assert from 'node:assert/strict';
import { test } from 'node:test';
import { recordHostFailures } from '../helpers/host-failures.js';
import { onLinux } from '../helpers/processes.js';
import { runSequences } from '../helpers/sequence-runner.js';

/** The stress run (npm run test:stress) goes through a few hundred more seeds. */
const SEEDS = Number(process.env.KEEPALIVE_TORTURE_SEEDS ?? 25);
const FIRST = Number(process.env.KEEPALIVE_TORTURE_FIRST_SEED ?? 1);

test(`${SEEDS} seeded random start/stop/restart/kill sequences: one child at most, none left, no uncaught error`, onLinux, async () => {
  const host = recordHostFailures();
  try {
    const { failed, children } = await runSequences(FIRST, SEEDS);
    // Let a late rejection surface before the verdict.
    await new Promise((resolve) => setImmediate(resolve));
    assert.deepEqual(host.failures, []);
    assert.deepEqual(host.warnings, []);
    assert.deepEqual(
      failed.map((report) => ({ seed: report.seed, problems: report.problems, steps: report.steps.join(' ') })),
      [],
      'replay one with KEEPALIVE_TORTURE_FIRST_SEED=<seed> KEEPALIVE_TORTURE_SEEDS=1',
    );
    assert.ok(children >= SEEDS, `the sequences ran children (${children})`);
  } finally {
    host.remove();
  }
});
