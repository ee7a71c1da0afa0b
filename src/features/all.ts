import type { FeatureFactory } from './feature.js';
import { cronRestartFeature } from './cron-restart.js';
import { hooksFeature } from './hooks.js';
import { memoryLimitFeature } from './memory-limit.js';
import { metricsFeature } from './metrics.js';
import { healthFeature } from './health.js';
import { pidFileFeature } from './pid-file.js';
import { readinessFeature } from './readiness.js';
import { systemdFeature } from './systemd.js';
import { watchFeature } from './watch-mode.js';

/**
 * Every feature on the run seam, in the order they attach (and detach, reversed). Readiness comes
 * first, so that its notification pipe gets the first free descriptor (3).
 */
export const FEATURES: readonly FeatureFactory[] = [
  readinessFeature, healthFeature, systemdFeature, pidFileFeature, watchFeature, cronRestartFeature, memoryLimitFeature, metricsFeature,
  hooksFeature,
];
