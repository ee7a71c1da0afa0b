import path from 'node:path';

/** A file shipped with the package, found from dist/cjs/. */
export function packageFile(...parts: string[]): string {
  return path.join(__dirname, '..', '..', ...parts);
}

/** Loads a CommonJS dependency when it is first needed (see src/package-files.ts). */
export const requireLazily: NodeJS.Require = require;
