import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseArgs, toFlags, UsageError } from '../../src/cli/args.js';
import { resolveOptions, type MonitorOptions } from '../../src/index.js';

function rejects(options: MonitorOptions, message: RegExp): void {
  assert.throws(() => resolveOptions('app.js', options), (error: Error & { code?: string }) => {
    assert.equal(error.code, 'INVALID_OPTION');
    assert.match(error.message, message);
    return true;
  });
}

test('ready and healthCheck: bad probe settings are errors naming the option and the value', () => {
  rejects({ ready: { http: 'ftp://127.0.0.1/' } }, /^option ready\.http: expected an http:\/\/ or https:\/\/ URL, got "ftp:/);
  rejects({ ready: { tcp: '127.0.0.1:70000' } }, /^option ready\.tcp: expected a "host:port" with a port from 1 to 65535, got "127\.0\.0\.1:70000"/);
  rejects({ ready: 'ready' as never }, /^option ready: expected "message", "notify"/);
  rejects({ readyTimeout: 0 }, /^option readyTimeout: expected a number of milliseconds > 0/);
  rejects({ healthCheck: { http: 'localhost:3000/healthz' } }, /^option healthCheck\.http: expected an http/);
  rejects({ healthCheck: { tcp: 'db:0' } }, /^option healthCheck\.tcp: .*port from 1 to 65535, got "db:0"/);
  rejects({ healthCheck: { http: 'http://127.0.0.1/', period: 500, timeout: 1000 } },
    /^option healthCheck\.period: expected a period >= the timeout \(1000 ms\): probes never overlap, got 500/);
  rejects({ healthCheck: { http: 'http://127.0.0.1/', timeout: 20_000 } }, /^option healthCheck\.period: .*\(20000 ms\).*got 10000/);
  rejects({ healthCheck: { tcp: 'a:1', failureThreshold: 0 } }, /^option healthCheck\.failureThreshold: expected a whole number >= 1, got 0/);
  rejects({ healthCheck: { tcp: 'a:1', http: 'http://a/' } as never }, /^option healthCheck: expected exactly one of http, tcp, exec, heartbeat/);
  rejects({ healthCheck: { tcp: 'a:1', periodSeconds: 5 } as never }, /^option healthCheck: unknown field "periodSeconds"/);
  rejects({ healthCheck: { exec: [] } }, /^option healthCheck\.exec: expected a command/);
  rejects({ healthCheck: { heartbeat: false as never } }, /^option healthCheck\.heartbeat: expected true, got false/);
});

test("healthCheck: Kubernetes' defaults fill the timing; a heartbeat's timeout may exceed the period", () => {
  assert.deepEqual(resolveOptions('app.js', { healthCheck: { tcp: '[::1]:3000' } }).healthCheck,
    { tcp: '[::1]:3000', initialDelay: 0, period: 10_000, timeout: 1000, failureThreshold: 3 });
  assert.deepEqual(resolveOptions('app.js', { healthCheck: { heartbeat: true, timeout: 30_000 } }).healthCheck,
    { heartbeat: true, initialDelay: 0, period: 10_000, timeout: 30_000, failureThreshold: 3 });
  assert.equal(resolveOptions('app.js').readyTimeout, 30_000);
});

test('--ready and --healthCheck: one readable word (and timing words), or JSON; toFlags gives them back', () => {
  const cases: [string[], MonitorOptions][] = [
    [['--ready', 'message'], { ready: 'message' }],
    [['--ready', 'notify', '--readyTimeout', '5s'], { ready: 'notify', readyTimeout: 5000 }],
    [['--ready', 'http://127.0.0.1:3000/ready'], { ready: { http: 'http://127.0.0.1:3000/ready' } }],
    [['--ready', 'tcp:127.0.0.1:3000'], { ready: { tcp: '127.0.0.1:3000' } }],
    [['--healthCheck', 'http://127.0.0.1:3000/healthz period=5s timeout=2s failureThreshold=4 initialDelay=1s'],
      { healthCheck: { http: 'http://127.0.0.1:3000/healthz', period: 5000, timeout: 2000, failureThreshold: 4, initialDelay: 1000 } }],
    [['--healthCheck', 'exec:./check.sh'], { healthCheck: { exec: ['./check.sh'] } }],
    [['--healthCheck', 'heartbeat timeout=3s'], { healthCheck: { heartbeat: true, timeout: 3000 } }],
    [['--healthCheck', '{"exec":["./check.sh","--quick"],"period":2000}'], { healthCheck: { exec: ['./check.sh', '--quick'], period: 2000 } }],
  ];
  for (const [flags, options] of cases) {
    const command = parseArgs(['start', ...flags, 'app.js']);
    assert.equal(command.kind, 'start');
    if (command.kind !== 'start') continue;
    assert.deepEqual(command.options, options, flags.join(' '));
    const again = parseArgs(['start', ...toFlags(command.options), 'app.js']);
    assert.deepEqual(again.kind === 'start' && again.options, options, `toFlags of ${flags.join(' ')}`);
  }
  for (const [flags, message] of [
    [['--ready', 'soon'], /^--ready: expected message, notify, an http:\/\/ URL, tcp:host:port, or JSON, got "soon"$/],
    [['--healthCheck', 'http://a/ period=often'], /^--healthCheck: expected a probe .*, got "http:\/\/a\/ period=often"$/],
    [['--healthCheck', 'udp:1.2.3.4:5'], /^--healthCheck: expected a probe/],
  ] as const) {
    assert.throws(() => parseArgs(['start', ...flags, 'app.js']), (error: Error) => error instanceof UsageError && message.test(error.message));
  }
});
