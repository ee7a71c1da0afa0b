// pm2 through its programmatic API. Its daemon is the watchdog; PM2_HOME is a temporary folder the
// harness sets, and the harness kills the daemon by pid afterwards whatever happens here.
import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { sleep } from '../lib/util.mjs';

if (!process.env.PM2_HOME?.includes('keepalive-bench')) throw new Error('PM2_HOME must be a bench temporary folder');
const { default: pm2 } = await import('pm2');

export const label = 'pm2';

let connected = false;
let bus;

/** Starts the daemon, outside any timing. */
export async function prepare() {
  await connect();
}

async function connect() {
  if (connected) return;
  await promisify(pm2.connect.bind(pm2))();
  connected = true;
  bus = await promisify(pm2.launchBus.bind(pm2))();
}

function daemonPid() {
  return Number(readFileSync(path.join(process.env.PM2_HOME, 'pm2.pid'), 'utf8').trim());
}

function size(file) {
  try {
    return statSync(file).size;
  } catch {
    return 0;
  }
}

/** pm2 writes logs after the child is gone; wait until the files stop growing for a while. */
async function settled(files, quiet = 300, limit = 30_000) {
  const deadline = Date.now() + limit;
  let last = files.map(size).join();
  let since = Date.now();
  while (Date.now() - since < quiet && Date.now() < deadline) {
    await sleep(20);
    const current = files.map(size).join();
    if (current !== last) {
      last = current;
      since = Date.now();
    }
  }
  return since;
}

let apps = 0;
export async function start(spec) {
  await connect();
  const name = `bench-${process.pid}-${(apps += 1)}`;
  const [script, ...args] = spec.command;
  const once = spec.max === 1;
  let exits = 0;
  let finish;
  let lastExit = 0;
  const ended = new Promise((resolve) => (finish = resolve));
  bus.on('process:event', (packet) => {
    if (packet.process?.name !== name || packet.event !== 'exit') return;
    exits += 1;
    lastExit = Date.now();
    if (spec.max != null && exits >= spec.max) finish();
  });
  const outFile = spec.outFile ?? '/dev/null';
  const errFile = spec.errFile ?? '/dev/null';
  // Cluster mode runs a node script in workers of pm2's daemon, which holds the socket.
  const how = spec.pm2Cluster
    ? { script: args[0], args: args.slice(1), exec_mode: 'cluster', instances: 1 }
    : { script, args, interpreter: 'none' };
  await promisify(pm2.start.bind(pm2))({
    name,
    ...how,
    out_file: outFile,
    error_file: errFile,
    merge_logs: true,
    autorestart: !once,
    restart_delay: 0,
    min_uptime: 0,
    max_restarts: 1e9,
    ...(spec.timestamp && { time: true }),
    ...(spec.killTTL !== undefined && { kill_timeout: spec.killTTL }),
    env: { ...spec.env },
  });
  const done = ended.then(async () => {
    const endedAt = Date.now();
    const runs = exits;
    const files = [outFile, errFile].filter((file) => file !== '/dev/null');
    // The run ends when the last byte is in the files, as it does for the others; the quiet time
    // spent finding that out is not counted.
    const lastWrite = files.length ? await settled(files) : endedAt;
    if (!once) await promisify(pm2.stop.bind(pm2))(name).catch(() => {});
    return { runs, tailMs: Date.now() - Math.max(endedAt, lastWrite) };
  });
  return {
    watchdogPid: daemonPid(),
    done,
    stop: () => promisify(pm2.delete.bind(pm2))(name),
    reload: () => promisify(pm2.reload.bind(pm2))(name),
    restart: () => promisify(pm2.restart.bind(pm2))(name),
  };
}

export async function close() {
  if (!connected) return;
  const pid = daemonPid();
  await promisify(pm2.killDaemon.bind(pm2))().catch(() => {});
  pm2.disconnect();
  try {
    process.kill(pid, 'SIGKILL');
  } catch {}
}
