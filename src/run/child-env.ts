import { packageFile } from '../package-files.js';
import { RUN_TAG } from '../processes/stop-processes.js';
import { quoteForNodeOptions } from './spawn-additions.js';

export interface EnvSettings {
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly hideEnv: readonly string[];
  /** Marks every process of this monitor's children (see stop-processes.ts). */
  readonly runTag: string;
}

/**
 * The child's environment: process.env less `hideEnv`, then `env` on top (undefined removes).
 * When keepalive reads the child's output from pipes, node processes in the child's tree load
 * preload/blocking-stdio.cjs, so that a crash cannot drop output Node had queued (see there).
 */
export function childEnv(settings: EnvSettings, readsPipes: boolean): Record<string, string | undefined> {
  const env: Record<string, string | undefined> = { ...process.env };
  for (const name of settings.hideEnv) delete env[name];
  for (const [name, value] of Object.entries(settings.env)) {
    if (value === undefined) delete env[name];
    else env[name] = value;
  }
  // Set by the preload itself in the first node process; never inherited from an outer keepalive.
  delete env.KEEPALIVE_PIPES;
  // Sockets are passed only by the `listen` feature, to the child they are addressed to.
  for (const name of ['LISTEN_FDS', 'LISTEN_PID', 'LISTEN_FDNAMES', 'KEEPALIVE_LISTEN']) delete env[name];
  env[RUN_TAG] = settings.runTag;
  if (readsPipes) {
    const preload = `--require ${quoteForNodeOptions(packageFile('preload', 'blocking-stdio.cjs'))}`;
    env.NODE_OPTIONS = env.NODE_OPTIONS ? `${env.NODE_OPTIONS} ${preload}` : preload;
  }
  return env;
}

/** The child's environment, made once per `start()` for each case: copying process.env is slow. */
export class ChildEnvCache {
  readonly #made = new Map<boolean, Record<string, string | undefined>>();

  constructor(private readonly settings: EnvSettings) {}

  get(readsPipes: boolean): Record<string, string | undefined> {
    let env = this.#made.get(readsPipes);
    if (!env) {
      env = childEnv(this.settings, readsPipes);
      this.#made.set(readsPipes, env);
    }
    return env;
  }

  /** Forgets what was made: the next start reads process.env again. */
  clear(): void {
    this.#made.clear();
  }
}
