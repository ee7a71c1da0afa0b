import { accessSync, constants, statSync, unlinkSync } from 'node:fs';
import path from 'node:path';
import { KeepaliveError } from '../vocabulary/errors.js';
import { writeAtomically } from '../files/atomic-write.js';
import { createFolderOf } from '../files/folders.js';
import type { FeatureFactory } from './feature.js';

/** Creates the pid file's folder if it is missing; throws LOG_PATH unless it can be written, before any child runs. */
export function checkPidFileFolder(file: string): void {
  const folder = path.dirname(path.resolve(file));
  try {
    createFolderOf(file);
    if (!statSync(folder).isDirectory()) throw new Error(`${folder} is not a folder`);
    accessSync(folder, constants.W_OK);
  } catch (error) {
    throw new KeepaliveError('LOG_PATH', `pidFile ${JSON.stringify(file)}: ${(error as Error).message}`, { cause: error });
  }
}

/** Writes `pid` atomically, replacing a planted symlink rather than following it. */
export function writePidFile(file: string, pid: number): void {
  writeAtomically(file, `${pid}\n`, 0o644);
}

/** Removes the pid file; a missing one is fine. A symlink is removed, never its target. */
export function removePidFile(file: string): void {
  try {
    unlinkSync(file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
}

/** `pidFile`: the child's pid, written at each start and removed when the monitor ends. */
export const pidFileFeature: FeatureFactory = (host) => {
  const file = host.options.pidFile;
  if (file === undefined) return undefined;
  checkPidFileFolder(file);
  const failed = (error: unknown): void =>
    host.report(new KeepaliveError('OUTPUT_FAILED', `pidFile ${JSON.stringify(file)}: ${(error as Error).message}`, { cause: error }));
  return {
    attachRun({ pid }) {
      try {
        writePidFile(file, pid);
      } catch (error) {
        failed(error);
      }
      return undefined;
    },
    close() {
      try {
        removePidFile(file);
      } catch (error) {
        failed(error);
      }
    },
  };
};
