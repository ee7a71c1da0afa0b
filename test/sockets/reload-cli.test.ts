import assert from 'node:assert/strict';
import { test } from 'node:test';
import { runBin } from '../helpers/bin.js';
import { freePort, getJson } from '../helpers/http.js';
import { fixture } from '../helpers/paths.js';
import { until } from '../helpers/polling.js';
import { isRunning } from '../helpers/processes.js';
import { sandbox } from '../helpers/sandbox.js';

test('keepalive reload <name>: list shows both children while the new one starts, then only the new one; a request never fails', async () => {
  const box = sandbox();
  const port = await freePort();
  const started = await box.run(['start', '-d', '--name', 'web', '--listen', String(port), '--env', `PORT=${port}`, fixture('listen-server.js'), box.marker]);
  assert.equal(started.code, 0, started.stderr);
  await box.waitForOut('web', /^ready \d+/m);
  const old = box.record('web').childPid as number;

  const reload = runBin(['reload', 'web'], { env: { ...process.env, KEEPALIVE_HOME: box.home } });
  let both: { childPid: number; reloadingPid: number | null } | undefined;
  await until('list to show the reload', async () => {
    const entries = JSON.parse((await box.run(['list', '--json'])).stdout) as { childPid: number; reloadingPid: number | null }[];
    both = entries[0];
    return typeof both?.reloadingPid === 'number';
  });
  assert.equal(both?.childPid, old);
  assert.equal((await box.run(['list'])).stdout.includes(`${old} (reloading: ${both?.reloadingPid})`), true);
  // While both run, requests are answered by one or the other.
  assert.ok([old, both?.reloadingPid].includes((await getJson(port)).pid as number));

  const { code } = await reload.exited;
  assert.equal(code, 0, reload.stderr());
  assert.equal(reload.stdout(), `reloaded web: child pid ${both?.reloadingPid} (was ${old})\n`);
  assert.equal(isRunning(old), false);
  assert.equal((await getJson(port)).pid, both?.reloadingPid);
  const after = JSON.parse((await box.run(['list', '--json'])).stdout) as { childPid: number; reloadingPid: number | null; restarts: number }[];
  assert.deepEqual(after.map(({ childPid, reloadingPid, restarts }) => ({ childPid, reloadingPid, restarts })), [{ childPid: both?.reloadingPid, reloadingPid: null, restarts: 1 }]);
  assert.equal((await box.run(['stop', 'web'])).code, 0);
});
