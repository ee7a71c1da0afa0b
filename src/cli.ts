import path from 'node:path';
import { KeepaliveError, Monitor, formatStatus, resolveOptions, version } from './index.js';
import { packageFile } from './package-files.js';
import { statusLine } from './vocabulary/events.js';
import { parseArgs, toFlags, UsageError, type Command, type StartCommand } from './cli/args.js';
import { ConfigError, planStart, type StartPlan } from './cli/config.js';
import { missingScript as scriptMissing } from './run/missing-script.js';
import { DAEMON_ENV, defaultName, detachedOptions, nameOf, namedOptions, recordLogs } from './daemon/named-options.js';
import { defaultLogs, ensureHome, homeFolder, StateError } from './daemon/state.js';
import { resolvePaths } from './options/options.js';
import { sizeInBytes } from './options/size.js';
import { keepRecord } from './daemon/watchdog.js';
import { planAny } from './cli/pm2-plan.js';
import { watchdogLogIo } from './daemon/watchdog-log.js';
import { compressionsFinished } from './output/compress.js';

// Loaded when a command needs them, so that a named app's watchdog does not carry them.
const [commands, detach] = [() => import('./daemon/commands.js'), () => import('./cli/detach.js')];

/** Exit statuses that are keepalive's own; a script that gave up passes on its own status. */
export const EXIT = { stopped: 0, startFailed: 1, usage: 2, closedPipe: 141 } as const;

/** Where the CLI writes: the process's streams, or a test's buffers. */
export interface Io {
  out(text: string): void;
  err(text: string): void;
}

const processIo: Io = {
  out: (text) => process.stdout.write(text),
  err: (text) => process.stderr.write(text),
};

/** A status line on stderr: `2024-05-01T12:00:00.000Z keepalive: started pid 123 (run 1)`. */
function say(io: Io, text: string): void {
  io.err(statusLine(text));
}

/** Runs a whole command line and returns the exit status. Never throws for bad input. */
export async function main(argv: readonly string[], io: Io = processIo): Promise<number> {
  let command: Command;
  try {
    command = parseArgs(argv);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    io.err(`keepalive: ${error.message} (see keepalive --help)\n`);
    return EXIT.usage;
  }
  switch (command.kind) {
    case 'help':
      io.out((await import('./cli/help.js'))[command.topic === 'start' ? 'START_HELP' : 'GENERAL_HELP']);
      return 0;
    case 'version':
      io.out(`${version}\n`);
      return 0;
    case 'start':
      // A named app's watchdog (DAEMON_ENV) runs its start as planned by the parent; a pm2 file's
      // watchdogs run one app each (`--only`).
      if (process.env[DAEMON_ENV] === undefined) {
        if (command.pm2File) return (await import('./cli/pm2-commands.js')).startPm2File(command, io);
        const { isRecordedName, startRecorded } = await detach();
        if (isRecordedName(command)) return startRecorded(command.target, io);
        if (command.daemon) return startDetached(command, argv, io);
      }
      return start(command, argv, io);
    case 'unit':
      return unit(command.start, io);
    case 'list':
      return (await commands()).runList(command.json, io);
    case 'metrics':
      return (await commands()).runMetrics(io);
    case 'stop':
      return (await commands()).runStop(command.name, io);
    case 'restart':
      return (await commands()).runRestart(command.name, io, async (name) => (await detach()).startRecorded(name, io));
    case 'reload':
      return (await commands()).runReload(command.name, io);
    case 'delete':
      return (await commands()).runDelete(command.name, io);
    case 'logs':
      return (await commands()).runLogs(command.name, command.lines, command.follow, io);
    case 'file':
      return (await import('./cli/pm2-commands.js')).runPm2File(command.action, command.start, io);
    case 'boot':
      return (await import('./cli/boot.js')).runBoot(command.action, command.userUnit, io);
  }
}

/** The exit status of a plan that could not be made: a bad config file (1) or bad options (2). */
function planFailure(error: unknown, io: Io): number {
  if (error instanceof ConfigError) {
    io.err(`keepalive: ${error.message}\n`);
    return EXIT.startFailed;
  }
  if (error instanceof KeepaliveError && error.code === 'INVALID_OPTION') {
    io.err(`keepalive: ${error.message} (see keepalive --help)\n`);
    return EXIT.usage;
  }
  throw error;
}

