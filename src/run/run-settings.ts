import type { StdioOptions } from 'node:child_process';
import type { ResolvedOptions } from '../options/options.js';
import type { OutputFiles } from '../output/output-files.js';
import { planOutput, type Listening } from '../output/output-routing.js';
import type { ChildEnvCache } from './child-env.js';
import type { RunSettings } from './child-run.js';
import { planSpawn, type SpawnNeeds } from './spawn-needs.js';

/** What a run tells the monitor: output for listeners, IPC, errors, and pids that outlived killTTL. */
export type RunHooks = Pick<RunSettings, 'onStdout' | 'onStderr' | 'onMessage' | 'onError'> & {
  readonly onForce: (pids: number[]) => void;
};

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
  const output = planOutput(files, o, listening);
  const given: unknown[] = typeof output.stdio === 'string' ? [output.stdio, output.stdio, output.stdio] : [...output.stdio];
  const stdio = given.filter((entry) => entry !== 'ipc');
  const spawn = planSpawn(needs, stdio.length);
  stdio.push(...spawn.fds.map((fd) => fd.source));
  if (spawn.ipc || stdio.length < given.length) stdio.push('ipc');
  const plan = { ...output, stdio: stdio as StdioOptions };
  const env = envs.get(Object.keys(plan.pipes).length > 0);
  return {
    command: o.command,
    args: o.args,
    spawnOptions: {
      cwd: o.cwd,
      env: Object.keys(spawn.env).length > 0 ? { ...env, ...spawn.env } : env,
      // Its own process group (and session), so that a stop reaches everything it started.
      detached: true,
      windowsHide: true,
      ...o.spawnWith,
    },
    plan,
    extraFds: spawn.fds.flatMap(({ name, fd, source }) => (source === 'pipe' ? [{ name, fd }] : [])),
    files,
    runTag,
    stop: { signal: o.killSignal, ttl: o.killTTL, killTree: o.killTree, onForce: hooks.onForce },
    onStdout: hooks.onStdout,
    onStderr: hooks.onStderr,
    onMessage: hooks.onMessage,
    onError: hooks.onError,
  };
}
