import { readdirSync } from 'node:fs';
import path from 'node:path';

// An archive of `app.log` is `app.log.20261201T165126.123Z`, and `.gz` after it once compressed.
// The time is fixed-width and in UTC, so that a plain sort, `ls` and `ls -v` all list the archives
// oldest first. No two archives of one file share a time: see nextArchiveTime.

/** One archive of a log file. */
export interface Archive {
  readonly path: string;
  /** Its time, read from its name (ms since the epoch). */
  readonly time: number;
  readonly compressed: boolean;
}

const STAMP = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})\.(\d{3})Z$/;

/** `20261201T165126.123Z` for a time: an ISO time without its dashes and colons (a colon is awkward in a file name). */
export function stampOf(time: number): string {
  return new Date(time).toISOString().replace(/[-:]/g, '');
}

/** The time a stamp stands for, or undefined when it is not one. */
export function timeOfStamp(stamp: string): number | undefined {
  const match = STAMP.exec(stamp);
  if (!match) return undefined;
  const [, year, month, day, hour, minute, second, ms] = match.map(Number) as number[];
  const time = Date.UTC(year as number, (month as number) - 1, day, hour, minute, second, ms);
  return stampOf(time) === stamp ? time : undefined;
}

/** The name of the archive of `file` made at `time`. */
export function archivePath(file: string, time: number): string {
  return `${file}.${stampOf(time)}`;
}

/**
 * The time of the next archive: now, or 1 ms after the newest archive when that is not earlier
 * (two rotations in one millisecond, or a clock that stepped back). Names then stay unique and in
 * the order they were made; after a step back they run ahead of the clock until it catches up.
 */
export function nextArchiveTime(now: number, newest: number | undefined): number {
  return newest === undefined || now > newest ? now : newest + 1;
}

/** The archives of `file` in its folder, oldest first (compressing leftovers, `*.gz.partial`, are not archives). */
export function listArchives(file: string): Archive[] {
  const folder = path.dirname(file);
  const prefix = `${path.basename(file)}.`;
  let names: string[];
  try {
    names = readdirSync(folder);
  } catch {
    return [];
  }
  const archives: Archive[] = [];
  for (const name of names) {
    if (!name.startsWith(prefix)) continue;
    const rest = name.slice(prefix.length);
    const compressed = rest.endsWith('.gz');
    const time = timeOfStamp(compressed ? rest.slice(0, -3) : rest);
    if (time !== undefined) archives.push({ path: path.join(folder, name), time, compressed });
  }
  // The same time twice: an archive and its finished .gz, for the moment before the first is removed.
  return archives.sort((a, b) => a.time - b.time || Number(a.compressed) - Number(b.compressed));
}

/** Leftovers of a compression that was interrupted (the watchdog was killed while it ran). */
export function partialCompressions(file: string): string[] {
  const folder = path.dirname(file);
  const prefix = `${path.basename(file)}.`;
  try {
    return readdirSync(folder)
      .filter((name) => name.startsWith(prefix) && name.endsWith('.gz.partial'))
      .map((name) => path.join(folder, name));
  } catch {
    return [];
  }
}
