import type { StdioOptions } from 'node:child_process';
import type { Readable, Writable } from 'node:stream';
import { LineStamper } from './line-stamper.js';
import type { ResolvedOptions } from '../options/options.js';
import type { OutputFiles, OutputName, StreamName } from './output-files.js';

export type { StreamName };

/** Where one of the child's streams goes when keepalive reads it from a pipe. */
export interface PipeRoute {
  readonly stream: StreamName;
  readonly files: readonly OutputName[];
  readonly echo: Writable | undefined;
  /** Someone listened at the spawn (then the stream needs a pipe); later listeners hear it too. */
  readonly emit: boolean;
  readonly timestamp: boolean;
}

/** A file the child writes itself, whose new bytes keepalive echoes to the console. */
export interface FollowRoute {
  readonly file: OutputName;
  readonly echo: Writable;
}

export interface OutputPlan {
  readonly stdio: StdioOptions;
  /** Present for each stream that is read through a pipe. */
  readonly pipes: Partial<Record<StreamName, PipeRoute>>;
  /** Files the child holds itself that are also echoed (see FileFollower). */
  readonly follows: readonly FollowRoute[];
  /** Files handed to the child itself (`unmovableLogs`): a reopen cannot move its output. */
  readonly held: readonly OutputName[];
  /** The stream's own file, when the child holds it and shares it with no other stream: a later listener follows it. */
  readonly holds: Partial<Record<StreamName, OutputName>>;
}

/** The options that decide where output goes (their meanings are in MonitorOptions). */
export type RoutingSettings = Pick<ResolvedOptions, 'silent' | 'echoFileOutput' | 'timestamp' | 'unmovableLogs' | 'fork' | 'stdio'>;

/** Whether someone listens to the monitor's `stdout` / `stderr` events. */
export type Listening = Readonly<Record<StreamName, boolean>>;

/** Echo targets that failed (a closed pipe, as in `keepalive start app | head -1`): echo to them stops. */
const brokenEchoes = new WeakSet<Writable>();
const guardedEchoes = new WeakSet<Writable>();

/**
 * The echo target, or undefined once it failed. It is listened to for errors (once), so that a
 * closed pipe never crashes the host.
 */
export function usableEcho(stream: Writable): Writable | undefined {
  if (!guardedEchoes.has(stream)) {
    guardedEchoes.add(stream);
    stream.on('error', () => brokenEchoes.add(stream));
  }
  return brokenEchoes.has(stream) ? undefined : stream;
}

const STREAMS = [
  { name: 'stdout', file: 'outFile', echo: () => process.stdout, index: 1 },
  { name: 'stderr', file: 'errFile', echo: () => process.stderr, index: 2 },
] as const;

/**
 * Decides each stream's path. By default keepalive reads a pipe and writes every file itself, so
 * that a reopen moves all later output to the new file. A stream with no file and nothing added
 * (no time, no listener) goes straight to the console, or nowhere. With `unmovableLogs`, a stream
 * going to one file of its own gets that file's descriptor, as with a shell redirect: output goes
 * at the disk's speed and survives the watchdog, and an echo to the console follows the file.
 */
