import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { userInfo } from 'node:os';
import path from 'node:path';
import { writeAtomically } from '../files/atomic-write.js';
import { packageFile } from '../package-files.js';
import type { Output } from '../daemon/commands.js';
import { check, ensureHome, homeFolder, readRecord, recordNames, StateError } from '../daemon/state.js';
import { startupText } from '../daemon/startup.js';
import { isCommandLine, startCommandLine } from './detach.js';

/**
 * Boot: `save` writes the command lines of the running named apps to `$KEEPALIVE_HOME/saved.json`,
 * `resurrect` starts them again (each with its own watchdog, in parallel), and `startup` prints
 * what runs `resurrect` at boot.
 */

/** One saved app: what `start <name>` would run again. */
interface SavedApp {
  readonly name: string;
  readonly argv: readonly string[];
  readonly argvCwd: string;
}

/** In a folder of its own: every `<name>.json` beside the records would be taken for one. */
function savedFile(home: string): string {
  return path.join(home, 'saved', 'apps.json');
}

/** `save`, `resurrect` or `startup [--user]`. */
export function runBoot(action: 'save' | 'resurrect' | 'startup', userUnit: boolean, io: Output): number | Promise<number> {
  return action === 'save' ? runSave(io) : action === 'resurrect' ? runResurrect(io) : runStartup(userUnit, io);
}

/** `save`: the running apps (their watchdogs alive), or an error if none runs: an empty list never replaces a saved one. */
export function runSave(io: Output): number {
  const home = homeFolder();
  const apps: SavedApp[] = [];
  try {
    for (const name of recordNames(home)) {
      const record = readRecord(home, name);
      if (!record || !check(record).watchdogAlive) continue;
      if (!isCommandLine(record.argv) || typeof record.argvCwd !== 'string') {
        io.err(`keepalive: ${name} is from an older keepalive and has no command line to save; start it again with its script\n`);
        continue;
      }
      apps.push({ name, argv: record.argv, argvCwd: record.argvCwd });
    }
    if (apps.length === 0) {
      io.err('keepalive: no app is running; nothing saved (the saved list, if any, is kept)\n');
      return 1;
    }
    ensureHome(home);
    mkdirSync(path.dirname(savedFile(home)), { recursive: true, mode: 0o700 });
    writeAtomically(savedFile(home), `${JSON.stringify({ savedAt: new Date().toISOString(), apps }, null, 2)}\n`, 0o600);
  } catch (error) {
    if (!(error instanceof StateError)) throw error;
    io.err(`keepalive: ${error.message}\n`);
    return 1;
  }
  io.out(`saved ${apps.map((app) => app.name).join(', ')} to ${savedFile(home)}\n`);
  return 0;
}

function readSaved(file: string): SavedApp[] {
  let data: unknown;
  try {
    data = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new StateError((error as NodeJS.ErrnoException).code === 'ENOENT'
      ? `nothing saved yet (${file}): run keepalive save while the apps run`
      : `cannot read ${file}: ${(error as Error).message}`);
  }
  const apps = (data as { apps?: unknown } | null)?.apps;
  const valid = Array.isArray(apps) && apps.every((app: Partial<SavedApp> | null) =>
    typeof app?.name === 'string' && isCommandLine(app.argv) && typeof app.argvCwd === 'string');
  if (!valid) throw new StateError(`${file} is malformed`);
  return apps as SavedApp[];
}

/** `resurrect`: starts every saved app that is not running, all at once. */
export async function runResurrect(io: Output): Promise<number> {
  const home = homeFolder();
  let apps: SavedApp[];
  try {
    apps = readSaved(savedFile(home));
  } catch (error) {
    if (!(error instanceof StateError)) throw error;
    io.err(`keepalive: ${error.message}\n`);
    return 1;
  }
  const statuses = await Promise.all(apps.map(async ({ name, argv, argvCwd }) => {
    try {
      const record = readRecord(home, name);
      if (record && check(record).watchdogAlive) {
        io.out(`${name} is already running\n`);
        return 0;
      }
    } catch {
      // A broken record is replaced by the start.
    }
    return startCommandLine(name, argv, argvCwd, io, 'the saved list');
  }));
  return Math.max(0, ...statuses);
}

/** `startup [--user]`: the systemd unit (or, without systemd, the crontab line) that runs `resurrect` at boot. */
export function runStartup(userUnit: boolean, io: Output): number {
  io.out(startupText({
    systemd: existsSync('/run/systemd/system'), userUnit, user: userInfo().username, home: homeFolder(),
    keepalive: [process.execPath, packageFile('bin', 'keepalive.js')],
  }));
  return 0;
}
