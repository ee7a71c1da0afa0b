// Compiled with the rest of the tests: each @ts-expect-error line must be a type error, or the
// build fails. So a wrong event name or payload cannot compile.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { checkProcess, kill, Monitor, start, version, type CommandParser, type MonitorOptions } from '../src/index.js';

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

/** forever-monitor's API, typed: its exports, its properties (read-only), numeric args, `options`, `parser`. */
function foreverChecks(monitor: Monitor): void {
  const started: Monitor = start(['perl', '-le', 'print "moo"'], { max: 1, silent: true, args: ['-p', 8090, true] });
  const alive: boolean = checkProcess(1234) || checkProcess('1234');
  const sent: Promise<void> = kill(1234, true, 'SIGTERM', () => {});
  const text: string = version;
  const [max, args, command, watchDirectory]: [number, readonly string[], string, string | readonly string[]] =
    [monitor.max, monitor.args, monitor.command, monitor.watchDirectory];
  const parser: CommandParser = (program, words) => ({ command: program, args: [...words, 1] });
  const old: MonitorOptions = { options: ['--port', 80], parser, spawnWith: { customFds: [-1, -1, -1], setsid: false, shell: false } };
  void [started, alive, sent, text, max, args, command, watchDirectory, old];
  // @ts-expect-error: the options are read-only properties
  monitor.max = 3;
  // @ts-expect-error: args holds strings once resolved
  const numbers: number[] = monitor.args;
  // @ts-expect-error: an object cannot be an argument
  const badArgs: MonitorOptions = { args: [{ port: 80 }] };
  // @ts-expect-error: parser returns { command, args }
  const badParser: MonitorOptions = { parser: () => 'node' };
  // @ts-expect-error: keepalive never runs a shell
  const shell: MonitorOptions = { spawnWith: { shell: true } };
  // @ts-expect-error: kill takes a pid
  void kill({ pid: 1 });
  void [numbers, badArgs, badParser, shell];
}

test('the event map and options are typed (checked at compile time)', () => {
  assert.equal(typeof typeChecks, 'function');
  assert.equal(typeof foreverChecks, 'function');
});
