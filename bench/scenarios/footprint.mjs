// 9. Footprint: the memory ten idle apps cost under each system, above ten bare node processes.
import { execFileSync, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { root } from '../lib/harness.mjs';
import { median, sleep } from '../lib/util.mjs';

export const id = 'footprint';
export const title = 'Footprint: proportional memory (PSS) of ten idle apps, above ten bare node processes';

const APPS = 10;
/** Long enough for start-up garbage to be collected and pm2's first status rounds to pass. */
const SETTLE_MS = 8000;
const bin = (name) => path.join(root, 'node_modules', '.bin', name);

/** How each system starts and stops ten named idle apps from the command line, as a user would. */
const SYSTEMS = [
  {
    system: 'keepalive', name: 'keepalive (one watchdog per app)',
    start: (env, script, i) => [process.execPath, [path.join(root, 'bin', 'keepalive.js'), 'start', '-d', '--name', `app${i}`, script], env],
    stop: (env) => [process.execPath, [path.join(root, 'bin', 'keepalive.js'), 'stop', 'all'], env],
  },
  {
    system: 'pm2', name: 'pm2 (one daemon, its wrapper in each app)',
    start: (env, script, i) => [process.execPath, [bin('pm2'), 'start', script, '--name', `app${i}`], env],
    stop: (env) => [process.execPath, [bin('pm2'), 'kill'], env],
  },
  {
    system: 'forever-monitor', name: 'forever CLI (a monitor process per app, on forever-monitor)',
    start: (env, script) => [process.execPath, [bin('forever'), 'start', script], env],
    stop: (env) => [process.execPath, [bin('forever'), 'stopall'], env],
  },
];

function pssOf(pid) {
  try {
    return Number(/^Pss:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8'))?.[1]) * 1024;
  } catch {
    return 0;
  }
}

/** Live pids whose environment holds `NAME=value`. */
function marked(name, value) {
  const needle = `${name}=${value}\0`;
  return readdirSync('/proc').filter((entry) => /^\d+$/.test(entry) && Number(entry) !== process.pid).map(Number).filter((pid) => {
    try {
      return readFileSync(`/proc/${pid}/environ`, 'latin1').includes(needle);
    } catch {
      return false;
    }
  });
}

const sum = (pids) => pids.reduce((total, pid) => total + pssOf(pid), 0);
const mib = (bytes) => `${(bytes / 1024 ** 2).toFixed(1)} MiB`;

export async function run(ctx) {
  const script = ctx.fixture('idle.js');
  const systems = SYSTEMS.filter((entry) => ctx.systems.has(entry.system));
  const figures = new Map(systems.map((entry) => [entry.system, []]));
  const bareFigures = [];
  for (let round = 0; round < ctx.config.runs; round += 1) {
    for (const entry of systems) {
      const mark = randomUUID();
      const home = ctx.run.folder(entry.system);
      const env = { ...ctx.run.env, BENCH_FOOTPRINT: mark, KEEPALIVE_HOME: home, PM2_HOME: home, FOREVER_ROOT: home };
      const bareMark = randomUUID();
      const bare = Array.from({ length: APPS }, () => spawn(process.execPath, [script], { env: { ...ctx.run.env, BENCH_FOOTPRINT: bareMark }, stdio: 'ignore' }));
      try {
        for (let i = 0; i < APPS; i += 1) {
          const [command, args, withEnv] = entry.start(env, script, i);
          execFileSync(command, args, { env: withEnv, stdio: 'ignore', timeout: 60_000 });
        }
        await sleep(SETTLE_MS);
        const total = sum(marked('BENCH_FOOTPRINT', mark));
        const floor = sum(marked('BENCH_FOOTPRINT', bareMark));
        figures.get(entry.system).push(total - floor);
        bareFigures.push(floor);
        ctx.log(`  round ${round + 1}: ${entry.system} ${mib(total)} in all, ${mib(total - floor)} above ten bare node (${mib(floor)})`);
      } finally {
        const [command, args, withEnv] = entry.stop(env);
        try {
          execFileSync(command, args, { env: withEnv, stdio: 'ignore', timeout: 60_000 });
        } catch {}
        for (const child of bare) child.kill('SIGKILL');
        await sleep(500);
        for (const pid of marked('BENCH_FOOTPRINT', mark)) {
          try {
            process.kill(pid, 'SIGKILL');
          } catch {}
        }
      }
    }
  }
  const rows = systems.map((entry) => {
    const above = median(figures.get(entry.system));
    return [entry.name, mib(above), mib(above / APPS)];
  });
  const floor = median(bareFigures);
  rows.push(['ten bare `node idle.js`, for reference', `${mib(floor)} in all`, mib(floor / APPS)]);
  return {
    intro:
      `Ten idle apps started from each system's command line (keepalive \`start -d\`, \`pm2 start\`, \`forever start\`); after ` +
      `${SETTLE_MS / 1000} s, the proportional set size (PSS, /proc/<pid>/smaps_rollup) of every process that carries the run's ` +
      `mark in its environment (watchdogs, daemons, wrappers and the apps), less that of ten bare \`node idle.js\` measured at the ` +
      `same moment. Each system alone; median of ${ctx.config.runs} round(s).`,
    table: { head: ['system', 'above ten bare node', 'per app'], rows },
    targets: [],
    summary: rows.map((row) => `${row[0]}: ${row[1]}`),
    verdicts: [],
  };
}
