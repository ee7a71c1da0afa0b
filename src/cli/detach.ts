import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { KeepaliveError, resolveOptions } from '../index.js';
import { missingScript as scriptMissing } from '../run/missing-script.js';
import { packageFile } from '../package-files.js';
import type { Output } from '../daemon/commands.js';
import { launch, StartError } from '../daemon/launch.js';
import { defaultLogs, ensureHome, homeFolder, isValidName, readRecord, recordFile, StateError, type AppRecord } from '../daemon/state.js';
import { parseArgs, UsageError, type StartCommand } from './args.js';
import { ConfigError, type StartPlan } from './config.js';
import { planAny } from './pm2-plan.js';

/**
 * Detached starts of named apps: `start -d <script>`, and `start <name>` (or `restart <name>` of
 * an app that is not running), which runs the app's recorded command line again.
 */

/** A `start -d` that the parent has planned and checked; the watchdog runs `argv` again in `cwd`. */
export interface DetachedStart {
  readonly name: string;
  readonly plan: StartPlan;
  /** The command line as given to keepalive, `start` included. */
  readonly argv: readonly string[];
  /** The folder it was given in: its relative paths are relative to this. */
  readonly cwd: string;
}

/** `1000` → `1 s`, `1500` → `1.5 s`, `200` → `200 ms`. */
function formatDelay(ms: number): string {
  return ms >= 1000 ? `${Math.round(ms / 100) / 10} s` : `${ms} ms`;
}

/** True if a record of `name` exists (readable or not). */
function hasRecord(home: string, name: string): boolean {
  try {
    statSync(recordFile(home, name));
    return true;
  } catch {
    return false;
  }
}

/**
 * Starts a detached watchdog and reports it. 0 once its child runs (is ready, with `ready`). 1 if the script is missing
 * (then nothing is recorded or started), if the name runs already, if the watchdog gave up, or if
 * the first run ended early: then the watchdog stays, and retries by its rules.
 */
export async function startDetached(start: DetachedStart, io: Output): Promise<number> {
  const { name, plan, cwd } = start;
  const home = homeFolder();
  const options = resolveOptions(plan.script, plan.options);
  // Checked before anything is recorded. The watchdog runs in `cwd`, the script from its working folder.
  const missing = scriptMissing({ ...options, cwd: path.resolve(cwd, plan.options.cwd ?? '.') });
  if (missing !== undefined) {
    const target = path.basename(missing);
    const hint = target === name && hasRecord(home, name) ? ` (to start the recorded app ${name}: keepalive start ${name})` : '';
    io.err(`keepalive: script not found: ${missing}${hint}\n`);
    return 1;
  }
  try {
    ensureHome(home);
    const launched = await launch({
      home, name, bin: packageFile('bin', 'keepalive.js'), argv: start.argv, cwd,
      watchdogLog: defaultLogs(home, name).watchdog,
      ...(options.ready === undefined
        ? { settle: Math.min(options.minUptime, 3000) }
        : { settle: 0, wait: Math.max(30_000, options.readyTimeout + options.killTTL + 5000) }),
      say: (text) => io.err(`keepalive: ${text}\n`),
    });
    const { record } = launched;
    if (launched.outcome === 'running') {
      const ready = options.ready === undefined ? '' : ', ready';
      io.out(`started ${name}: watchdog pid ${record.watchdogPid}, child pid ${record.childPid}${ready}\n`);
      return 0;
    }
    const reason = record.reason ?? 'its first run ended';
    const what = reason.startsWith('exited') ? 'crashed at start' : 'failed at start';
    const when = launched.record.retryDelay > 0 ? `in ${formatDelay(launched.record.retryDelay)}` : 'now';
    io.err(`keepalive: ${name} ${what}: ${reason}; retrying ${when} (see keepalive logs ${name})\n`);
    return 1;
  } catch (error) {
    if (!(error instanceof StartError) && !(error instanceof StateError)) throw error;
    io.err(`keepalive: ${error.message}\n`);
    return 1;
  }
}

/**
 * True if `start <target>` means a recorded app: nothing but `-d` is given, no file or folder
 * `<target>` exists here, the target is a name, and a record of it exists.
 */
export function isRecordedName(command: StartCommand, cwd = process.cwd(), home = homeFolder()): boolean {
  const bare = Object.keys(command.options).length === 0 && command.scriptArgs === undefined && command.name === undefined &&
    !command.quiet && command.user === undefined;
  return bare && isValidName(command.target) && !existsSync(path.resolve(cwd, command.target)) && hasRecord(home, command.target);
}

export function isCommandLine(argv: unknown): argv is readonly string[] {
  return Array.isArray(argv) && argv[0] === 'start' && argv.every((word) => typeof word === 'string');
}

/** How to start an app of an older record again: its script, which is all such a record keeps. */
function scriptHint(record: AppRecord): string {
  const script = typeof record.script === 'string' ? [record.script] : [...record.script];
  return ['keepalive start -d --name', record.name, '[options]', ...script, ...record.args].join(' ');
}

/**
 * `start <name>`, and `restart <name>` of an app that is not running: runs its recorded command
 * line again, detached, in the folder it was given in.
 */
export async function startRecorded(name: string, io: Output): Promise<number> {
  const home = homeFolder();
  let record: AppRecord | undefined;
  try {
    record = readRecord(home, name);
  } catch (error) {
    if (!(error instanceof StateError)) throw error;
    io.err(`keepalive: ${error.message}\n`);
    return 1;
  }
  if (!record) {
    io.err(`keepalive: unknown name ${JSON.stringify(name)} (see keepalive list)\n`);
    return 1;
  }
  const { argv, argvCwd } = record;
  if (!isCommandLine(argv) || typeof argvCwd !== 'string') {
    io.err(`keepalive: the record of ${name} is from an older keepalive and lacks its command line; start it with its script: ${scriptHint(record)}\n`);
    return 1;
  }
  return startCommandLine(name, argv, argvCwd, io, 'its record');
}

/**
 * Starts `name` in the background with a command line recorded earlier (by its record, or by
 * `save`), planned again in the folder it was given in.
 */
export async function startCommandLine(name: string, argv: readonly string[], argvCwd: string, io: Output, from: string): Promise<number> {
  let plan: StartPlan;
  try {
    const command = parseArgs(argv);
    if (command.kind !== 'start') throw new UsageError(`not a start: ${argv.join(' ')}`);
    plan = await planAny(command, argvCwd);
    resolveOptions(plan.script, plan.options);
  } catch (error) {
    const known = error instanceof UsageError || error instanceof ConfigError || error instanceof KeepaliveError;
    if (!known) throw error;
    io.err(`keepalive: cannot start ${name} from ${from}: ${error.message}\n`);
    return 1;
  }
  if (!isFolder(argvCwd)) {
    io.err(`keepalive: cannot start ${name}: the folder it was started in is gone: ${argvCwd}\n`);
    return 1;
  }
  return startDetached({ name, plan, argv, cwd: argvCwd }, io);
}

function isFolder(dir: string): boolean {
  try {
    return statSync(dir).isDirectory();
  } catch {
    return false;
  }
}
