// 10. Reload without downtime: an unchanged express app under steady load (autocannon) while it is
// reloaded (or restarted) 20 times, one after another. Failed requests, per system.
import autocannon from 'autocannon';
import { expressRounds, expressRuns } from '../lib/express-runs.mjs';
import { median } from '../lib/util.mjs';
import { count, millis } from '../lib/format.mjs';

export const id = 'reloads';
export const title = 'Reload without downtime: 20 reloads of an express app under load';

const VARIANTS = [
  { name: 'keepalive `--listen`, `reload()`', system: 'keepalive', listen: true, op: 'reload' },
  { name: 'keepalive `--listen`, `restart()`', system: 'keepalive', listen: true, op: 'restart' },
  { name: 'keepalive, `restart()`', system: 'keepalive', op: 'restart' },
  { name: 'pm2 cluster mode, 1 instance, `pm2 reload`', system: 'pm2', pm2Cluster: true, op: 'reload' },
  { name: 'pm2 fork mode, `pm2 reload`', system: 'pm2', op: 'reload' },
];

const CONNECTIONS = 10;
const FETCH_WORKERS = 4;

/**
 * Requests through Node's fetch (undici, keep-alive), which, unlike autocannon, honors
 * `Connection: close`: a client of the kind browsers and proxies are. Until `over()`.
 */
async function fetchLoad(port, over) {
  const counts = { answered: 0, failed: 0, errors: {} };
  const worker = async () => {
    while (!over()) {
      try {
        const response = await fetch(`http://127.0.0.1:${port}/`);
        await response.text();
        if (response.ok) counts.answered += 1;
        else counts.failed += 1;
      } catch (error) {
        const code = error.cause?.code ?? error.message;
        counts.failed += 1;
        counts.errors[code] = (counts.errors[code] ?? 0) + 1;
      }
    }
  };
  await Promise.all(Array.from({ length: FETCH_WORKERS }, worker));
  return counts;
}


/** Load until `reloads` reloads were done; what the clients saw. */
async function underLoad(driver, port, op, reloads) {
  const errors = {};
  let answered = 0;
  const instance = autocannon({ url: `http://127.0.0.1:${port}/`, connections: CONNECTIONS, duration: 3600, timeout: 10 });
  instance.on('reqError', (error) => {
    const code = error.code ?? error.message;
    errors[code] = (errors[code] ?? 0) + 1;
  });
  instance.on('response', (client, status) => {
    if (status >= 200 && status < 300) answered += 1;
  });
  const done = new Promise((resolve, reject) => instance.on('done', resolve).on('error', reject));
  let over = false;
  const fetched = fetchLoad(port, () => over);
  const started = performance.now();
  const failures = [];
  for (let i = 0; i < reloads; i += 1) {
    driver.send({ type: op });
    // A reload that never finishes (pm2's reload has hung here) ends the load instead of the bench.
    let timer;
    const hung = new Promise((resolve) => (timer = setTimeout(() => resolve({ error: `${op} ${i + 1} did not finish in 60 s` }), 60_000)));
    const { error } = await Promise.race([driver.next('reloaded'), hung]).finally(() => clearTimeout(timer));
    if (error) failures.push(error);
    if (error?.includes('did not finish')) break;
  }
  const seconds = (performance.now() - started) / 1000;
  over = true;
  instance.stop();
  const result = await done;
  const viaFetch = await fetched;
  const failed = Object.values(errors).reduce((sum, n) => sum + n, 0);
  return {
    failed,
    errors,
    answered,
    unanswered: Math.max(0, result.requests.sent - answered - failed - CONNECTIONS),
    non2xx: result.non2xx,
    perReload: (seconds * 1000) / reloads,
    failures,
    viaFetch,
  };
}

export async function run(ctx) {
  const variants = VARIANTS.filter((variant) => ctx.systems.has(variant.system));
  const reloads = ctx.config.quick ? 5 : 20;
  const results = await expressRuns(ctx, variants, (variant, port, driver) => underLoad(driver, port, variant.op, reloads), (variant, outcome) =>
    `failed ${outcome.failed} ${JSON.stringify(outcome.errors)}, unanswered ${outcome.unanswered}, ` +
      `non-2xx ${outcome.non2xx}, ${count(outcome.answered)} answered; fetch: ${outcome.viaFetch.failed} failed ` +
      `${JSON.stringify(outcome.viaFetch.errors)} of ${count(outcome.viaFetch.answered + outcome.viaFetch.failed)}; ${millis(outcome.perReload, 0)} per ${variant.op}` +
      `${outcome.failures.length ? `, ${outcome.failures.length} ${variant.op}s failed: ${outcome.failures[0]}` : ''}`,
  );
  const med = (variant, pick) => median(results.get(variant).filter((outcome) => !outcome.error).map(pick));
  const rows = variants.map((variant) => {
    const errors = [...new Set(results.get(variant).flatMap((outcome) => (outcome.error ? [outcome.error] : outcome.failures)))];
    return [
      variant.name,
      count(med(variant, (outcome) => outcome.failed)),
      count(med(variant, (outcome) => outcome.unanswered)),
      count(med(variant, (outcome) => outcome.answered)),
      count(med(variant, (outcome) => outcome.viaFetch.failed)),
      count(med(variant, (outcome) => outcome.viaFetch.answered)),
      millis(med(variant, (outcome) => outcome.perReload), 0),
      errors.slice(0, 2).join('; '),
    ];
  });
  const reload = variants.find((variant) => variant.op === 'reload' && variant.system === 'keepalive');
  const failedReload = reload ? med(reload, (outcome) => outcome.failed + outcome.viaFetch.failed) : NaN;
  return {
    intro:
      `An unchanged express app (bench/fixtures/express-crash.cjs) under autocannon's load (${CONNECTIONS} connections) while it is ` +
      `reloaded or restarted ${reloads} times, one after another (each waits for the last to finish). Failed: requests that got an ` +
      'error (refused, reset); unanswered: sent, neither answered nor failed (the ones in flight when the load stopped not counted). ' +
      'autocannon ignores `Connection: close`: it sends its next request on a connection the server said it would close, ' +
      'so a server that hands its connections over gracefully loses one request per connection to it, unseen by the server. ' +
      `Beside it, ${FETCH_WORKERS} loops of Node's \`fetch\` (undici, keep-alive), which honors \`Connection: close\` as browsers and proxies do. ` +
      `Medians of ${expressRounds(ctx)} round(s).`,
    table: {
      head: ['system', 'autocannon: failed', 'autocannon: unanswered', 'autocannon: answered', 'fetch: failed', 'fetch: answered', 'time per reload', 'errors'],
      rows,
    },
    targets: reload ? [{ what: `keepalive --listen: requests that failed (autocannon and fetch) over ${reloads} reloads`, value: count(failedReload), target: '0', met: failedReload === 0 }] : [],
    summary: variants.map(
      (variant) =>
        `${variant.name}: autocannon ${count(med(variant, (o) => o.failed))} failed, ${count(med(variant, (o) => o.unanswered))} unanswered; ` +
        `fetch ${count(med(variant, (o) => o.viaFetch.failed))} failed`,
    ),
  };
}
