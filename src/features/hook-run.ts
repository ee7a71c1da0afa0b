import { spawn } from 'node:child_process';

/** What a hook is told: the same fields go to a command's environment and to `notifyUrl` as JSON. */
export interface HookEvent {
  /** `restart`, `give-up`, `unhealthy` or `memory-limit`. */
  readonly event: HookKind;
  /** The app's name: `id`, or the script's base name. */
  readonly name: string;
  /** The child the event is about, if one had started. */
  readonly pid: number | null;
  readonly exitCode: number | null;
  readonly signal: string | null;
  /** Restarts so far; a restart event counts itself. */
  readonly restarts: number;
  /** How long the last child ran, in ms. */
  readonly uptimeMs: number | null;
  /** Why: a restart's counted reason (`crash`, `memory-limit`, ...), or why the monitor gave up (`max`, ...). */
  readonly reason: string;
  /** Events of this kind that happened while the previous run of the hook ran, folded into this one. */
  readonly coalesced: number;
}

export type HookKind = 'restart' | 'give-up' | 'unhealthy' | 'memory-limit';

/** The environment a hook command gets: `KEEPALIVE_EVENT`, `KEEPALIVE_NAME`, ... (empty for what is unknown). */
export function hookEnvironment(event: HookEvent): Record<string, string> {
  const text = (value: string | number | null): string => (value === null ? '' : String(value));
  return {
    KEEPALIVE_EVENT: event.event,
    KEEPALIVE_NAME: event.name,
    KEEPALIVE_PID: text(event.pid),
    KEEPALIVE_EXIT_CODE: text(event.exitCode),
    KEEPALIVE_SIGNAL: text(event.signal),
    KEEPALIVE_RESTARTS: text(event.restarts),
    KEEPALIVE_UPTIME_MS: text(event.uptimeMs),
    KEEPALIVE_REASON: event.reason,
    KEEPALIVE_COALESCED: text(event.coalesced),
  };
}

/**
 * Runs a hook command beside the watchdog, never through a shell: in its own process group, so
 * that after `timeout` ms SIGKILL reaches it and whatever it started. Its output goes to the
 * watchdog's stderr (a named app's keepalive.log). Settles with what went wrong, or undefined.
 */
export function runHookCommand(command: readonly string[], event: HookEvent, timeout: number): Promise<string | undefined> {
  return new Promise((resolve) => {
    const [program, ...args] = command as [string, ...string[]];
    const child = spawn(program, args, {
      detached: true,
      stdio: ['ignore', 2, 2],
      env: { ...process.env, ...hookEnvironment(event) },
    });
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      try {
        process.kill(-(child.pid as number), 'SIGKILL');
      } catch {
        // Gone between the timer and the kill.
      }
    }, timeout);
    child.once('error', (error) => {
      clearTimeout(timer);
      resolve(`cannot run ${program}: ${error.message}`);
    });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      if (timedOut) resolve(`still running after ${timeout} ms (hookTimeout): its process group got SIGKILL`);
      else if (signal) resolve(`ended by ${signal}`);
      else resolve(code === 0 ? undefined : `exited with code ${code}`);
    });
  });
}

/** POSTs the event as JSON; settles with what went wrong (a refusal, a non-2xx status, a timeout), or undefined. */
export async function postHookEvent(url: string, event: HookEvent, timeout: number): Promise<string | undefined> {
  try {
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(event),
      signal: AbortSignal.timeout(timeout),
    });
    await response.arrayBuffer();
    return response.ok ? undefined : `POST ${url}: HTTP ${response.status}`;
  } catch (error) {
    const why = (error as Error).name === 'TimeoutError' ? `no answer after ${timeout} ms (hookTimeout)` : (error as Error).message;
    return `POST ${url}: ${why}`;
  }
}

/**
 * At most one run at a time: an event that comes while one runs waits, and later ones replace it
 * and are counted, so that a storm of restarts makes two runs of the hook, not a storm.
 */
export class OneAtATime {
  #running = false;
  #waiting: HookEvent | undefined;
  #folded = 0;

  constructor(private readonly run: (event: HookEvent) => Promise<void>) {}

  push(event: HookEvent): void {
    if (this.#running) {
      if (this.#waiting) this.#folded++;
      this.#waiting = event;
      return;
    }
    this.#running = true;
    void this.run(event).finally(() => {
      this.#running = false;
      const next = this.#waiting;
      if (!next) return;
      const folded = this.#folded;
      this.#waiting = undefined;
      this.#folded = 0;
      this.push({ ...next, coalesced: next.coalesced + folded });
    });
  }
}
