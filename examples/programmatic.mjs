// Keeps examples/crashing-server.js running from code, with logs in files, and stops it after
// its third restart. Run it: node examples/programmatic.mjs
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Monitor, formatStatus } from 'keepalive-monitor';

const logs = mkdtempSync(path.join(tmpdir(), 'keepalive-example-'));
const monitor = new Monitor(fileURLToPath(new URL('crashing-server.js', import.meta.url)), {
  env: { PORT: '0', CRASH_AFTER_MS: '300' }, // any free port; crash every 300 ms
  minUptime: 1000, // a run shorter than this is "spinning"...
  spinSleepTime: 100, // ...and waits this long before the next start
  maxSpinSleepTime: 1000, // doubling each time, up to this
  outFile: path.join(logs, 'out.log'),
  errFile: path.join(logs, 'err.log'),
  logFile: path.join(logs, 'keepalive.log'),
  silent: true,
});

monitor.on('status', (event) => console.log(`keepalive: ${formatStatus(event)}`));
monitor.on('error', (error) => console.error(`keepalive error: ${error.message}`));
monitor.on('restart', async () => {
  if (monitor.times < 3) return;
  await monitor.stop();
  console.log(`stopped after ${monitor.times} runs; logs are in ${logs}`);
});
monitor.start();
