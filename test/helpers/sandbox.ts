import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { after } from 'node:test';
import { runBin } from './bin.js';
import { tempDir } from './paths.js';
import { waitForFile } from './polling.js';
import { killAll, liveProcesses } from './processes.js';

export interface Result {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** A temporary KEEPALIVE_HOME, and a marker word that every process a test starts carries. */
export interface Sandbox {
  readonly home: string;
  readonly marker: string;
  /** `keepalive ...args` with this home (in `cwd`, by default the project's root); settles when the command ends. */
  run(args: readonly string[], timeout?: number, cwd?: string): Promise<Result>;
  /** The record of a name, parsed. */
  record(name: string): Record<string, unknown> & { watchdogPid: number; childPid: number | null };
  /** The pids of living processes whose command line holds the marker (watchdogs and children). */
  processes(): number[];
  /** The status `list --json` shows for a name; undefined if it lists no such name. */
  status(name: string): Promise<string | undefined>;
  /** Waits until the stdout log of a name matches `pattern` (a fixture's ready line), and returns it. */
  waitForOut(name: string, pattern: RegExp): Promise<string>;
}

/**
 * A fresh home, removed at the end; whatever still runs with the marker is SIGKILLed then too,
 * so that a failing test leaves nothing behind.
 */
export function sandbox(below = ''): Sandbox {
  const home = path.join(tempDir('keepalive-daemon-'), below);
  const marker = `marker-${randomUUID()}`;
  const processes = (): number[] => liveProcesses(marker);
  after(() => killAll(processes()));
  return {
    home,
    marker,
    processes,
    async run(args, timeout = 60_000, cwd?: string) {
      const run = runBin(args, { env: { ...process.env, KEEPALIVE_HOME: home }, timeout, ...(cwd === undefined ? {} : { cwd }) });
      const { code } = await run.exited;
      return { code, stdout: run.stdout(), stderr: run.stderr() };
    },
    async status(name) {
      const list = JSON.parse((await this.run(['list', '--json'])).stdout) as { name: string; status: string }[];
      return list.find((entry) => entry.name === name)?.status;
    },
    record(name) {
      return JSON.parse(readFileSync(`${home}/${name}.json`, 'utf8')) as ReturnType<Sandbox['record']>;
    },
    waitForOut(name, pattern) {
      return waitForFile(path.join(home, 'logs', `${name}.out.log`), pattern);
    },
  };
}
