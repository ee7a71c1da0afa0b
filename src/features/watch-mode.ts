import path from 'node:path';
import { KeepaliveError } from '../vocabulary/errors.js';
import type { FeatureFactory } from './feature.js';
import { watchFiles } from './watch.js';

/** `watch`: a restart, with the reason `watch`, once per burst of changes in the watched folders. */
export const watchFeature: FeatureFactory = (host) => {
  const o = host.options;
  if (!o.watch) return undefined;
  const own = [o.outFile, o.errFile, o.logFile, o.pidFile].filter((file): file is string => file !== undefined);
  const close = watchFiles(
    {
      directories: o.watchDirectory.map((dir) => path.resolve(o.cwd, dir)),
      ignoreDotFiles: o.watchIgnoreDotFiles,
      ignorePatterns: o.watchIgnorePatterns,
      ignoredPaths: own.map((file) => path.resolve(file)),
      usePolling: o.usePolling,
      pollingInterval: o.pollingInterval,
      quietTime: o.watchDelay,
    },
    (file) => {
      host.status({ type: 'file-changed', file });
      host.restart('watch');
    },
    (error) => host.report(new KeepaliveError('WATCH_FAILED', `watch: ${error.message}`, { cause: error })),
  );
  return { close };
};
