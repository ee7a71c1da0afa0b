import path from 'node:path';
import { OPTION_NAMES, OPTIONS, type OptionName } from './table.js';

/** The options that are paths: in a config file, relative to its folder. */
export const PATH_OPTIONS: readonly OptionName[] = OPTION_NAMES.filter((name) => 'path' in OPTIONS[name]);

/**
 * The options with every relative path made absolute from `folder` (a config file's, or the
 * folder `keepalive unit` runs in). Values that are not strings are left to the validation.
 */
export function resolvePaths<T extends object>(options: T, folder: string): T {
  const resolved = { ...options } as Record<string, unknown>;
  const absolute = (item: unknown): unknown => (typeof item === 'string' ? path.resolve(folder, item) : item);
  for (const name of PATH_OPTIONS) {
    const value = resolved[name];
    if (typeof value === 'string') resolved[name] = absolute(value);
    else if (Array.isArray(value)) resolved[name] = value.map(absolute);
  }
  return resolved as T;
}
