import assert from 'node:assert/strict';
import { existsSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { KeepaliveError, Monitor } from '../../src/index.js';
import { fixture, tempDir } from '../helpers/paths.js';
import { until } from '../helpers/polling.js';

/** The STAGE_ variables each run of the pm2-app fixture printed, in order. */
function runs(monitor: Monitor): Record<string, string>[] {
  const seen: Record<string, string>[] = [];
  let text = '';
  monitor.on('stdout', (chunk) => {
    text += chunk.toString();
    const lines = text.split('\n');
    text = lines.pop() ?? '';
    for (const line of lines) if (line.startsWith('{')) seen.push((JSON.parse(line) as { env: Record<string, string> }).env);
  });
  return seen;
}

test('envFile: under env, read again at each start: an edit applies at the next restart and a removed variable is gone', async () => {
  const dir = tempDir();
  const file = path.join(dir, '.env');
  writeFileSync(file, 'STAGE_A=1\nSTAGE_B=file\n# a comment\nexport STAGE_Q="quoted value"\n');
  const monitor = new Monitor(fixture('pm2-app.js'), { envFile: file, env: { STAGE_B: 'env' }, silent: true });
  const errors: Error[] = [];
  monitor.on('error', (error) => errors.push(error));
  const seen = runs(monitor);
  monitor.start();
  try {
    await until('the first run', () => seen.length === 1);
    assert.deepEqual(seen[0], { STAGE_A: '1', STAGE_B: 'env', STAGE_Q: 'quoted value' });

    writeFileSync(file, 'STAGE_C=3\n');
    await monitor.restart();
    await until('the second run', () => seen.length === 2);
    assert.deepEqual(seen[1], { STAGE_B: 'env', STAGE_C: '3' });

    // A file gone at a restart: reported, and the last variables read are kept.
    rmSync(file);
    await monitor.restart();
    await until('the third run', () => seen.length === 3);
    assert.deepEqual(seen[2], { STAGE_B: 'env', STAGE_C: '3' });
    assert.equal(errors.length, 1);
    assert.ok(errors[0] instanceof KeepaliveError && errors[0].code === 'ENV_FILE', String(errors[0]));
  } finally {
    await monitor.stop();
  }
});

test('envFile that cannot be read: start() throws ENV_FILE naming it, before any file is made or child runs', () => {
  const dir = tempDir();
  const out = path.join(dir, 'out.log');
  const monitor = new Monitor(fixture('pm2-app.js'), { envFile: path.join(dir, 'missing.env'), outFile: out });
  assert.throws(() => monitor.start(), (error: unknown) =>
    error instanceof KeepaliveError && error.code === 'ENV_FILE' && error.message.startsWith(`envFile ${JSON.stringify(path.join(dir, 'missing.env'))}: ENOENT`));
  assert.equal(existsSync(out), false);
  assert.equal(monitor.child, undefined);
});
