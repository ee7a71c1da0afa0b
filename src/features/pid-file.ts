import { accessSync, closeSync, constants, openSync, renameSync, statSync, unlinkSync, writeSync } from 'node:fs';
import path from 'node:path';
import { KeepaliveError } from '../vocabulary/errors.js';
import { createFolderOf } from '../files/folders.js';

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

/**
 * Writes `pid` atomically: a new temporary file (O_EXCL, so never through a planted link), then a
 * rename over the target, which replaces a symlink rather than following it.
 */
export function writePidFile(file: string, pid: number): void {
  const temporary = `${file}.${process.pid}.${Date.now()}.tmp`;
  const fd = openSync(temporary, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, 0o644);
  try {
    writeSync(fd, `${pid}\n`);
  } finally {
    closeSync(fd);
  }
  try {
    renameSync(temporary, file);
  } catch (error) {
    unlinkSync(temporary);
    throw error;
  }
}

/** Removes the pid file; a missing one is fine. A symlink is removed, never its target. */
export function removePidFile(file: string): void {
  try {
    unlinkSync(file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
}
