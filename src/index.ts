export { Monitor } from './monitor.js';
export { KeepaliveError, type KeepaliveErrorCode } from './errors.js';
export {
  formatStatus,
  type ExitInfo,
  type GiveUpReason,
  type MonitorData,
  type MonitorEvents,
  type MonitorState,
  type RestartReason,
  type StatusEvent,
} from './events.js';
export {
  parseSignal,
  resolveOptions,
  signalNumber,
  splitCommand,
  type EnvValue,
  type MonitorOptions,
  type ResolvedOptions,
  type SpawnWithOptions,
} from './options.js';
export { decideRestart, type RestartDecision, type RestartRules, type RunEnd } from './restart-policy.js';
