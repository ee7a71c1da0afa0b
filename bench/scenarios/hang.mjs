// 9. A hung server: from the moment its event loop blocks to a new child being ready, and what a
// 1 s HTTP health check costs the watchdog.
import { driveToResult, holdAll } from '../lib/harness.mjs';
import { cpuSecondsOf, freePort, median, rssOf, sleep } from '../lib/util.mjs';
import { mb, millis, verdict } from '../lib/format.mjs';

export const id = 'hang';
export const title = 'A hung server: restarted by its health check, and what the check costs';

const SYSTEMS = [
  { name: 'keepalive (`healthCheck`)', system: 'keepalive' },
  { name: 'forever-monitor', system: 'forever-monitor' },
  { name: 'pm2', system: 'pm2' },
];


async function hangTask(ctx, probe) {
  const port = await freePort();
  const readyFile = ctx.run.path('ready');
  const url = `http://127.0.0.1:${port}`;
  return {
    readyFile,
    hangUrl: `${url}/hang`,
    limit: ctx.config.hangLimitMs,
    spec: {
      command: [process.execPath, ctx.fixture('hang-server.js')],
      env: { BENCH_READY_FILE: readyFile, PORT: String(port) },
      killTTL: ctx.config.hangKillTTL,
      // Ready by its message, sent before the driver can see the ready file and make it hang.
      ...(probe && { ready: 'message', healthCheck: { http: `${url}/healthz`, ...probe } }),
    },
  };
}

export async function run(ctx) {
  const { hangRuns, hangLimitMs, hangKillTTL: killTTL } = ctx.config;
  const probe = { period: 1000, timeout: 500, failureThreshold: 3 };
  const bound = probe.period * probe.failureThreshold + probe.timeout + killTTL;
  const rows = [];
  let keepalive = [];
  for (const entry of SYSTEMS.filter(({ system }) => ctx.systems.has(system))) {
    const isKeepalive = entry.system === 'keepalive';
    // The others have no health check: one run shows that they never restart a hung server.
    const runs = isKeepalive ? hangRuns : 1;
    const times = [];
    const problems = new Set();
    for (let round = 0; round < runs; round += 1) {
      const task = { kind: 'hang', ...(await hangTask(ctx, isKeepalive && probe)) };
      const result = await driveToResult(ctx.run, entry.system, task, { timeout: hangLimitMs + 60_000 });
      ctx.run.killAll();
      if (result.error) problems.add(result.error);
      else if (result.outcome === 'timeout') problems.add(`not restarted after ${Math.round(result.ms / 1000)} s`);
      else times.push(result.ms);
      ctx.log(`  ${entry.name}: ${result.error ?? (result.outcome === 'timeout' ? 'not restarted' : millis(result.ms, 0))}`);
    }
    if (isKeepalive) keepalive = times;
    rows.push([
      entry.name,
      times.length ? millis(median(times), 0) : 'never',
      times.length ? millis(Math.max(...times), 0) : '',
      `${times.length} of ${runs}`,
      [...problems].join('; '),
    ]);
  }

  // The probe's cost: two keepalive watchdogs side by side, with and without a 1 s HTTP probe.
  const seconds = ctx.config.hangCostSeconds;
  const cost = [];
  if (ctx.systems.has('keepalive')) {
    const withProbe = await hangTask(ctx, { period: 1000, timeout: 500 });
    const without = await hangTask(ctx, undefined);
    const { held, release } = await holdAll(ctx.run, [{ system: 'keepalive', task: withProbe }, { system: 'keepalive', task: without }]);
    try {
      await sleep(1000);
      const before = held.map((entry) => cpuSecondsOf(entry.watchdogPid));
      await sleep(seconds * 1000);
      const used = held.map((entry, index) => cpuSecondsOf(entry.watchdogPid) - before[index]);
      const rss = held.map((entry) => rssOf(entry.watchdogPid));
      cost.push(['keepalive, HTTP probe every 1 s', `${used[0].toFixed(2)} s`, mb(rss[0])]);
      cost.push(['keepalive, no probe', `${used[1].toFixed(2)} s`, mb(rss[1])]);
    } finally {
      await release();
      ctx.run.killAll();
    }
  }

  const worst = keepalive.length ? Math.max(...keepalive) : NaN;
  // A new child must also start and listen: allowed 1 s beyond the bound on a busy machine.
  const targets = keepalive.length
    ? [{ what: `keepalive: hang to new child ready, worst of ${keepalive.length}`, value: millis(worst, 0), target: `< bound ${bound} ms + 1 s`, met: worst < bound + 1000 }]
    : [];
  return {
    intro:
      `bench/fixtures/hang-server.js blocks its event loop on a request to /hang (its SIGTERM handler can then never run). ` +
      `Measured from that request to a new child being ready (listening). keepalive: \`healthCheck: { http, period: ${probe.period}, ` +
      `timeout: ${probe.timeout}, failureThreshold: ${probe.failureThreshold} }\`, \`killTTL: ${killTTL}\`: the bound is ` +
      `period x failureThreshold + timeout + killTTL = ${bound} ms. forever-monitor and pm2 have no health check; each runs once, ` +
      `for up to ${hangLimitMs / 1000} s. Then the watchdog's CPU over ${seconds} s and RSS, with a 1 s HTTP probe and without.`,
    table: { head: ['system', 'hang to new child ready (median)', 'worst', 'restarted', 'problems'], rows },
    extraTables: cost.length ? [{ head: ['watchdog', `CPU over ${seconds} s`, 'RSS'], rows: cost }] : [],
    targets,
    summary: [...rows.map((row) => `${row[0]}: ${row[1]}${row[2] ? ` (worst ${row[2]})` : ''} ${row[4]}`), ...cost.map((row) => `${row[0]}: CPU ${row[1]}, RSS ${row[2]}`)],
    verdicts: targets.map((target) => `${target.what}: ${target.value} ${verdict(target.met)}`),
  };
}
