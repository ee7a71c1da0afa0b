import type { StartCommand } from './args.js';
import { ConfigError } from './config-error.js';
import { startDetached } from './detach.js';
import { planPm2File, type Pm2Start } from './pm2-plan.js';
import { runDelete, runStop, type Output } from '../daemon/commands.js';
import { check, homeFolder, readRecord } from '../daemon/state.js';

/**
 * A pm2 file's apps as named apps: `start <file>` starts each in the background with its own
 * watchdog, all at once; `stop`, `restart` and `delete` take the file too, and `--only` picks apps.
 */

/** The apps a command picks, or the exit status of a file that cannot be used. */
async function appsOf(command: StartCommand, io: Output): Promise<Pm2Start[] | number> {
  try {
    return await planPm2File(command);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    io.err(`keepalive: ${error.message}\n`);
    return 1;
  }
}

/** The worst of several exit statuses: 0 only if every one is 0. */
function worst(statuses: readonly number[]): number {
  return statuses.reduce((a, b) => Math.max(a, b), 0);
}

/** Starts the apps in parallel, each as `start -d` would; every app is checked before any starts. */
async function startApps(apps: readonly Pm2Start[], io: Output): Promise<number> {
  const cwd = process.cwd();
  return worst(await Promise.all(apps.map(({ name, plan, argv }) => startDetached({ name, plan, argv, cwd }, io))));
}

/** `start <pm2 file>`: every app (or `--only` ones) in the background. */
export async function startPm2File(command: StartCommand, io: Output): Promise<number> {
  const apps = await appsOf(command, io);
  return typeof apps === 'number' ? apps : startApps(apps, io);
}

/**
 * `stop|restart|delete <pm2 file>`. A restart stops the apps and starts them from the file again,
 * so that a changed file (its `env` too) takes effect, and a variable removed from it is gone.
 */
export async function runPm2File(action: 'stop' | 'restart' | 'delete', command: StartCommand, io: Output): Promise<number> {
  const apps = await appsOf(command, io);
  if (typeof apps === 'number') return apps;
  const names = apps.map((app) => app.name);
  if (action === 'delete') {
    const statuses: number[] = [];
    for (const name of names) statuses.push(await runDelete(name, io));
    return worst(statuses);
  }
  if (action === 'stop') return worst(await Promise.all(names.map((name) => runStop(name, io))));
  // Only the apps that run are stopped first; the others just start.
  const home = homeFolder();
  const recorded = names.filter((name) => {
    try {
      const record = readRecord(home, name);
      return record !== undefined && (check(record).watchdogAlive || check(record).childAlive);
    } catch {
      return true; // A broken record: stop says what is wrong with it.
    }
  });
  const stopped = worst(await Promise.all(recorded.map((name) => runStop(name, io))));
  const started = await startApps(apps, io);
  return Math.max(stopped, started);
}
