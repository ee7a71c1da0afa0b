import { randomUUID } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { after } from 'node:test';
import { setTimeout as delay } from 'node:timers/promises';
import { runBin } from './bin.js';
import { tempDir } from './paths.js';

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
}

/** Polls until `done` holds, or fails the test after `ms`. */
export async function until(what: string, done: () => boolean | Promise<boolean>, ms = 15_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await done())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await delay(20);
  }
}

function cmdline(pid: string): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8');
  } catch {
    return '';
  }
}

function isZombie(pid: string): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'latin1');
    return /^[ZX]$/.test(stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3));
  } catch {
    return true;
  }
}

/**
 * A fresh home, removed at the end; whatever still runs with the marker is SIGKILLed then too,
 * so that a failing test leaves nothing behind.
 */
export function sandbox(below = ''): Sandbox {
  const home = path.join(tempDir('keepalive-daemon-'), below);
  const marker = `marker-${randomUUID()}`;
  const processes = (): number[] =>
    readdirSync('/proc')
      .filter((name) => /^\d+$/.test(name) && cmdline(name).includes(marker) && !isZombie(name))
      .map(Number);
  after(() => {
    for (const pid of processes()) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // Gone.
      }
    }
  });
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
  };
}

/** True while a process runs (a zombie is dead). */
export function alive(pid: number): boolean {
  return !isZombie(String(pid));
}
