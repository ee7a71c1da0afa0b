import { statSync } from 'node:fs';
import path from 'node:path';
import { isNodeCommand, type ResolvedOptions } from '../options/options.js';

/**
 * The node script a monitor would run, as an absolute path, if it does not exist: reported
 * before anything runs or any file is made. Undefined when it exists, when `checkFile` is off,
 * or for another program, whose arguments are its own business.
 */
export function missingScript(options: Pick<ResolvedOptions, 'checkFile' | 'file' | 'command' | 'cwd'>): string | undefined {
  if (!options.checkFile || options.file === undefined || !isNodeCommand(options.command)) return undefined;
  const file = path.resolve(options.cwd, options.file);
  try {
    statSync(file);
    return undefined;
  } catch {
    return file;
  }
}
