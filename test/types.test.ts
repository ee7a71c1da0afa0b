// Compiled with the rest of the tests: each @ts-expect-error line must be a type error, or the
// build fails. So a wrong event name or payload cannot compile.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Monitor, type MonitorOptions } from '../src/index.js';

function typeChecks(monitor: Monitor): void {
  monitor.on('exit:code', (code: number | null, signal: NodeJS.Signals | null) => void [code, signal]);
  monitor.on('exit', (m: Monitor, spinning: boolean) => void [m, spinning]);
  monitor.on('stdout', (chunk: Buffer) => void chunk);
  // @ts-expect-error: no such event
  monitor.on('exited', () => {});
  // @ts-expect-error: exit:code gives a code, not a string
  monitor.on('exit:code', (code: string) => void code);
  // @ts-expect-error: stdout chunks are Buffers
  monitor.on('stdout', (chunk: number) => void chunk);
  // @ts-expect-error: emit checks the payload too
  monitor.emit('restart', 'not a monitor');
  // @ts-expect-error: a misspelt option
  const misspelt: MonitorOptions = { minUpTime: 5 };
  // @ts-expect-error: killSignal is a signal name or number
  const badSignal: MonitorOptions = { killSignal: 'SIGNOPE' };
  monitor.on('ready', ({ pid, after }: { pid: number; after: number }) => void [pid, after]);
  // @ts-expect-error: ready gives { pid, after }, not a number
  monitor.on('ready', (after: number) => void after);
  // @ts-expect-error: a health check needs a probe (http, tcp, exec or heartbeat), not only its timing
  const twoKinds: MonitorOptions = { healthCheck: { period: 5000 } };
  // @ts-expect-error: ready is 'message', 'notify', { http } or { tcp }
  const badReady: MonitorOptions = { ready: 'listening' };
  void [misspelt, badSignal, twoKinds, badReady];
}

test('the event map and options are typed (checked at compile time)', () => {
  assert.equal(typeof typeChecks, 'function');
});
