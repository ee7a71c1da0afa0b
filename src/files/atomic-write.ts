import { uniqueId } from './unique-id.js';
import { closeSync, constants, fsyncSync, openSync, renameSync, unlinkSync, writeSync } from 'node:fs';

/** Creates a new file with `mode`, failing if anything (a symlink included) is already at `file`. */
export function createExclusive(file: string, text: string, mode: number): void {
  const fd = openSync(file, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, mode);
  try {
    writeSync(fd, text);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** A name beside `file` that no other process picks. */
export function tempName(file: string): string {
  return `${file}.${process.pid}.${uniqueId()}.tmp`;
}

/**
 * Replaces a file atomically: a fresh temp file (O_EXCL, so never through a symlink), then
 * rename(), which replaces whatever is at `file` (a symlink too) instead of writing through it.
 * A reader sees the old content or the new, never half of it.
 */
export function writeAtomically(file: string, text: string, mode: number): void {
  const temp = tempName(file);
  try {
    createExclusive(temp, text, mode);
    renameSync(temp, file);
  } catch (error) {
    try {
      unlinkSync(temp);
    } catch {
      // Never created, or renamed already.
    }
    throw error;
  }
}
