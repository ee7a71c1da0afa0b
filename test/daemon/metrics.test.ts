import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { Monitor } from '../../src/index.js';
import { memoryBackstop } from '../../src/daemon/unit.js';
import { metricsText } from '../../src/output/metrics-text.js';
import { nextEvent } from '../helpers/events.js';
import { fixture, tempDir } from '../helpers/paths.js';
import { sandbox } from '../helpers/sandbox.js';

const app = fixture('daemon-app.js');
const FAST = ['--minUptime', '200', '--killTTL', '2s'];
const LAST_TYPE = '# TYPE keepalive_start_time_seconds gauge';

const promtool = ((): string | false => {
  const probe = spawnSync('promtool', ['--version'], { encoding: 'utf8' });
  return probe.status === 0 ? false : 'promtool is not installed (Debian package prometheus; scripts/install-system-tools.sh installs it)';
})();

/** promtool's verdict on a metrics text: its output, empty when it passes. */
function promtoolCheck(text: string): { status: number | null; output: string } {
  const run = spawnSync('promtool', ['check', 'metrics'], { input: text, encoding: 'utf8' });
  return { status: run.status, output: `${run.stdout}${run.stderr}` };
}

/** The value of one sample line (`name{labels} value`), or undefined. */
function sample(text: string, series: string): number | undefined {
  const line = text.split('\n').find((each) => each.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

describe('metrics', () => {
  it('the text: each family with HELP and TYPE, app labels escaped; promtool passes it', { skip: promtool }, () => {
    const text = metricsText([
      { app: 'api', up: true, restarts: { crash: 2, cron: 1 }, memoryBytes: 1234, cpuSeconds: 1.5, lastExitStatus: 137, startTimeSeconds: 1_700_000_000 },
      { app: 'odd "name"\\', up: false, restarts: {}, memoryBytes: undefined, cpuSeconds: 0, lastExitStatus: undefined, startTimeSeconds: undefined },
    ]);
    assert.equal(sample(text, 'keepalive_restarts_total{app="api",reason="cron"}'), 1);
    assert.equal(sample(text, 'keepalive_up{app="odd \\"name\\"\\\\"}'), 0);
    assert.deepEqual(promtoolCheck(text), { status: 0, output: '' });
  });

  it('values move as the app restarts; the file is never seen half-written', async () => {
    const dir = tempDir();
    const file = path.join(dir, 'prom', 'app.prom');
    const reader = spawn(process.execPath, [fixture('read-loop.js'), file, LAST_TYPE], { stdio: ['ignore', 'pipe', 'inherit'] });
    let readerOut = '';
    reader.stdout.on('data', (chunk: Buffer) => (readerOut += chunk.toString()));
    await once(reader.stdout, 'data');
    const monitor = new Monitor(fixture('exit-with.js'), { silent: true, args: ['5'], max: 40, spinSleepTime: 0, metricsFile: file, id: 'app' });
    const exit = nextEvent(monitor, 'exit');
    monitor.start();
    await exit;
    reader.kill('SIGTERM');
    await once(reader, 'close');
    const [reads, bad] = (readerOut.split('\n')[1] ?? '').split(' ').map(Number);
    assert.equal(bad, 0, `a reader saw a half-written file:\n${readerOut}`);
    assert.ok((reads ?? 0) > 40, `the reader read while the file was rewritten: ${reads} reads`);
    const text = readFileSync(file, 'utf8');
    assert.equal(sample(text, 'keepalive_restarts_total{app="app",reason="crash"}'), 39);
    assert.equal(sample(text, 'keepalive_up{app="app"}'), 0);
    assert.equal(sample(text, 'keepalive_last_exit_status{app="app"}'), 5);
    assert.equal(sample(text, 'keepalive_child_memory_bytes{app="app"}'), undefined, 'no child, no memory');
  });

  it('named apps: list --json splits restarts by reason with CPU and memory; keepalive metrics has them all; promtool passes', async (t) => {
    const box = sandbox();
    assert.equal((await box.run(['start', '-d', '--name', 'one', ...FAST, app, box.marker])).code, 0);
    assert.equal((await box.run(['start', '-d', '--name', 'two', ...FAST, app, box.marker])).code, 0);
    assert.equal((await box.run(['restart', 'one'])).code, 0);
    const list = JSON.parse((await box.run(['list', '--json'])).stdout) as Record<string, unknown>[];
    const one = list.find((entry) => entry.name === 'one');
    assert.ok(one);
    assert.equal(one.restarts, 1);
    assert.deepEqual(one.restartsByReason, { crash: 0, 'memory-limit': 0, unhealthy: 0, requested: 1, watch: 0 });
    assert.equal(typeof one.cpuPercent, 'number');
    assert.ok((one.memoryBytes as number) > 5 * 1024 * 1024, `a node child's tree: ${String(one.memoryBytes)}`);

    const metrics = await box.run(['metrics']);
    assert.equal(metrics.code, 0, metrics.stderr);
    assert.equal(sample(metrics.stdout, 'keepalive_restarts_total{app="one",reason="requested"}'), 1);
    assert.equal(sample(metrics.stdout, 'keepalive_up{app="one"}'), 1);
    assert.equal(sample(metrics.stdout, 'keepalive_up{app="two"}'), 1);
    assert.equal(metrics.stdout.split('\n').filter((line) => line === '# TYPE keepalive_up gauge').length, 1, 'each family once');
    if (promtool) t.diagnostic(`promtool skipped: ${promtool}`);
    else assert.deepEqual(promtoolCheck(metrics.stdout), { status: 0, output: '' });

    assert.equal((await box.run(['stop', 'all'])).code, 0);
    const after = await box.run(['metrics']);
    assert.equal(sample(after.stdout, 'keepalive_up{app="one"}'), 0);
    assert.equal(sample(readFileSync(path.join(box.home, 'metrics', 'two.prom'), 'utf8'), 'keepalive_up{app="two"}'), 0);
  });

  it('unit --maxMemory: MemoryMax= a quarter above the limit plus 64 MiB', async () => {
    assert.equal(memoryBackstop(512 * 1024 * 1024), 704);
    assert.equal(memoryBackstop(100 * 1024 * 1024), 189);
    const box = sandbox();
    const unit = await box.run(['unit', '--maxMemory', '1G', app]);
    assert.equal(unit.code, 0, unit.stderr);
    assert.ok(unit.stdout.split('\n').includes('MemoryMax=1344M'), unit.stdout);
    const without = await box.run(['unit', app]);
    assert.ok(!without.stdout.includes('MemoryMax='));
  });
});
