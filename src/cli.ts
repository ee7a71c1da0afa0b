import { readFileSync } from 'node:fs';
import { KeepaliveError, Monitor, formatStatus } from './index.js';
import { packageFile } from './package-files.js';
import { parseArgs, UsageError, type Command } from './cli/args.js';
import { ConfigError, planStart, type StartPlan } from './cli/config.js';
import { GENERAL_HELP, START_HELP } from './cli/help.js';

/** Exit statuses that are keepalive's own; a script that gave up passes on its own status. */
export const EXIT = { stopped: 0, startFailed: 1, usage: 2 } as const;

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
function statusLine(io: Io, text: string): void {
  io.err(`${new Date().toISOString()} keepalive: ${text}\n`);
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
      io.out(command.topic === 'start' ? START_HELP : GENERAL_HELP);
      return 0;
    case 'version':
      io.out(`${version()}\n`);
      return 0;
    case 'start':
      return start(command, io);
  }
}

function version(): string {
  const { version } = JSON.parse(readFileSync(packageFile('package.json'), 'utf8')) as { version: string };
  return version;
}

async function start(command: Extract<Command, { kind: 'start' }>, io: Io): Promise<number> {
  let plan: StartPlan;
  let monitor: Monitor;
  try {
    plan = planStart(command);
    monitor = new Monitor(plan.script, plan.options);
  } catch (error) {
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

  if (!plan.quiet) monitor.on('status', (event) => statusLine(io, formatStatus(event)));
  monitor.on('error', (error) => io.err(`keepalive: ${error.message}\n`));
  const ended = new Promise<void>((resolve) => monitor.once('exit', () => resolve()));
  const signals = handleSignals(monitor, plan.quiet ? () => {} : (text) => statusLine(io, text));
  try {
    try {
      monitor.start();
    } catch (error) {
      if (!(error instanceof KeepaliveError)) throw error;
      io.err(`keepalive: ${error.message}\n`);
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
 * SIGINT/SIGTERM stop gracefully, a second one forces; SIGHUP reopens the logs; SIGUSR2
 * restarts. Handlers for all of them also make keepalive work as PID 1, where signals without a
 * handler are ignored.
 */
function handleSignals(monitor: Monitor, say: (text: string) => void): SignalHandling {
  let stopping: Promise<void> | undefined;
  const report = (error: unknown): void => say(`${(error as Error).message}`);
  const handlers: Partial<Record<NodeJS.Signals, () => void>> = {
    SIGINT: () => stop('SIGINT'),
    SIGTERM: () => stop('SIGTERM'),
    SIGHUP: () => {
      try {
        monitor.reopenLogs();
        say('reopened the log files (SIGHUP)');
      } catch (error) {
        report(error);
      }
    },
    SIGUSR2: () => {
      say('restart requested (SIGUSR2)');
      monitor.restart().catch(report);
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
  main(argv).then((status) => exit(status), crash);
}

/** Lets pending output drain, but never waits for a handle someone forgot to close. */
function exit(status: number): void {
  process.exitCode = status;
  setTimeout(() => process.exit(status), 1000).unref();
}
