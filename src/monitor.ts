import type { ChildProcess } from 'node:child_process';
import cluster from 'node:cluster';
import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { statSync } from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { childEnv } from './run/child-env.js';
import { ChildRun, type RunOutcome } from './run/child-run.js';
import { KeepaliveError } from './vocabulary/errors.js';
import { checkStamping } from './output/line-stamper.js';
import {
  formatStatus,
  type ExitInfo,
  type GiveUpReason,
  type MonitorData,
  type MonitorState,
  type StatusEvent,
} from './vocabulary/events.js';
import { isNodeCommand, resolveOptions, signalNumber, type MonitorOptions, type ResolvedOptions } from './options/options.js';
import { OutputFiles } from './output/output-files.js';
import { planOutput } from './output/output-routing.js';
import { checkPidFileFolder, removePidFile, writePidFile } from './features/pid-file.js';
import { decideRestart, isSpinning, type RestartDecision } from './run/restart-policy.js';
import { watchFiles } from './features/watch.js';

/** Every event a Monitor emits, with its arguments. */
export interface MonitorEvents {
  /** The first child of a `start()` has spawned. */
  start: [monitor: Monitor, data: MonitorData];
  /** A later child has spawned. */
  restart: [monitor: Monitor, data: MonitorData];
  /** A child ended; its output is already in the files. */
  'exit:code': [code: number | null, signal: NodeJS.Signals | null];
  /** The monitor ended: it gave up, or it was stopped. */
  exit: [monitor: Monitor, spinning: boolean];
  /** `stop()` finished: the child and its group are gone and the files complete. */
  stop: [data: MonitorData];
  /** A chunk of the child's stdout (listeners attached before `start()`). */
  stdout: [chunk: Buffer];
  /** A chunk of the child's stderr (listeners attached before `start()`). */
  stderr: [chunk: Buffer];
  /** A message from the child over IPC (`fork: true`). */
  message: [message: unknown];
  /** A spawn failure, a missing script, or a failing output file. Never thrown at the host. */
  error: [error: Error];
  /** A lifecycle event, one per line of the `logFile`. */
  status: [event: StatusEvent];
  /** A watched file changed; a restart follows. */
  'watch:restart': [info: { file: string }];
}

interface Waiter {
  resolve: () => void;
  reject: (error: Error) => void;
  /** The child that ran when restart() was called: its own spawn does not count. */
  before: ChildRun | undefined;
}

/** The states in which a monitor has nothing running and may be started. */
const AT_REST: readonly MonitorState[] = ['idle', 'stopped', 'gave-up'];

/**
 * Keeps one child process running by forever's rules, stops it like systemd (the whole group
 * and tree, SIGKILL after killTTL) and loses none of its output.
 */
export class Monitor extends EventEmitter<MonitorEvents> {
  /** How many runs have ended so far (forever's `times`). */
  times = 0;
  /** When the current child started (ms since the epoch). */
  ctime: number | undefined;

  readonly #options: ResolvedOptions;
  readonly #files: OutputFiles;
  #state: MonitorState = 'idle';
  #run: ChildRun | undefined;
  /** A run whose pipes are still held open by a straggler after it ended. */
  readonly #lingering = new Set<ChildRun>();
  /** What the user asked for while a child runs or a restart waits. */
  #request: 'stop' | 'restart' | undefined;
  #wake: (() => void) | undefined;
  #stopped: Promise<void> | undefined;
  #settleStop: (() => void) | undefined;
  #restartWaiters: Waiter[] = [];
  #pastEnds: number[] = [];
  #spinsInARow = 0;
  #lastExit: ExitInfo | undefined;
  #closeWatcher: (() => Promise<void>) | undefined;
  /** The child's environment, made once per start(): copying process.env is slow. */
  readonly #envs = new Map<boolean, Record<string, string | undefined>>();
  /** Unique to this monitor: found in the environment of everything its children started. */
  readonly #runTag = `${process.pid}-${randomUUID()}`;

