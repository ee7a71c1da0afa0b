// Shared by the memory and idle scenarios: a watchdog per system, each with an idle child.
import path from 'node:path';

export const SYSTEMS = [
  { name: 'keepalive', system: 'keepalive' },
  { name: 'forever-monitor', system: 'forever-monitor' },
  { name: 'pm2 (its daemon)', system: 'pm2' },
  { name: 'shell loop (`sh`)', system: 'shell' },
];

/** A `hold` task whose child is bench/fixtures/idle.js. */
export function idleTask(ctx, extra = {}) {
  const readyFile = ctx.run.path('ready');
  return {
    readyFile,
    spec: { command: [process.execPath, ctx.fixture('idle.js')], env: { BENCH_READY_FILE: readyFile } },
    ...extra,
  };
}

export { path };
