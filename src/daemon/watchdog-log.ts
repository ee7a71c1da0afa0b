import { OutputFiles } from '../output/output-files.js';
import type { ResolvedOptions } from '../options/options.js';
import { rotationSettings } from '../output/rotation.js';

/** Where a named watchdog's status lines go: its console (`out`, `err`). */
export interface LogIo {
  out(text: string): void;
  err(text: string): void;
}

/**
 * A detached watchdog's status lines, written by the watchdog itself into its log so that the
 * log rotates by the app's rules. Without rotation they go to the console, which `start -d` made
 * that log (and which is where a crash of the watchdog itself is reported, in any case).
 */
export function watchdogLogIo(console: LogIo, file: string, options: ResolvedOptions): LogIo {
  const rotation = rotationSettings(options);
  if (!rotation) return console;
  const files = new OutputFiles({ logFile: file }, () => {}, { rotation });
  try {
    files.open(false);
  } catch {
    return console;
  }
  const write = (text: string): void => files.write('logFile', Buffer.from(text));
  return { out: write, err: write };
}
