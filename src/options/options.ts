// The options' public face: what the rest of keepalive imports from this folder.
export type {
  ArgValue, CommandParser, EnvValue, HealthCheckSetting, HealthProbe, HealthTiming, MonitorOptions, ReadySetting, SpawnWithOptions,
} from './types.js';
export type { FlagGroup, FlagKind, FlagSpec, OptionSpec } from './spec.js';
export { OPTION_NAMES, OPTIONS, type OptionName, type ResolvedOptions } from './table.js';
export { PATH_OPTIONS, resolvePaths } from './paths.js';
export { resolveOptions } from './resolve.js';
export { isNodeCommand, parseSignal, showValue, signalNumber, splitCommand } from './values.js';
