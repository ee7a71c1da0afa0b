import { mkdirSync, statSync } from 'node:fs';
import path from 'node:path';

/**
 * Creates the missing folders above a log or pid file, as `mkdir -p` does: mode 0777 less the
 * umask (0755 with the usual 022). Throws what mkdir throws (a file in the way, no permission).
 * One level at a time, from the nearest folder that exists: Node's recursive mkdir never
 * returns for some paths (under /proc, where mkdir says ENOENT).
 */
export function createFolderOf(file: string): void {
  const missing: string[] = [];
  for (let folder = path.dirname(path.resolve(file)); !exists(folder); folder = path.dirname(folder)) {
    missing.unshift(folder);
    if (path.dirname(folder) === folder) break;
  }
  for (const folder of missing) {
    try {
      mkdirSync(folder);
    } catch (error) {
      // Made meanwhile by someone else: fine.
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
  }
}

function exists(folder: string): boolean {
  try {
    statSync(folder);
    return true;
  } catch {
    return false;
  }
}
