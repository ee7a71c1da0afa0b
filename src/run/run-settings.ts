import type { ResolvedOptions } from '../options/options.js';
import { RUN_TAG } from '../processes/stop-processes.js';
import type { OutputFiles } from '../output/output-files.js';
import { planOutput, type Listening } from '../output/output-routing.js';
import type { ChildEnvCache } from './child-env.js';
import type { RunSettings } from './child-run.js';
import { envWith, stdioWith, type SpawnAdditions } from './spawn-additions.js';

/** What a run tells the monitor: output for listeners, IPC, errors, and pids that outlived killTTL. */
export type RunHooks = Pick<RunSettings, 'onStdout' | 'onStderr' | 'onMessage' | 'onError'> & {
  readonly onForce: (pids: number[]) => void;
};

/** How a graceful stop asks, for the status line: `SIGTERM`, or `message "shutdown"`. */
export function stopRequest(o: Pick<ResolvedOptions, 'killSignal' | 'shutdownMessage'>): string {
  return o.shutdownMessage === undefined ? String(o.killSignal) : `message ${JSON.stringify(o.shutdownMessage)}`;
}

/**
 * How one child is spawned and stopped: where its output goes (decided per run, from who
 * listens now), its environment, its own process group, and the stop's signal and grace time.
 */
export function runSettings(
  o: ResolvedOptions,
  files: OutputFiles,
  envs: ChildEnvCache,
  runTag: string,
  listening: Listening,
  hooks: RunHooks,
  additions: SpawnAdditions,
): RunSettings {
  // shutdownMessage needs the IPC channel it is sent over.
  const planned = planOutput(files, { ...o, fork: o.fork || o.shutdownMessage !== undefined }, listening);
  // What the features add at spawn (sockets: descriptors from fd 3, LISTEN_* variables, a preload).
  const plan = { ...planned, stdio: stdioWith(planned.stdio, additions.fds) };
  const line = additions.wrap ? additions.wrap(o.command, o.args) : { command: o.command, args: o.args };
  return {
    command: line.command,
    args: line.args,
    spawnOptions: {
      cwd: o.cwd,
      // The run's own tag: a reload's new run has another than the run beside it.
      env: { ...envWith(envs.get(Object.keys(plan.pipes).length > 0), additions), [RUN_TAG]: runTag },
      // Its own process group (and session), so that a stop reaches everything it started.
      detached: true,
      windowsHide: true,
      ...o.spawnWith,
    },
    plan,
    files,
    runTag,
    stop: { signal: o.killSignal, ttl: o.killTTL, killTree: o.killTree, onForce: hooks.onForce, message: o.shutdownMessage },
    onStdout: hooks.onStdout,
    onStderr: hooks.onStderr,
    onMessage: hooks.onMessage,
    onError: hooks.onError,
  };
}
