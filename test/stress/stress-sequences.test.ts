// npm run test:stress: a few hundred more seeded random sequences than npm test runs.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { recordHostFailures } from '../helpers/host-failures.js';
import { onLinux } from '../helpers/processes.js';
import { runSequences } from '../helpers/sequence-runner.js';

const SEEDS = Number(process.env.KEEPALIVE_TORTURE_SEEDS ?? 300);
const FIRST = Number(process.env.KEEPALIVE_TORTURE_FIRST_SEED ?? 1000);

test(`${SEEDS} seeded random start/stop/restart/kill sequences (seeds ${FIRST}..): one child at most, none left`, { ...onLinux, timeout: 60 * 60 * 1000 }, async () => {
  const host = recordHostFailures();
  try {
    const { failed } = await runSequences(FIRST, SEEDS);
    await new Promise((resolve) => setImmediate(resolve));
    assert.deepEqual(host.failures, []);
    assert.deepEqual(host.warnings, []);
    assert.deepEqual(failed.map((report) => ({ seed: report.seed, problems: report.problems, steps: report.steps.join(' ') })), []);
  } finally {
    host.remove();
  }
});
