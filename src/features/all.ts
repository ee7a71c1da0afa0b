import type { FeatureFactory } from './feature.js';
import { cronRestartFeature } from './cron-restart.js';
import { hooksFeature } from './hooks.js';
import { memoryLimitFeature } from './memory-limit.js';
import { metricsFeature } from './metrics.js';
import { pidFileFeature } from './pid-file.js';
import { watchFeature } from './watch-mode.js';

/** Every feature on the run seam, in the order they attach (and detach, reversed). */
export const FEATURES: readonly FeatureFactory[] = [
  pidFileFeature, watchFeature, cronRestartFeature, memoryLimitFeature, metricsFeature, hooksFeature,
];
