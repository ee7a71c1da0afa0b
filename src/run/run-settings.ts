import type { StdioOptions } from 'node:child_process';
import type { ResolvedOptions } from '../options/options.js';
import { RUN_TAG } from '../processes/stop-processes.js';
import type { OutputFiles } from '../output/output-files.js';
import { planOutput, type Listening } from '../output/output-routing.js';
import { quoteForNodeOptions, type ChildEnvCache } from './child-env.js';
import type { RunSettings } from './child-run.js';
import { planSpawn, type SpawnNeeds } from './spawn-needs.js';

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
 * listens now), its environment, its own process group, the stop's signal and grace time, and
 * what the features need (extra descriptors after the stdio, then the IPC channel, if any).
 */
export function runSettings(
  o: ResolvedOptions,
  files: OutputFiles,
  envs: ChildEnvCache,
  runTag: string,
  listening: Listening,
  needs: readonly SpawnNeeds[],
  hooks: RunHooks,
): RunSettings {
  // shutdownMessage needs the IPC channel it is sent over.
  const output = planOutput(files, { ...o, fork: o.fork || o.shutdownMessage !== undefined }, listening);
  const given: unknown[] = typeof output.stdio === 'string' ? [output.stdio, output.stdio, output.stdio] : [...output.stdio];
  const stdio = given.filter((entry) => entry !== 'ipc');
  const spawn = planSpawn(needs, stdio.length);
  stdio.push(...spawn.fds.map((fd) => fd.source));
  if (spawn.ipc || stdio.length < given.length) stdio.push('ipc');
  const plan = { ...output, stdio: stdio as StdioOptions };
  const line = spawn.wrap ? spawn.wrap(o.command, o.args) : { command: o.command, args: o.args };
  return {
    command: line.command,
    args: line.args,
    spawnOptions: {
      cwd: o.cwd,
      // The run's own tag: a reload's new run has another than the run beside it.
      env: { ...childEnvWith(envs.get(Object.keys(plan.pipes).length > 0), spawn.env, spawn.preloads), [RUN_TAG]: runTag },
      // Its own process group (and session), so that a stop reaches everything it started.
      detached: true,
      windowsHide: true,
      ...o.spawnWith,
    },
    plan,
    extraFds: spawn.fds.flatMap(({ name, fd, source }) => (source === 'pipe' ? [{ name, fd }] : [])),
    files,
    runTag,
    stop: { signal: o.killSignal, ttl: o.killTTL, killTree: o.killTree, onForce: hooks.onForce, message: o.shutdownMessage },
    onStdout: hooks.onStdout,
    onStderr: hooks.onStderr,
    onMessage: hooks.onMessage,
    onError: hooks.onError,
  };
}

/** The child's environment with the features' variables (undefined removes) and preloads. */
function childEnvWith(
  env: Record<string, string | undefined>,
  added: Readonly<Record<string, string | undefined>>,
  preloads: readonly string[],
): Record<string, string | undefined> {
  if (Object.keys(added).length === 0 && preloads.length === 0) return env;
  const merged = { ...env, ...added };
  const required = preloads.map((file) => `--require ${quoteForNodeOptions(file)}`);
  if (required.length > 0) merged.NODE_OPTIONS = [merged.NODE_OPTIONS, ...required].filter(Boolean).join(' ');
  return merged;
}
