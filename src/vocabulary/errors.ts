/** What went wrong, as a stable string a caller can branch on. */
export type KeepaliveErrorCode =
  /** An option has a wrong type or value; the message names the option and the value. */
  | 'INVALID_OPTION'
  /** A function was given a wrong argument (`kill()` without a pid); the message names it and the value. */
  | 'INVALID_ARGUMENT'
  /** A log or pid file's folder is missing or cannot be written. */
  | 'LOG_PATH'
  /** The `envFile` cannot be read (at `start()`, or reported at a restart, which keeps the last variables). */
  | 'ENV_FILE'
  /** The script to run with node does not exist. */
  | 'SCRIPT_NOT_FOUND'
  /** The command could not be spawned (ENOENT, EACCES, ...): see `cause`. */
  | 'SPAWN_FAILED'
  /** `reload()`: the new child failed (spawn, exit before it was ready), or no child was running to reload. */
  | 'RELOAD_FAILED'
  /** A `listen` socket could not be created or bound (EADDRINUSE, EACCES, ...). */
  | 'LISTEN'
  /** The watcher could not watch (a missing folder, too many watches): see `cause`. */
  | 'WATCH_FAILED'
  /** A write to an output file failed (a full disk, a removed mount): see `cause`. */
  | 'OUTPUT_FAILED'
  /** systemd could not be told (`READY=1`, `WATCHDOG=1`): `systemd-notify` is missing or failed. */
  | 'SYSTEMD_NOTIFY'
  /** `start()` while a child is running, waiting to restart or stopping. */
  | 'ALREADY_RUNNING'
  /** `stop()`, `kill()` or `send()` before the first `start()`. */
  | 'NOT_STARTED'
  /** `send()` with no child alive, or one spawned without an IPC channel. */
  | 'NO_IPC'
  /** `start()` or `restart()` while a final stop is under way. */
  | 'STOPPING'
  /** A pending `restart()` was overtaken by `stop()` or by the monitor giving up. */
  | 'SUPERSEDED';

/** The one error class keepalive throws, rejects with or emits. */
export class KeepaliveError extends Error {
  override readonly name = 'KeepaliveError';
  readonly code: KeepaliveErrorCode;

  constructor(code: KeepaliveErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }
}

/** The errno-style code of a Node.js system error, if it has one. */
export function errnoCode(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}
