import { createReadStream, createWriteStream, existsSync, renameSync, rmSync, unlinkSync } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';

// Archives are compressed beside the writer, never in its path: zlib does its work on libuv's
// thread pool, the files are read and written by streams, and one archive is compressed at a time
// (in order), so that compression never competes with the output for more than one core.

let queue: Promise<void> = Promise.resolve();

/**
 * Compresses `archive` into `archive.gz`: written under a temporary name (`.gz.partial`), renamed
 * when complete, and only then is the archive removed, so that at every moment one whole copy
 * exists. An archive removed meanwhile (by `maxLogFiles`) is not brought back.
 */
export function compressLater(archive: string, report: (error: Error) => void): void {
  queue = queue.then(() => gzip(archive)).catch(report);
}

/** Settles when every compression asked for so far has finished (a foreground keepalive waits for it before it exits). */
export function compressionsFinished(): Promise<void> {
  return queue;
}

async function gzip(archive: string): Promise<void> {
  const partial = `${archive}.gz.partial`;
  try {
    await pipeline(createReadStream(archive), createGzip(), createWriteStream(partial, { mode: 0o644 }));
  } catch (error) {
    rmSync(partial, { force: true });
    // Gone before it could be compressed: removed as one too many.
    if ((error as NodeJS.ErrnoException).code === 'ENOENT' && !existsSync(archive)) return;
    throw error;
  }
  if (!existsSync(archive)) {
    rmSync(partial, { force: true });
    return;
  }
  renameSync(partial, `${archive}.gz`);
  unlinkSync(archive);
}