export function planOutput(files: OutputFiles, settings: RoutingSettings, listening: Listening): OutputPlan {
  const pipes: Partial<Record<StreamName, PipeRoute>> = {};
  const follows: FollowRoute[] = [];
  const held: OutputName[] = [];
  const holds: Partial<Record<StreamName, OutputName>> = {};
  const stdio: (string | number)[] = ['ignore', 'ignore', 'ignore'];
  for (const stream of STREAMS) {
    const route = routeOf(stream, files, settings, listening);
    const [only, ...more] = route.files;
    const plain = !route.emit && !route.timestamp;
    // Followed: the stream's own file. A logFile holds both streams, so its echo needs the pipe.
    const followable = only === stream.file && !files.sharesFd(only, stream.name === 'stdout' ? 'errFile' : 'outFile');
    if (plain && only === undefined) {
      stdio[stream.index] = route.echo ? 'inherit' : 'ignore';
    } else if (plain && settings.unmovableLogs && only !== undefined && more.length === 0 && (!route.echo || followable)) {
      stdio[stream.index] = files.fd(only) as number;
      held.push(only);
      if (followable) holds[stream.name] = only;
      if (route.echo) follows.push({ file: only, echo: route.echo });
    } else {
      stdio[stream.index] = 'pipe';
      pipes[stream.name] = route;
    }
  }
  if (settings.stdio !== undefined) return customPlan(settings, listening, pipes, files);
  if (settings.fork) stdio.push('ipc');
  return { stdio: stdio as StdioOptions, pipes, follows, held, holds };
}

/** Where one stream goes when it is read from a pipe: its files, the console, the listeners. */
function routeOf(stream: (typeof STREAMS)[number], files: OutputFiles, settings: RoutingSettings, listening: Listening): PipeRoute {
  const targets = ([stream.file, 'logFile'] as const).filter((name) => files.has(name));
  const echoed = !settings.silent && (settings.echoFileOutput || targets.length === 0);
  return { stream: stream.name, files: targets, echo: echoed ? stream.echo() : undefined, emit: listening[stream.name], timestamp: settings.timestamp };
}

/** The caller chose the stdio: keepalive only routes what it was given as pipes. */
function customPlan(settings: RoutingSettings, listening: Listening, planned: Partial<Record<StreamName, PipeRoute>>, files: OutputFiles): OutputPlan {
  const given = settings.stdio as StdioOptions;
  const stdio = typeof given === 'string' ? [given, given, given] : [...given];
  if (settings.fork && !stdio.includes('ipc')) stdio.push('ipc');
  const pipes: Partial<Record<StreamName, PipeRoute>> = {};
  for (const stream of STREAMS) {
    if (stdio[stream.index] !== 'pipe' && stdio[stream.index] !== 'overlapped') continue;
    pipes[stream.name] = planned[stream.name] ?? routeOf(stream, files, settings, listening);
  }
  return { stdio: stdio as StdioOptions, pipes, follows: [], held: [], holds: {} };
}

/**
 * Copies a child's pipe to its destinations, chunk by chunk, as it arrives. The child's
 * `close` event comes only after the pipe's end, so by then every byte has been written. Every
 * chunk is emitted, so that a listener attached later hears the rest (an emit nobody listens to
 * costs one lookup per chunk).
 */
export function copyPipe(source: Readable, route: PipeRoute, files: OutputFiles, emit: (chunk: Buffer) => void): void {
  let waitingForEcho = false;
  const write = (data: Buffer, reused: boolean): void => {
    for (const name of route.files) files.writeOutput(name, data, route.stream);
    // A slow terminal or pipe pauses the child's output instead of growing memory here. What
    // may wait in the echo stream's queue must not be memory that the stamper reuses.
    const echo = route.echo && usableEcho(route.echo);
    if (echo && !echo.write(reused ? Buffer.from(data) : data) && !waitingForEcho) {
      // One chunk may be written in several parts: one wait is enough for all of them.
      waitingForEcho = true;
      source.pause();
      const resume = (): void => {
        echo.off('drain', resume).off('error', resume);
        waitingForEcho = false;
        source.resume();
      };
      echo.once('drain', resume).once('error', resume);
    }
  };
  const stamper = route.timestamp ? new LineStamper((stamped) => write(stamped, true)) : undefined;
  source.on('data', (chunk: Buffer) => {
    emit(chunk);
    if (stamper) stamper.push(chunk);
    else write(chunk, false);
  });
  source.once('end', () => {
    stamper?.flush();
    for (const name of route.files) files.endOutput(name, route.stream);
  });
  source.on('error', () => {
    // A read error ends the pipe; the child's exit is still reported through its own events.
  });
}
