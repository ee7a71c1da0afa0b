import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import path from 'node:path';
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
  const killer = setTimeout(() => {
    // SIGTERM first, so that keepalive stops its child: a child left behind would hold the pipes,
    // and this test file, open for ever. Then SIGKILL, and the pipes are let go of in any case.
    child.kill('SIGTERM');
    setTimeout(() => {
      child.kill('SIGKILL');
      child.stdout?.destroy();
      child.stderr?.destroy();
    }, 5000).unref();
  }, timeout);
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
