// Waiting for what has no event to listen to (a file's content, /proc, another process's record):
// one poll loop, checked every few ms, always with a bound.
import { existsSync, readFileSync } from 'node:fs';
import { setTimeout as delay } from 'node:timers/promises';

const EVERY_MS = 20;

/** Checks `done` until it holds or `ms` passed; resolves with whether it held. Checks at least once. */
export async function poll(done: () => boolean | Promise<boolean>, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  for (;;) {
    if (await done()) return true;
    if (Date.now() >= deadline) return false;
    await delay(EVERY_MS);
  }
}

/** Polls until `done` holds, or fails the test after `ms`, saying what it waited for. */
export async function until(what: string | (() => string), done: () => boolean | Promise<boolean>, ms = 15_000): Promise<void> {
  if (await poll(done, ms)) return;
  throw new Error(`timed out after ${ms} ms waiting for ${typeof what === 'string' ? what : what()}`);
}

/** Waits until a file's content matches (a missing file reads as empty), and returns the content. */
export async function waitForFile(file: string, pattern: RegExp, ms = 15_000): Promise<string> {
  let content = '';
  await until(
    () => `${file} to match ${pattern}; it holds:\n${content}`,
    () => pattern.test((content = existsSync(file) ? readFileSync(file, 'utf8') : '')),
    ms,
  );
  return content;
}

/** A promise that rejects after `ms` with `what`: for awaits that must not hang a test. */
export function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  const timeout = new AbortController();
  return Promise.race([
    promise.finally(() => timeout.abort()),
    delay(ms, undefined, { signal: timeout.signal, ref: false }).then(
      () => Promise.reject(new Error(`${what}: not within ${ms} ms`)),
      () => new Promise<never>(() => {}),
    ),
  ]);
}
