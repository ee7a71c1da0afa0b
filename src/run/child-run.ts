import { spawn as nodeSpawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { Writable, type Readable } from 'node:stream';
import { setTimeout as delay } from 'node:timers/promises';
import { requireLazily } from '../package-files.js';
import { signalNumber } from '../options/options.js';
import type { ExitInfo } from '../vocabulary/events.js';
import { FileFollower } from '../output/file-follower.js';
import type { OutputFiles, OutputName } from '../output/output-files.js';
import { copyPipe, type OutputPlan } from '../output/output-routing.js';
import { stopProcesses, type StopSettings, type StopTarget } from '../processes/stop-processes.js';
import type { RunInfo } from './spawn-needs.js';

/** Node's spawn, or on Windows cross-spawn's (shebangs, PATHEXT), loaded only there. */
function spawnOf(): (command: string, args: string[], options: SpawnOptions) => ChildProcess {
  return process.platform === 'win32' ? (requireLazily('cross-spawn') as typeof import('cross-spawn')) : nodeSpawn;
}

export type RunOutcome =
  | ({ readonly kind: 'exited' } & ExitInfo)
  | { readonly kind: 'spawn-failed'; readonly error: Error };

export interface RunSettings {
  readonly command: string;
  readonly args: readonly string[];
  readonly spawnOptions: SpawnOptions;
  readonly plan: OutputPlan;
  /** The extra pipes the child writes to (after its stdio), by the name a feature gave them. */
  readonly extraFds: readonly { readonly name: string; readonly fd: number }[];
  readonly files: OutputFiles;
  readonly stop: StopSettings;
  /** The tag in the child's environment that its descendants inherit. */
  readonly runTag: string;
  readonly onStdout: (chunk: Buffer) => void;
  readonly onStderr: (chunk: Buffer) => void;
  readonly onMessage: (message: unknown) => void;
  readonly onError: (error: Error) => void;
}

/**
 * How long to wait for the child's pipes to close once it and its group are gone. Only a
 * descendant that left the group and still holds a pipe keeps them open; its later output
 * is still copied, but the monitor does not wait for it.
 */
const DRAIN_GRACE = 1000;

/**
 * One child, from spawn to the moment its exit is known and its output is in the files. What it
 * left behind in its process group is stopped before `ended` settles.
 */
export class ChildRun {
  readonly child: ChildProcess | undefined;
  readonly pid: number | undefined;
  /** Settles when the child runs (undefined) or could not be spawned (the error). */
  readonly spawned: Promise<Error | undefined>;
  /** Settles when the run is over: exit seen, leftovers stopped, output drained. */
  readonly ended: Promise<RunOutcome>;

  /** The log files this child holds itself (`unmovableLogs`). */
  readonly heldFiles: readonly OutputName[];
  /** The tag in the environment of this run's processes (see stop-processes.ts). */
  readonly runTag: string;
  /** The extra pipes' streams, by name: always read, so that a child writing to one never blocks. */
  readonly fds = new Map<string, Readable>();
  readonly #startedAt = performance.now();
  readonly #stop: StopSettings;
  #exited = false;
  #drained = false;
  readonly #followers: FileFollower[];
  readonly #settings: RunSettings;
  /** The streams that a listener attached during this run follows in the file the child holds. */
  readonly #followed = new Set<'stdout' | 'stderr'>();
  #terminating: Promise<void> | undefined;
  #target: StopTarget | undefined;

  constructor(settings: RunSettings) {
    this.#stop = settings.stop;
    this.#settings = settings;
    this.heldFiles = settings.plan.held;
    this.runTag = settings.runTag;
    // Followers start before the spawn, at the files' current ends.
    this.#followers = settings.plan.follows.flatMap(({ file, echo }) => FileFollower.start(settings.files.path(file), echo) ?? []);
    let child: ChildProcess;
    try {
      child = spawnOf()(settings.command, [...settings.args], { ...settings.spawnOptions, stdio: settings.plan.stdio });
    } catch (error) {
      this.#finishFollowers();
      this.spawned = Promise.resolve(error as Error);
      this.ended = Promise.resolve({ kind: 'spawn-failed', error: error as Error });
      return;
    }
    this.child = child;
    this.pid = child.pid;
    for (const [name, route] of Object.entries(settings.plan.pipes)) {
      const source = name === 'stdout' ? child.stdout : child.stderr;
      const emit = name === 'stdout' ? settings.onStdout : settings.onStderr;
      if (source && route) copyPipe(source, route, settings.files, emit);
    }
    child.on('message', settings.onMessage);
    for (const { name, fd } of settings.extraFds) {
      const stream = child.stdio[fd] as Readable | null | undefined;
      if (!stream) continue;
      stream.on('error', () => {}); // A child that closes its end early is no error of keepalive's.
      this.fds.set(name, stream.resume());
    }

    this.spawned = new Promise((resolve) => {
      child.once('spawn', () => resolve(undefined));
      child.once('error', (error) => resolve(error));
    });
    this.ended = new Promise((resolve) => {
      child.on('error', (error) => {
        if (child.pid !== undefined) return settings.onError(error);
        this.#finishFollowers();
        resolve({ kind: 'spawn-failed', error });
      });
      // Plain promises: events.once would reject on 'error' and leave rejections unhandled.
      const closed = new Promise<void>((done) =>
        child.once('close', () => {
          this.#drained = true;
          done();
        }),
      );
      const exited = new Promise<void>((done) => child.once('exit', () => done()));
      if (child.pid === undefined) return;
      const send = (message: string): boolean => child.connected && child.send(message);
      this.#target = { pid: child.pid, hasExited: () => this.#exited, exited, runTag: settings.runTag, send };
      child.once('exit', (code: number | null, signal: NodeJS.Signals | null) => {
        this.#exited = true;
        const uptime = Math.round(performance.now() - this.#startedAt);
        void this.terminate()
          .then(() => this.#drainedOrLate(closed))
          .then(() => {
            this.#finishFollowers();
            // The status a shell reports: the code, or 128 + the signal's number.
            resolve({ kind: 'exited', code, signal, uptime, status: code ?? 128 + signalNumber(signal ?? 'SIGKILL') });
          });
      });
    });
  }

  /**
   * A `stdout` or `stderr` listener was attached while this run goes on. A stream read through a
   * pipe reaches it already; one the child writes to its own file (`unmovableLogs`) is followed
   * from the file's current end, like `tail -f`, and the rest is emitted before the exit is
   * reported. A stream the child writes to the terminal, nowhere, or a file both streams share
   * (a `logFile`, which holds keepalive's status lines too) cannot be told apart: the listener
   * hears it from the next run on.
   */
  listenerAdded(event: unknown): void {
    const stream = event === 'stdout' || event === 'stderr' ? event : undefined;
    const file = stream && this.#settings.plan.holds[stream];
    if (!stream || !file || this.#followed.has(stream) || this.hasExited()) return;
    this.#followed.add(stream);
    const emit = stream === 'stdout' ? this.#settings.onStdout : this.#settings.onStderr;
    // The follower reuses its buffer: each listener gets a copy of its own.
    const sink = new Writable({
      write(chunk: Buffer, _encoding, done) {
        emit(Buffer.from(chunk));
        done();
      },
    });
    const follower = FileFollower.start(this.#settings.files.path(file), sink);
    if (follower) this.#followers.push(follower);
  }

  /** Waits for the pipes to close, or DRAIN_GRACE at most; the usual case needs no timer at all. */
  async #drainedOrLate(closed: Promise<void>): Promise<void> {
    if (this.#drained) return;
    const late = new AbortController();
    await Promise.race([closed, delay(DRAIN_GRACE, undefined, { signal: late.signal }).catch(() => {})]);
    late.abort();
  }

  /** Echoes the rest of the followed files: done before an exit is reported. */
  #finishFollowers(): void {
    for (const follower of this.#followers) follower.finish();
  }

  /** The run as the features on the seam see it (once it has spawned). */
  info(): RunInfo {
    const child = this.child;
    return {
      pid: this.pid as number,
      fds: this.fds,
      stopping: () => this.#terminating !== undefined || this.#exited,
      onMessage(listener) {
        child?.on('message', listener);
        return () => void child?.off('message', listener);
      },
    };
  }

  hasExited(): boolean {
    return this.#exited;
  }

  /** True once the child's pipes have closed: all its output has been copied. */
  get drained(): boolean {
    return this.#drained || this.child === undefined;
  }

  /** Stops the child, its group and tree gracefully; after it exited, clears its leftovers. */
  terminate(): Promise<void> {
    if (!this.#target) return Promise.resolve();
    this.#terminating ??= stopProcesses(this.#target, this.#stop);
    return this.#terminating;
  }

  /** SIGKILL to the child, its group and tree, now (a second Ctrl-C). */
  forceKill(): Promise<void> {
    if (!this.#target) return Promise.resolve();
    return stopProcesses(this.#target, { ...this.#stop, signal: 'SIGKILL', message: undefined });
  }

  /** Stops copying output that a straggler still writes into the old pipes. */
  detach(): void {
    this.child?.stdout?.destroy();
    this.child?.stderr?.destroy();
  }
}
