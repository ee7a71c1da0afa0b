import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

/** A file shipped with the package, found from dist/esm/ (or build/src/ in tests). */
export function packageFile(...parts: string[]): string {
  return fileURLToPath(new URL(`../../${parts.join('/')}`, import.meta.url));
}

/**
 * Loads a CommonJS dependency when it is first needed (chokidar for watch mode, tree-kill
 * without /proc, cross-spawn on Windows), so that a watchdog that does not use it does not
 * carry it: each costs about 1 to 2 MiB of memory per watchdog.
 */
export const requireLazily: NodeJS.Require = createRequire(import.meta.url);
