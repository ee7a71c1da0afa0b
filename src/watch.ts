// Placeholder until the watch module lands: the signature the monitor calls.
export interface WatchSettings {
  readonly directories: readonly string[];
  readonly ignoreDotFiles: boolean;
  readonly ignorePatterns: readonly string[];
  /** keepalive's own log and pid files: changes to them never restart the child. */
  readonly ignoredPaths: readonly string[];
  readonly usePolling: boolean;
  readonly pollingInterval: number;
}

/** Calls `onChange` once per burst of changes; returns the function that closes the watcher. */
export function watchFiles(_settings: WatchSettings, _onChange: (file: string) => void, _onError: (error: Error) => void): () => Promise<void> {
  throw new Error('watch is not implemented yet');
}
