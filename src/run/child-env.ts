import { readFileSync } from 'node:fs';
import util from 'node:util';
import { packageFile } from '../package-files.js';
import { RUN_TAG } from '../processes/stop-processes.js';
import { KeepaliveError } from '../vocabulary/errors.js';

export interface EnvSettings {
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly hideEnv: readonly string[];
  /** A dotenv file: its variables go under `env`. */
  readonly envFile?: string | undefined;
  /** Marks every process of this monitor's children (see stop-processes.ts). */
  readonly runTag: string;
}

/** Quotes a path for NODE_OPTIONS, which reads double-quoted words with backslash escapes. */
export function quoteForNodeOptions(file: string): string {
  return `"${file.replace(/["\\]/g, '\\$&')}"`;
}

/** The variables of a dotenv file, parsed by Node's own `util.parseEnv`. Throws ENV_FILE. */
export function readEnvFile(file: string): Record<string, string> {
  const { parseEnv } = util as { parseEnv?: (content: string) => Record<string, string> };
  if (parseEnv === undefined) throw new KeepaliveError('ENV_FILE', `envFile needs Node.js 20.12 or later (util.parseEnv); this is ${process.version}`);
  try {
    return parseEnv(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new KeepaliveError('ENV_FILE', `envFile ${JSON.stringify(file)}: ${(error as Error).message}`, { cause: error });
  }
}

/**
 * The child's environment: process.env less `hideEnv`, then the env file's variables, then `env`
 * on top (undefined removes).
 * When keepalive reads the child's output from pipes, node processes in the child's tree load
 * preload/blocking-stdio.cjs, so that a crash cannot drop output Node had queued (see there).
 */
export function childEnv(settings: EnvSettings, readsPipes: boolean, fileEnv: Readonly<Record<string, string>> = {}): Record<string, string | undefined> {
  const env: Record<string, string | undefined> = { ...process.env };
  for (const name of settings.hideEnv) delete env[name];
  Object.assign(env, fileEnv);
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

/**
 * The child's environment, made once per `start()` for each case (copying process.env is slow),
 * and again when the env file changed: it is read at each spawn, so that an edit applies at the
 * next restart and a removed variable is gone. A file that cannot be read at a restart keeps the
 * last variables read, and is reported.
 */
export class ChildEnvCache {
  readonly #made = new Map<boolean, Record<string, string | undefined>>();
  #fileEnv: Readonly<Record<string, string>> = {};
  #fileText = '{}';

  constructor(private readonly settings: EnvSettings, private readonly onError: (error: KeepaliveError) => void = () => {}) {}

  get(readsPipes: boolean): Record<string, string | undefined> {
    if (this.settings.envFile !== undefined) {
      try {
        this.#useFile(readEnvFile(this.settings.envFile));
      } catch (error) {
        this.onError(error as KeepaliveError);
      }
    }
    let env = this.#made.get(readsPipes);
    if (!env) {
      env = childEnv(this.settings, readsPipes, this.#fileEnv);
      this.#made.set(readsPipes, env);
    }
    return env;
  }

  /** A new start: forgets what was made, so that process.env is read again; throws ENV_FILE if the env file cannot be read. */
  reload(): void {
    this.#made.clear();
    if (this.settings.envFile !== undefined) this.#useFile(readEnvFile(this.settings.envFile));
  }

  #useFile(variables: Record<string, string>): void {
    const text = JSON.stringify(variables);
    if (text === this.#fileText) return;
    this.#fileText = text;
    this.#fileEnv = variables;
    this.#made.clear();
  }
}
