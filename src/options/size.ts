import { invalid } from './values.js';

// Sizes as people write them for memory limits and log files: a number and a binary unit.
// `512M`, `512MB` and `512MiB` all mean 512 x 1024 x 1024 bytes, as pm2's `512M` does. A bare
// number is refused: pm2 users mean megabytes by it, pm2 itself reads bytes, and guessing either
// way is wrong for someone. (The `bytes` package reads "10M" as 10, so it is not used.)

const UNITS: Readonly<Record<string, number>> = { b: 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3, t: 1024 ** 4 };
const SIZE = /^\s*(\d+(?:\.\d+)?)\s*(?:([kmgt])(?:i?b)?|(b))\s*$/i;

/** The bytes a size means, or undefined when the text is not a size. */
export function sizeInBytes(text: string): number | undefined {
  const match = SIZE.exec(text);
  if (!match) return undefined;
  const unit = (match[2] ?? match[3] ?? '').toLowerCase();
  const bytes = Math.floor(Number(match[1]) * (UNITS[unit] ?? NaN));
  return Number.isSafeInteger(bytes) && bytes > 0 ? bytes : undefined;
}

/** The option check for a size: kept as written (`'512M'`); `sizeInBytes` reads it where it is used. */
export function size(name: string, value: unknown): string {
  if (typeof value === 'number' || (typeof value === 'string' && /^\s*\d+(?:\.\d+)?\s*$/.test(value))) {
    throw invalid(name, value, `a size with a unit, such as "${String(value).trim()}M" (K, M, G: 1024-based; B for bytes)`);
  }
  if (typeof value !== 'string' || sizeInBytes(value) === undefined) {
    throw invalid(name, value, 'a size above 0 with a unit: "512K", "10M", "1.5G", "512MiB" or "4096B"');
  }
  return value;
}
