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
  void [misspelt, badSignal];
}

test('the event map and options are typed (checked at compile time)', () => {
  assert.equal(typeof typeChecks, 'function');
});