/** The plan of a start, checked as the Monitor would check it, or the exit status of a bad one. */
function prepare(command: StartCommand, io: Io): StartPlan | number {
  try {
    const plan = planStart(command);
    resolveOptions(plan.script, plan.options);
    return plan;
  } catch (error) {
    return planFailure(error, io);
  }
}

/** `start -d`: a detached watchdog runs the same command line; returns once its child runs. */
async function startDetached(command: StartCommand, argv: readonly string[], io: Io): Promise<number> {
  const name = nameOf(command, io);
  if (name === undefined) return EXIT.usage;
  const plan = prepare(command, io);
  if (typeof plan === 'number') return plan;
  return (await detach()).startDetached({ name, plan, argv, cwd: process.cwd() }, io);
}

/** `unit`: a systemd service running this start in the foreground, with absolute paths. */
async function unit(command: StartCommand, io: Io): Promise<number> {
  const { systemdUnit } = await import('./daemon/unit.js');
  const plan = prepare(command, io);
  if (typeof plan === 'number') return plan;
  const options = resolveOptions(plan.script, plan.options);
  const cwd = process.cwd();
  const flags = resolvePaths(command.options, cwd);
  const isPath = command.options.sourceDir === undefined && (typeof plan.script !== 'string' || path.isAbsolute(plan.script));
  const target = isPath || command.target.toLowerCase().endsWith('.json') ? path.resolve(cwd, command.target) : command.target;
  const execStart = [
    process.execPath, packageFile('bin', 'keepalive.js'), 'start', ...toFlags(flags),
    ...(command.quiet ? ['--quiet'] : []), ...(command.name === undefined ? [] : [`--name=${command.name}`]),
    '--', target, ...(command.scriptArgs ?? []),
  ];
  io.out(systemdUnit({
    description: `keepalive: ${command.name ?? defaultName(command.target) ?? command.target}`,
    execStart, workingDirectory: typeof flags.cwd === 'string' ? flags.cwd : cwd, user: command.user,
    killTTL: options.killTTL, reopensLogs: !options.unmovableLogs, notify: options.ready !== undefined,
    maxMemory: options.maxMemory === undefined ? undefined : sizeInBytes(options.maxMemory),
  }));
  return 0;
}

async function start(command: StartCommand, argv: readonly string[], io: Io): Promise<number> {
  // A named watchdog: spawned by `start -d` (which holds the name), or `start --name` in the foreground.
  const detached = process.env[DAEMON_ENV];
  delete process.env[DAEMON_ENV];
  const name = detached ?? (command.name === undefined ? undefined : nameOf(command, io));
  if (command.name !== undefined && name === undefined) return EXIT.usage;
  const home = homeFolder();
  let plan: StartPlan;
  let monitor: Monitor;
  try {
    plan = await planAny(command);
    if (detached !== undefined) plan = { ...plan, options: detachedOptions(plan.options, home, detached) };
    if (name !== undefined) plan = { ...plan, options: namedOptions(plan.options, home, name) };
    monitor = new Monitor(plan.script, plan.options);
  } catch (error) {
    return planFailure(error, io);
  }
  if (detached !== undefined) io = watchdogLogIo(io, defaultLogs(home, detached).watchdog, monitor.options);

  // One line for a mistyped script, and it never replaces the record of a name.
  const missing = detached === undefined ? scriptMissing(monitor.options) : undefined;
  if (missing !== undefined) {
    io.err(`keepalive: script not found: ${missing}\n`);
    return EXIT.startFailed;
  }
  if (!plan.quiet) monitor.on('status', (event) => say(io, formatStatus(event)));
  monitor.on('error', (error) => {
    // A spawn failure has its status line already ("could not start: ..."); said once is enough.
    if (!plan.quiet && error instanceof KeepaliveError && error.code === 'SPAWN_FAILED') return;
    io.err(`keepalive: ${error.message}\n`);
  });
  const ended = new Promise<void>((resolve) => monitor.once('exit', () => resolve()));
  let release: (() => void) | undefined;
  if (name !== undefined) {
    try {
      if (detached === undefined) release = await (await import('./daemon/launch.js')).claimName(home, name, (text) => say(io, text));
      else ensureHome(home);
    } catch (error) {
      if (!(error instanceof (await import('./daemon/launch.js')).StartError) && !(error instanceof StateError)) throw error;
      io.err(`keepalive: ${error.message}\n`);
      return EXIT.startFailed;
    }
    const cwd = process.cwd();
    keepRecord(monitor, {
      home, name, script: plan.script, args: (plan.options.args ?? plan.options.options ?? []).map(String), cwd: plan.options.cwd ? path.resolve(cwd, plan.options.cwd) : cwd,
      logs: recordLogs(plan.options, cwd, detached === undefined ? undefined : defaultLogs(home, name).watchdog),
      killTTL: monitor.options.killTTL, argv, argvCwd: cwd, warn: (text) => say(io, text),
      metricsFile: monitor.options.metricsFile === undefined ? undefined : path.resolve(cwd, monitor.options.metricsFile),
    });
    release?.();
  }
  const signals = handleSignals(monitor, plan.quiet ? () => {} : (text) => say(io, text));
  try {
    try {
      monitor.start();
    } catch (error) {
      if (!(error instanceof KeepaliveError)) throw error;
      // Through the monitor's error listeners: printed, and kept in the record as the reason.
      monitor.emit('error', error);
      return EXIT.startFailed;
    }
    await ended;
    const stopping = signals.stopping();
    if (stopping) {
      await stopping;
      return EXIT.stopped;
    }
    return monitor.lastExit?.status ?? EXIT.startFailed;
  } finally {
    signals.remove();
  }
}

