import path from 'node:path';
import { KeepaliveError, resolveOptions } from '../index.js';
import { isValidName } from '../daemon/state.js';
import { missingScript } from '../run/missing-script.js';
import { toFlags, type StartCommand } from './args.js';
import { ConfigError } from './config-error.js';
import { planStart, type StartPlan } from './config.js';
import { loadPm2File, type Pm2App } from './pm2-file.js';
import { mapPm2App } from './pm2-keys.js';

/** One app of a pm2 file, planned as it will run: a named app with its own watchdog. */
export interface Pm2Start {
  readonly name: string;
  readonly plan: StartPlan;
  /** The command line its watchdog runs (and `start <name>` runs again): the file, with `--only <name>`. */
  readonly argv: readonly string[];
}

/** An app's name: `name`, or its script's base name, as pm2 does. */
function nameOf(app: Pm2App): string {
  if (typeof app.name === 'string') return app.name;
  return typeof app.script === 'string' ? path.basename(app.script).replace(/\.(c|m)?(js|ts)$/i, '') : '';
}

/**
 * The apps of a pm2 file that `command` picks (all, or `--only`), each mapped and checked as it
 * will run, with the flags over the file's keys. Throws ConfigError naming the file, the app and
 * the key, before anything starts.
 */
export async function planPm2File(command: StartCommand, cwd = process.cwd()): Promise<Pm2Start[]> {
  const { file, folder, apps } = await loadPm2File(command.target, cwd);
  const { stage, only } = command;
  if (stage !== undefined && !apps.some((app) => `env_${stage}` in app)) {
    throw new ConfigError(`pm2 file ${file}: --env ${stage}: no app has env_${stage}`);
  }
  const names = apps.map(nameOf);
  names.forEach((name, index) => {
    if (!isValidName(name) || name === 'all') {
      throw new ConfigError(`pm2 file ${file}: app #${index + 1}: name ${JSON.stringify(name)}: expected letters, digits, ".", "_" and "-" (not "all", not ending in .js)`);
    }
    if (names.indexOf(name) !== index) throw new ConfigError(`pm2 file ${file}: two apps are named ${JSON.stringify(name)}`);
  });
  for (const name of only ?? []) {
    if (!names.includes(name)) throw new ConfigError(`pm2 file ${file}: --only ${name}: no such app (apps: ${names.join(', ')})`);
  }
  const flags = [...toFlags(command.options), ...(command.quiet ? ['--quiet'] : []), ...(stage === undefined ? [] : [`--env=${stage}`])];
  return apps.flatMap((raw, index) => {
    const name = names[index] as string;
    if (only !== undefined && !only.includes(name)) return [];
    const app = mapPm2App(raw, { file, folder, stage, index });
    const plan = planStart(command, cwd, { script: app.script, options: app.options });
    try {
      const missing = missingScript(resolveOptions(plan.script, plan.options));
      if (missing !== undefined) throw new ConfigError(`pm2 file ${file}: app ${JSON.stringify(name)}: script not found: ${missing}`);
    } catch (error) {
      if (error instanceof ConfigError) throw error;
      if (!(error instanceof KeepaliveError)) throw error;
      const option = /^option (\w+)/.exec(error.message)?.[1];
      const key = option === undefined ? undefined : app.keys[option];
      throw new ConfigError(`pm2 file ${file}: app ${JSON.stringify(name)}: ${error.message}${key === undefined ? '' : ` (from ${key})`}`);
    }
    return [{ name, plan, argv: ['start', ...flags, `--only=${name}`, '--', file] }];
  });
}

/** The plan of one start: a script, keepalive's config, or the one app of a pm2 file (`--only <name>`). */
export async function planAny(command: StartCommand, cwd = process.cwd()): Promise<StartPlan> {
  if (!command.pm2File) return planStart(command, cwd);
  const apps = await planPm2File(command, cwd);
  if (apps.length !== 1) throw new ConfigError(`${command.target}: pick one app with --only to run it in the foreground`);
  return (apps[0] as Pm2Start).plan;
}
