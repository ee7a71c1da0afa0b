// 9. No connection refused: an unchanged express app under steady load (autocannon), crashed by a
// request every second. What clients see of each crash, per system.
import http from 'node:http';
import { performance } from 'node:perf_hooks';
import autocannon from 'autocannon';
import { expressRounds, expressRuns } from '../lib/express-runs.mjs';
import { median } from '../lib/util.mjs';
import { count, millis } from '../lib/format.mjs';

export const id = 'crash-gap';
export const title = 'No connection refused: an express app under load, crashed every second';

const VARIANTS = [
  { name: 'keepalive `--listen`', system: 'keepalive', listen: true },
  { name: 'keepalive', system: 'keepalive' },
  { name: 'shell `while` loop', system: 'shell' },
  { name: 'forever-monitor', system: 'forever-monitor' },
  { name: 'pm2 fork mode', system: 'pm2' },
  { name: 'pm2 cluster mode, 1 instance', system: 'pm2', pm2Cluster: true },
];

const CONNECTIONS = 10;


/** Sends GET /crash; resolves true when the request reached a server (it connected). */
function crash(port) {
  return new Promise((resolve) => {
    const request = http.get({ host: '127.0.0.1', port, path: '/crash', agent: false });
    let connected = false;
    request.on('socket', (socket) => socket.once('connect', () => (connected = true)));
    request.on('error', () => resolve(connected));
    request.on('response', (response) => {
      response.resume();
      resolve(connected);
    });
  });
}

function percentile(values, p) {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

/** Load for `seconds`, a crash request every second; what the clients saw. */
async function load(port, seconds) {
  const errors = {};
  const responses = [];
  const crashes = [];
  const instance = autocannon({ url: `http://127.0.0.1:${port}/`, connections: CONNECTIONS, duration: seconds, timeout: 10 });
  instance.on('reqError', (error) => {
    const code = error.code ?? error.message;
    errors[code] = (errors[code] ?? 0) + 1;
  });
  instance.on('response', (client, status, bytes, ms) => {
    const end = performance.now();
    responses.push({ start: end - ms, end, ms, ok: status >= 200 && status < 300 });
  });
  const timer = setInterval(() => {
    const at = performance.now();
    void crash(port).then((reached) => reached && crashes.push(at));
  }, 1000);
  const result = await new Promise((resolve, reject) => instance.on('done', resolve).on('error', reject));
  clearInterval(timer);
  // Requests that waited: answered, sent after a crash and before the first answer to a request
  // sent after it (which the next child gave).
  const waited = [];
  for (const at of crashes) {
    const back = Math.min(...responses.filter((response) => response.ok && response.start >= at).map((response) => response.end));
    for (const response of responses) if (response.ok && response.start >= at && response.start < back) waited.push(response.ms);
  }
  const answered = responses.filter((response) => response.ok).length;
  const refused = errors.ECONNREFUSED ?? 0;
  const failed = Object.entries(errors).filter(([code]) => code !== 'ECONNREFUSED').reduce((sum, [, n]) => sum + n, 0);
  return {
    crashes: crashes.length,
    answered,
    refused,
    failed,
    errors,
    // Sent but neither answered nor failed: lost in a crash without an error (or in flight at the end).
    unanswered: Math.max(0, result.requests.sent - answered - refused - failed - CONNECTIONS),
    p99: result.latency.p99,
    waitedP99: percentile(waited, 99),
    waitedCount: waited.length,
    perSecond: answered / seconds,
  };
}

export async function run(ctx) {
  const variants = VARIANTS.filter((variant) => ctx.systems.has(variant.system));
  const seconds = ctx.config.quick ? 5 : 15;
  const results = await expressRuns(ctx, variants, (variant, port) => load(port, seconds), (variant, outcome) => {
    const perCrash = (n) => (outcome.crashes ? (n / outcome.crashes).toFixed(1) : 'n/a');
    return `${outcome.crashes} crashes, refused ${outcome.refused} (${perCrash(outcome.refused)}/crash), ` +
      `failed ${outcome.failed} ${JSON.stringify(outcome.errors)}, unanswered ${outcome.unanswered}, ` +
      `waited p99 ${millis(outcome.waitedP99, 0)} (${outcome.waitedCount}), p99 ${outcome.p99} ms, ${Math.round(outcome.perSecond)} req/s`;
  });
  const med = (variant, pick) => median(results.get(variant).filter((outcome) => !outcome.error).map(pick));
  const perCrash = (variant, pick) => med(variant, (outcome) => (outcome.crashes ? pick(outcome) / outcome.crashes : NaN));
  const rows = variants.map((variant) => {
    const errors = [...new Set(results.get(variant).map((outcome) => outcome.error).filter(Boolean))];
    return [
      variant.name,
      count(med(variant, (outcome) => outcome.crashes)),
      perCrash(variant, (outcome) => outcome.refused).toFixed(1),
      perCrash(variant, (outcome) => outcome.failed).toFixed(1),
      perCrash(variant, (outcome) => outcome.unanswered).toFixed(1),
      millis(med(variant, (outcome) => outcome.waitedP99), 0),
      millis(med(variant, (outcome) => outcome.p99), 0),
      count(Math.round(med(variant, (outcome) => outcome.perSecond))),
      errors.join('; '),
    ];
  });
  const listen = variants.find((variant) => variant.listen);
  const targets = listen
    ? [{ what: 'keepalive --listen: connections refused per crash', value: perCrash(listen, (o) => o.refused).toFixed(1), target: '0', met: perCrash(listen, (o) => o.refused) === 0 }]
    : [];
  return {
    intro:
      `An unchanged express app (bench/fixtures/express-crash.cjs) under autocannon's load (${CONNECTIONS} connections, ${seconds} s), ` +
      'and a `GET /crash` every second that crashes it; each system restarts it at once. Refused: connections refused ' +
      '(autocannon retries at once, so one gap counts many times). Failed: other errors (resets of requests that were inside ' +
      'the crashing process). Unanswered: requests sent that got neither an answer nor an error (lost in a crash; ' +
      `the ${CONNECTIONS} in flight at the end are not counted). Waited p99: requests sent between a crash and the first answer ` +
      `after it. Medians of ${expressRounds(ctx)} round(s).`,
    table: {
      head: ['system', 'crashes', 'refused per crash', 'failed per crash', 'unanswered per crash', 'waited p99', 'p99 (all)', 'answers/s', 'errors'],
      rows,
    },
    targets,
    summary: variants.map((variant) => `${variant.name}: ${perCrash(variant, (o) => o.refused).toFixed(1)} refused and ${perCrash(variant, (o) => o.failed).toFixed(1)} failed per crash`),
  };
}
