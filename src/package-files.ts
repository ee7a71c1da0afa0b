import { fileURLToPath } from 'node:url';

/** A file shipped with the package, found from dist/esm/ (or build/src/ in tests). */
export function packageFile(...parts: string[]): string {
  return fileURLToPath(new URL(`../../${parts.join('/')}`, import.meta.url));
}
