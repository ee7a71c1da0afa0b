import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Monitor } from '../../src/index.js';
import { startReady } from '../helpers/events.js';
import { fixture } from '../helpers/paths.js';
import { statuses } from '../helpers/statuses.js';

test('shutdownMessage: a stop sends the message over IPC (opened for it) instead of killSignal; SIGKILL after killTTL as always', async () => {
  const monitor = new Monitor(fixture('stop-on-message.js'), { silent: true, shutdownMessage: 'shutdown', killTTL: 60_000 });
  const seen = statuses(monitor);
  const [pid] = await startReady(monitor);
  await monitor.stop();
  // It ignores SIGTERM: only the message ends it, long before killTTL.
  assert.deepEqual(monitor.lastExit && { code: monitor.lastExit.code, signal: monitor.lastExit.signal }, { code: 7, signal: null });
  assert.deepEqual(seen.find((event) => event.type === 'stopping'), { type: 'stopping', pid, signal: 'message "shutdown"' });

  const deaf = new Monitor(fixture('stop-on-message.js'), { silent: true, shutdownMessage: 'something else', killTTL: 200 });
  const deafSeen = statuses(deaf);
  await startReady(deaf);
  await deaf.stop();
  assert.equal(deaf.lastExit?.signal, 'SIGKILL');
  assert.equal(deafSeen.some((event) => event.type === 'killing'), true);
});
