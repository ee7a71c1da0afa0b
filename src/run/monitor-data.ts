import type { ResolvedOptions } from '../options/options.js';
import type { MonitorData, MonitorState } from '../vocabulary/events.js';

/** What changes while a monitor lives; the rest of `data` comes from its options. */
export interface MonitorNow {
  readonly ctime: number | undefined;
  readonly pid: number | undefined;
  readonly running: boolean;
  readonly restarts: number;
  readonly state: MonitorState;
}

/** forever-monitor's `data`: what runs, where, and how often it restarted. */
export function monitorData(o: ResolvedOptions, now: MonitorNow): MonitorData {
  return {
    ctime: now.ctime,
    // As forever-monitor: the command as given, flags and all, and the arguments after the script.
    command: o.commandAsGiven,
    file: o.file,
    foreverPid: process.pid,
    logFile: o.logFile,
    args: o.file === undefined ? [...o.scriptArgs] : o.scriptArgs.slice(1),
    pid: now.pid,
    silent: o.silent,
    uid: o.uid,
    id: o.id,
    spawnWith: { ...o.spawnWith },
    running: now.running,
    restarts: now.restarts,
    // As node:cluster decides it, without loading it: a cluster worker has NODE_UNIQUE_ID.
    isMaster: process.env.NODE_UNIQUE_ID === undefined,
    state: now.state,
    ...(o.pidFile && { pidFile: o.pidFile }),
    ...(o.outFile && { outFile: o.outFile }),
    ...(o.errFile && { errFile: o.errFile }),
    ...(Object.keys(o.env).length > 0 && { env: { ...o.env } }),
    cwd: o.cwd,
    ...(o.sourceDir && { sourceDir: o.sourceDir }),
  };
}
