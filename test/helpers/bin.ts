import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { root } from './paths.js';

/** The bin, as a user runs it. */
export const bin = path.join(root, 'bin', 'keepalive.js');

export interface BinRun {
  readonly process: ChildProcess;
  /** Everything written so far. */
  stdout(): string;
  stderr(): string;
  /** Resolves with the first match of `pattern` in the stream (counting from `from`). */
  waitFor(stream: 'stdout' | 'stderr', pattern: RegExp, from?: number): Promise<RegExpExecArray>;
  /** Settles when the process ended: its exit code, or the signal that ended it. */
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/**
 * Spawns `node bin/keepalive.js ...args` (or `prefix... node bin/keepalive.js ...args`) and
 * collects its output. A run that outlives `timeout` is killed, so that a bug fails a test
 * instead of hanging the suite.
 */
export function runBin(args: readonly string[], options: SpawnOptions & { prefix?: readonly string[]; timeout?: number } = {}): BinRun {
  const { prefix = [], timeout = 20_000, ...spawnOptions } = options;
  const [command, ...words] = [...prefix, process.execPath, bin, ...args] as [string, ...string[]];
  const child = spawn(command, words, { cwd: root, stdio: ['ignore', 'pipe', 'pipe'], ...spawnOptions });
  const text = { stdout: '', stderr: '' };
  const waiters: (() => void)[] = [];
  const wake = (): void => {
    for (const waiter of waiters.splice(0)) waiter();
  };
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
    text.stdout += chunk;
    wake();
  });
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
    text.stderr += chunk;
    wake();
  });
  const killer = setTimeout(() => child.kill('SIGKILL'), timeout);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.on('close', (code, signal) => {
      clearTimeout(killer);
      resolve({ code, signal });
      wake();
    });
  });
  let ended = false;
  void exited.then(() => (ended = true));

  return {
    process: child,
    stdout: () => text.stdout,
    stderr: () => text.stderr,
    exited,
    async waitFor(stream, pattern, from = 0) {
      for (;;) {
        const match = pattern.exec(text[stream].slice(from));
        if (match) return match;
        if (ended) {
          throw new Error(`${stream} never matched ${pattern}; stdout:\n${text.stdout}\nstderr:\n${text.stderr}`);
        }
        await new Promise<void>((resolve) => waiters.push(resolve));
      }
    },
  };
}

/**
 * Waits until a file's content matches: for output that goes to a file, where there is no
 * stream to listen to. Checks every 20 ms, and gives up after `timeout`.
 */
export async function waitForFile(file: string, pattern: RegExp, timeout = 10_000): Promise<string> {
  const deadline = Date.now() + timeout;
  for (;;) {
    const content = existsSync(file) ? readFileSync(file, 'utf8') : '';
    if (pattern.test(content)) return content;
    if (Date.now() > deadline) throw new Error(`${file} never matched ${pattern}; it holds:\n${content}`);
    await delay(20);
  }
}

/** True while a process with this pid exists (a zombie counts as gone only once reaped). */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** The lines of keepalive's status output, without their times. */
export function statusLines(stderr: string): string[] {
  return stderr
    .split('\n')
    .map((line) => /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z keepalive: (.*)$/.exec(line)?.[1])
    .filter((line): line is string => line !== undefined);
}