  constructor(script: string | readonly string[], options: MonitorOptions = {}) {
    super();
    this.#options = resolveOptions(script, options);
    // Checked here, so that a broken install fails before anything runs.
    if (this.#options.timestamp) checkStamping();
    const { outFile, errFile, logFile } = this.#options;
    this.#files = new OutputFiles({ outFile, errFile, logFile }, (event) => this.#status(event));
  }

  /** Where the monitor is: idle, running, restarting, waiting, stopping, stopped or gave-up. */
  get state(): MonitorState {
    return this.#state;
  }

  /** forever's `running`: true from `start()` until the monitor stops or gives up. */
  get running(): boolean {
    return !AT_REST.includes(this.#state);
  }

  /** The current child, if one is alive. */
  get child(): ChildProcess | undefined {
    return this.#run?.child;
  }

  /** How the last child ended. */
  get lastExit(): ExitInfo | undefined {
    return this.#lastExit;
  }

  /** The options in force, with every default filled in. */
  get options(): ResolvedOptions {
    return this.#options;
  }

  /** forever-monitor's `data`: what runs, where, and how often it restarted. */
  get data(): MonitorData {
    const o = this.#options;
    return {
      ctime: this.ctime,
      command: o.command,
      file: o.file,
      foreverPid: process.pid,
      logFile: o.logFile,
      args: o.file === undefined ? [...o.args] : o.args.slice(1),
      pid: this.#run?.pid,
      silent: o.silent,
      uid: o.uid,
      id: o.id,
      spawnWith: { ...o.spawnWith },
      running: this.running,
      restarts: this.times,
      isMaster: cluster.isPrimary,
      state: this.#state,
      ...(o.pidFile && { pidFile: o.pidFile }),
      ...(o.outFile && { outFile: o.outFile }),
      ...(o.errFile && { errFile: o.errFile }),
      ...(Object.keys(o.env).length > 0 && { env: { ...o.env } }),
      cwd: o.cwd,
      ...(o.sourceDir && { sourceDir: o.sourceDir }),
    };
  }

  /**
   * Starts the child. Throws ALREADY_RUNNING or STOPPING if the monitor is active, and LOG_PATH
   * (before anything runs) if a log or pid file cannot be opened.
   */
  start(): this {
    if (!AT_REST.includes(this.#state)) {
      const code = this.#state === 'stopping' ? 'STOPPING' : 'ALREADY_RUNNING';
      throw new KeepaliveError(code, `start(): the monitor is ${this.#state}`);
    }
    const o = this.#options;
    // A mistyped script creates no file and truncates none.
    const missing = this.#missingScript();
    if (!missing) {
      if (o.pidFile) checkPidFileFolder(o.pidFile);
      this.#files.open(!o.append);
    }
    this.#state = 'running';
    this.#request = undefined;
    this.#stopped = undefined;
    this.#pastEnds = [];
    this.#spinsInARow = 0;
    this.#envs.clear();

    if (missing) {
      // Reported after start() returns, so that listeners attached in the same tick hear it.
      process.nextTick(() => {
        this.#reportError(new KeepaliveError('SCRIPT_NOT_FOUND', `script not found: ${missing}`));
        this.#finish('gave-up', 'script-not-found', false);
      });
      return this;
    }
    if (o.watch) this.#startWatching();
    void this.#supervise(this.#restartWaiters.length > 0).catch((error: unknown) => this.#crashed(error));
    return this;
  }

  /**
   * Stops the child, its process group and tree: `killSignal`, then SIGKILL after `killTTL`.
   * Settles when all are gone and every byte the child wrote is in the files. `force` sends
   * SIGKILL at once, also to a stop already under way.
   */
  stop(options: { force?: boolean } = {}): Promise<void> {
    if (this.#state === 'idle') {
      return Promise.reject(new KeepaliveError('NOT_STARTED', 'stop(): the monitor was never started'));
    }
    if (AT_REST.includes(this.#state)) return Promise.resolve();
    if (options.force) void this.#run?.forceKill();
    if (this.#stopped) return this.#stopped;

    this.#stopped = new Promise((resolve) => (this.#settleStop = resolve));
    const hadRequest = this.#request;
    this.#request = 'stop';
    this.#state = 'stopping';
    if (this.#run && hadRequest !== 'restart') this.#terminate(this.#run);
    this.#wake?.();
    return this.#stopped;
  }

  /** Stops the child gracefully and starts a new one at once. Settles when the new one runs. */
  restart(): Promise<void> {
    if (this.#state === 'stopping') {
      return Promise.reject(new KeepaliveError('STOPPING', 'restart(): the monitor is stopping'));
    }
    const before = this.#run;
    const started = new Promise<void>((resolve, reject) => this.#restartWaiters.push({ resolve, reject, before }));
    if (AT_REST.includes(this.#state)) {
      try {
        this.start();
      } catch (error) {
        this.#settleRestarts(error as Error);
      }
    } else if (this.#request !== 'restart') {
      this.#request = 'restart';
      if (this.#run) {
        this.#state = 'restarting';
        this.#terminate(this.#run);
      }
      this.#wake?.();
    }
    return started;
  }

  /** forever's kill(): `kill(true)` is stop(); `kill()` ends the child and lets the rules decide. */
  kill(forceStop = false): this {
    if (this.#state === 'idle') throw new KeepaliveError('NOT_STARTED', 'kill(): the monitor was never started');
    if (forceStop) void this.stop();
    else if (this.#run) this.#terminate(this.#run);
    return this;
  }

  /** Sends a message to the child over IPC (`fork: true`). */
  send(message: unknown): void {
    const child = this.#run?.child;
    if (!this.#options.fork) throw new KeepaliveError('NO_IPC', 'send(): the child has no IPC channel; use fork: true');
    if (!child || !child.connected || !child.send) throw new KeepaliveError('NO_IPC', 'send(): no child is running');
    child.send(message as Parameters<NonNullable<ChildProcess['send']>>[0]);
  }

  /**
   * Opens the log files again by name (after logrotate renamed them): every byte written after
   * this goes to the new files. A file the child holds itself (`unmovableLogs`) moves only when
   * the child restarts. Says which in a `logs-reopened` status event, which it also returns.
   * Throws LOG_PATH, keeping the old files, if one cannot be opened.
   */
  reopenLogs(): Extract<StatusEvent, { type: 'logs-reopened' }> {
    const reopened = this.#files.reopen();
    const held = this.#run?.hasExited() === false ? this.#run.heldFiles : [];
    const event = {
      type: 'logs-reopened',
      reopened: reopened.map((name) => this.#files.path(name) as string),
      held: held.map((name) => this.#files.path(name) as string),
    } as const;
    this.#status(event);
    return event;
  }

  /** The loop that keeps one child running until the rules or the user say otherwise. */
  async #supervise(isRestart: boolean): Promise<void> {
    for (let restart = isRestart; ; restart = true) {
      const run = this.#spawn(restart);
      this.#run = run;
      const outcome = await run.ended;
      this.#run = undefined;
      for (const old of this.#lingering) if (old.drained) this.#lingering.delete(old);
      if (!run.drained) this.#lingering.add(run);
      const cause = this.#request === 'restart' ? 'restart-requested' : outcome.kind === 'spawn-failed' ? 'spawn-failed' : 'exited';
      const decision = this.#recordEnd(outcome, cause);
      if (this.#request === 'stop') return this.#finish('stopped', undefined, decision.spinning);
      this.#request = undefined;
      if (decision.action === 'give-up') return this.#finish('gave-up', decision.reason, decision.spinning);

      this.#status({ type: 'restarting', delay: decision.delay, reason: decision.reason });
      if (decision.delay > 0) {
        this.#state = 'waiting';
        await this.#sleep(decision.delay);
        if (this.#request === 'stop') return this.#finish('stopped', undefined, decision.spinning);
        this.#request = undefined;
      }
      this.#state = 'running';
    }
  }

  #spawn(isRestart: boolean): ChildRun {
    const o = this.#options;
    const plan = planOutput(this.#files, {
      silent: o.silent,
      echoFileOutput: o.echoFileOutput,
      timestamp: o.timestamp,
      unmovableLogs: o.unmovableLogs,
      fork: o.fork,
      stdio: o.stdio,
      listening: { stdout: this.listenerCount('stdout') > 0, stderr: this.listenerCount('stderr') > 0 },
    });
    const run = new ChildRun({
      command: o.command,
      args: o.args,
      spawnOptions: {
        cwd: o.cwd,
        env: this.#env(Object.keys(plan.pipes).length > 0),
        // Its own process group (and session), so that a stop reaches everything it started.
        detached: true,
        windowsHide: true,
        ...o.spawnWith,
      },
      plan,
      files: this.#files,
      runTag: this.#runTag,
      stop: {
        signal: o.killSignal,
        ttl: o.killTTL,
        killTree: o.killTree,
        onForce: (pids) => this.#status({ type: 'killing', pids, reason: this.#request ? 'killTTL' : 'leftovers' }),
      },
      onStdout: (chunk) => this.emit('stdout', chunk),
      onStderr: (chunk) => this.emit('stderr', chunk),
      onMessage: (message) => this.emit('message', message),
      onError: (error) => this.#reportError(error),
    });
    void run.spawned.then((error) => {
      if (error) return;
      this.ctime = Date.now();
      this.#status({ type: 'started', pid: run.pid as number, run: this.times + 1 });
      if (o.pidFile) this.#writePidFile(o.pidFile, run.pid as number);
      this.emit(isRestart ? 'restart' : 'start', this, this.data);
      this.#settleRestarts(undefined, run);
    });
    return run;
  }

  /** Counts the end of a run, reports it, and asks the rules what comes next. */
  #recordEnd(outcome: RunOutcome, cause: 'exited' | 'restart-requested' | 'spawn-failed'): RestartDecision {
    this.times++;
    let status: number | undefined;
    let uptime = 0;
    if (outcome.kind === 'spawn-failed') {
      const error = new KeepaliveError('SPAWN_FAILED', `cannot run ${this.#options.command}: ${outcome.error.message}`, {
        cause: outcome.error,
      });
      this.#status({ type: 'spawn-failed', error: outcome.error.message });
      this.#reportError(error);
      this.#settleRestarts(error);
    } else {
      const { code, signal } = outcome;
      uptime = outcome.uptime;
      status = code ?? 128 + signalNumber(signal ?? 'SIGKILL');
      this.#lastExit = { code, signal, status, uptime };
      this.#status({ type: 'exited', ...this.#lastExit });
      this.emit('exit:code', code, signal);
    }

    const now = performance.now();
    const decision = decideRestart(
      { cause, uptime, status, endedAt: now, pastEnds: this.#pastEnds, spinsInARow: this.#spinsInARow },
      this.#options,
    );
    if (cause !== 'restart-requested') this.#rememberEnd(now);
    const spinning = isSpinning({ cause, uptime }, this.#options);
    if (!spinning) this.#spinsInARow = 0;
    else if (cause !== 'restart-requested') this.#spinsInARow++;
    return decision;
  }

  /** Keeps what `max` needs of past ends: at most max - 1, and none older than the window. */
  #rememberEnd(at: number): void {
    const { max, restartWindow } = this.#options;
    if (!Number.isFinite(max)) return;
    this.#pastEnds.push(at);
    if (this.#pastEnds.length > max - 1) this.#pastEnds.shift();
    if (restartWindow === undefined) return;
    while (this.#pastEnds.length > 0 && (this.#pastEnds[0] as number) <= at - restartWindow) this.#pastEnds.shift();
  }

  /** Ends the monitor: closes the watcher and files, removes the pid file, tells everyone. */
  #finish(state: 'stopped' | 'gave-up', reason: GiveUpReason | undefined, spinning: boolean): void {
    const watcherClosed = this.#closeWatcher?.().catch((error: unknown) => this.#reportError(error as Error));
    this.#closeWatcher = undefined;
    if (this.#options.pidFile) this.#removePidFile(this.#options.pidFile);
    if (reason) this.#status({ type: 'gave-up', runs: this.times, reason });
    else this.#status({ type: 'stopped' });
    for (const run of this.#lingering) run.detach();
    this.#lingering.clear();
    this.#files.close();
    this.#state = state;
    this.#request = undefined;
    this.#settleRestarts(new KeepaliveError('SUPERSEDED', `restart(): the monitor ${state === 'stopped' ? 'was stopped' : 'gave up'}`));
    this.emit('exit', this, spinning);
    if (state === 'stopped') this.emit('stop', this.data);
    // stop() settles once the watcher, too, is closed: nothing of the monitor is left running.
    const settleStop = this.#settleStop;
    this.#settleStop = undefined;
    if (settleStop) void Promise.resolve(watcherClosed).then(settleStop);
  }

  #terminate(run: ChildRun): void {
    if (run.pid !== undefined && !run.hasExited()) {
      this.#status({ type: 'stopping', pid: run.pid, signal: String(this.#options.killSignal) });
    }
    void run.terminate();
  }

  /** Waits before a restart; stop() and restart() cut the wait short. */
  #sleep(ms: number): Promise<void> {
    return new Promise<void>((resolve) => {
      const timer = setTimeout(done, ms);
      function done(): void {
        clearTimeout(timer);
        resolve();
      }
      this.#wake = () => {
        this.#wake = undefined;
        done();
      };
    }).finally(() => (this.#wake = undefined));
  }

  #startWatching(): void {
    const o = this.#options;
    const own = [o.outFile, o.errFile, o.logFile, o.pidFile].filter((file): file is string => file !== undefined);
    this.#closeWatcher = watchFiles(
      {
        directories: o.watchDirectory.map((dir) => path.resolve(o.cwd, dir)),
        ignoreDotFiles: o.watchIgnoreDotFiles,
        ignorePatterns: o.watchIgnorePatterns,
        ignoredPaths: own.map((file) => path.resolve(file)),
        usePolling: o.usePolling,
        pollingInterval: o.pollingInterval,
      },
      (file) => {
        this.emit('watch:restart', { file });
        this.restart().catch(() => {
          // Overtaken by stop() or giving up: nothing to restart.
        });
      },
      (error) => this.#reportError(new KeepaliveError('WATCH_FAILED', `watch: ${error.message}`, { cause: error })),
    );
  }

  #env(readsPipes: boolean): Record<string, string | undefined> {
    let env = this.#envs.get(readsPipes);
    if (!env) {
      env = childEnv({ ...this.#options, runTag: this.#runTag }, readsPipes);
      this.#envs.set(readsPipes, env);
    }
    return env;
  }

  #missingScript(): string | undefined {
    const o = this.#options;
    if (!o.checkFile || o.file === undefined || !isNodeCommand(o.command)) return undefined;
    const file = path.resolve(o.cwd, o.file);
    try {
      statSync(file);
      return undefined;
    } catch {
      return file;
    }
  }

  #writePidFile(file: string, pid: number): void {
    try {
      writePidFile(file, pid);
    } catch (error) {
      this.#reportError(new KeepaliveError('OUTPUT_FAILED', `pidFile ${JSON.stringify(file)}: ${(error as Error).message}`, { cause: error }));
    }
  }

  #removePidFile(file: string): void {
    try {
      removePidFile(file);
    } catch (error) {
      this.#reportError(new KeepaliveError('OUTPUT_FAILED', `pidFile ${JSON.stringify(file)}: ${(error as Error).message}`, { cause: error }));
    }
  }

  /** Settles pending restart() calls: all of them with an error, or those the spawn of `run` answers. */
  #settleRestarts(error?: Error, run?: ChildRun): void {
    const settled = this.#restartWaiters.filter((waiter) => error || waiter.before !== run);
    this.#restartWaiters = this.#restartWaiters.filter((waiter) => !settled.includes(waiter));
    for (const waiter of settled) {
      if (error) waiter.reject(error);
      else waiter.resolve();
    }
  }

  #status(event: StatusEvent): void {
    this.#files.writeLine('logFile', `${new Date().toISOString()} keepalive: ${formatStatus(event)}\n`);
    this.emit('status', event);
  }

  /** An 'error' event only when someone listens: a watchdog must never crash its host. */
  #reportError(error: Error): void {
    if (this.listenerCount('error') > 0) this.emit('error', error);
    else process.emitWarning(error);
  }

  /** A bug in keepalive itself: reported, and the child is not left unwatched. */
  #crashed(error: unknown): void {
    this.#reportError(error instanceof Error ? error : new Error(String(error)));
    void this.#run?.terminate();
  }
}