interface SignalHandling {
  /** The stop a signal asked for, if one did. */
  stopping(): Promise<void> | undefined;
  remove(): void;
}

/**
 * SIGINT/SIGTERM stop gracefully, a second one forces; SIGHUP reopens the logs; SIGUSR2 restarts; SIGPWR
 * reloads. Handlers for all of them also make keepalive work as PID 1, where signals without a handler are ignored.
 */
function handleSignals(monitor: Monitor, say: (text: string) => void): SignalHandling {
  let stopping: Promise<void> | undefined;
  const report = (error: unknown): void => say(`${(error as Error).message}`);
  const handlers: Partial<Record<NodeJS.Signals, () => void>> = {
    SIGINT: () => stop('SIGINT'),
    SIGTERM: () => stop('SIGTERM'),
    SIGHUP: () => {
      // The monitor's own status line says what moved and what could not.
      try {
        monitor.reopenLogs();
      } catch (error) {
        report(error);
      }
    },
    SIGUSR2: () => {
      say('restart requested (SIGUSR2)');
      monitor.restart().catch(report);
    },
    // SIGPWR: unused by Node and by terminals (SIGWINCH comes with every resize of the window).
    SIGPWR: () => {
      say('reload requested (SIGPWR)');
      monitor.reload().catch(report);
    },
  };
  function stop(signal: NodeJS.Signals): void {
    if (stopping) {
      say(`${signal} again: sending SIGKILL now`);
      monitor.stop({ force: true }).catch(report);
      return;
    }
    say(`${signal} received: stopping`);
    stopping = monitor.stop().catch(report);
  }
  for (const [signal, handler] of Object.entries(handlers)) process.on(signal, handler);
  return {
    stopping: () => stopping,
    remove() {
      for (const [signal, handler] of Object.entries(handlers)) process.removeListener(signal, handler);
    },
  };
}

/** The bin's entry: runs `main` on this process's arguments and exits with its status. */
export function run(argv: readonly string[] = process.argv.slice(2)): void {
  // A bug in keepalive: one line, never a stack trace, and a start-up failure status.
  const crash = (error: unknown): void => {
    process.stderr.write(`keepalive: unexpected error: ${error instanceof Error ? error.message : String(error)}\n`);
    exit(EXIT.startFailed);
  };
  process.on('uncaughtException', (error) => {
    crash(error);
    process.exit(EXIT.startFailed);
  });
  const watching = argv[0] === 'start';
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code !== 'EPIPE') return crash(error);
      // A watchdog keeps its script running when nobody reads its console any more. Any other
      // command stops quietly, as `ls | head -1` does, with the status of a SIGPIPE death.
      if (!watching) process.exit(EXIT.closedPipe);
    });
  }
  // Archives being compressed are finished first: no half-written `.gz.partial` is left behind.
  main(argv).then((status) => compressionsFinished().then(() => exit(status)), crash);
}

/** Lets pending output drain, but never waits for a handle someone forgot to close. */
function exit(status: number): void {
  process.exitCode = status;
  setTimeout(() => process.exit(status), 1000).unref();
}
