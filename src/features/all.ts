import type { FeatureFactory } from './feature.js';
import { cronRestartFeature } from './cron-restart.js';
import { hooksFeature } from './hooks.js';
import { listenFeature } from './listen-sockets.js';
import { memoryLimitFeature } from './memory-limit.js';
import { metricsFeature } from './metrics.js';
import { healthFeature } from './health.js';
import { pidFileFeature } from './pid-file.js';
import { readinessFeature } from './readiness.js';
import { systemdFeature } from './systemd.js';
import { watchFeature } from './watch-mode.js';

/**
 * Every feature on the run seam, in the order they attach (and detach, reversed). The order
 * numbers the child's extra descriptors: listen comes first, so that its sockets get fds 3, 4, ...
 * (systemd's convention, which LISTEN_FDS readers assume); readiness next, so that its
 * notification pipe follows them (and must stay below 10: the seam refuses more sockets at start).
 */
export const FEATURES: readonly FeatureFactory[] = [
  listenFeature, readinessFeature, healthFeature, systemdFeature, pidFileFeature, watchFeature, cronRestartFeature,
  memoryLimitFeature, metricsFeature, hooksFeature,
];
