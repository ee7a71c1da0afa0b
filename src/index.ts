export { Monitor, type MonitorEvents } from './monitor.js';
export { checkProcess, kill, start, version } from './compat/forever-exports.js';
export { parseCommand } from './compat/forever-properties.js';
export { KeepaliveError, type KeepaliveErrorCode } from './vocabulary/errors.js';
export {
  formatStatus,
  type ExitInfo,
  type GiveUpReason,
  type MonitorData,
  type MonitorState,
  type RestartReason,
  type StatusEvent,
} from './vocabulary/events.js';
export {
  parseSignal,
  resolveOptions,
  signalNumber,
  splitCommand,
  type ArgValue,
  type CommandParser,
  type EnvValue,
  type HealthCheckSetting,
  type HealthProbe,
  type HealthTiming,
  type MonitorOptions,
  type ReadySetting,
  type ResolvedOptions,
  type SpawnWithOptions,
} from './options/options.js';
export { decideRestart, type RestartDecision, type RestartRules, type RunEnd } from './run/restart-policy.js';
