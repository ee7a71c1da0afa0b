import type { ChildProcess } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { ForeverProperties } from './compat/forever-properties.js';
import { FeatureSet } from './features/feature-set.js';
import { uniqueId } from './files/unique-id.js';
import { resolveOptions, type ArgValue, type MonitorOptions, type ResolvedOptions } from './options/options.js';
import { checkStamping } from './output/line-stamper.js';
import { OutputFiles } from './output/output-files.js';
import { compressionsFinished } from './output/compress.js';
import { rotationSettings } from './output/rotation.js';
import { ChildEnvCache } from './run/child-env.js';
import { ChildRun, type RunOutcome } from './run/child-run.js';
import { missingScript } from './run/missing-script.js';
import { reloadReadiness, reloadRefusal, Reloads } from './run/reload.js';
import { runSettings, stopRequest } from './run/run-settings.js';
import { monitorData } from './run/monitor-data.js';
import { RestartHistory } from './run/restart-history.js';
import type { RestartDecision, RunEnd } from './run/restart-policy.js';
import { RestartWaiters } from './run/restart-waiters.js';
import { LingeringRuns } from './run/lingering-runs.js';
import { sendToChild } from './run/child-ipc.js';
import { WakeableSleep } from './run/wakeable-sleep.js';
import { KeepaliveError } from './vocabulary/errors.js';
import { formatStatus, type ExitInfo, type FailureReason, type GiveUpReason, type MonitorData } from './vocabulary/events.js';
import type { MonitorEventMap, MonitorState, StatusEvent } from './vocabulary/events.js';

/** Every event a Monitor emits, with its arguments. */
export type MonitorEvents = MonitorEventMap<Monitor>;

/** The states in which a monitor has nothing running and may be started. */
const AT_REST: readonly MonitorState[] = ['idle', 'stopped', 'gave-up'];

/**
 * Keeps one child process running by forever's rules, stops it like systemd (the whole group
 * and tree, SIGKILL after killTTL) and loses none of its output.
 */
export class Monitor extends ForeverProperties<MonitorEvents> {
  /** How many runs have ended so far (forever's `times`). */
  times = 0;
  /** When the current child started (ms since the epoch). */
  ctime: number | undefined;

  readonly #options: ResolvedOptions;
  readonly #files: OutputFiles;
  #state: MonitorState = 'idle';
  #run: ChildRun | undefined;
  readonly #lingering = new LingeringRuns(); // runs whose pipes a straggler still holds
  /** What the user (or a feature, for its reason) asked for while a child runs or a restart waits. */
  #request: 'stop' | 'restart' | undefined;
  #requestedFor: NonNullable<RunEnd['requestedFor']> = 'requested';
  /** Set when a feature found the running child failing and the watchdog is stopping it. */
  #failedFor: FailureReason | undefined;
  /** The features of this start: pid file, watch, ... */
  readonly #features = new FeatureSet();
  readonly #wait = new WakeableSleep();
  #stopped: Promise<void> | undefined;
  #settleStop: (() => void) | undefined;
  readonly #restartWaiters = new RestartWaiters<ChildRun>();
  readonly #history: RestartHistory;
  #lastExit: ExitInfo | undefined;
  /** Unique to this monitor: found in the environment of everything its children started. */
  readonly #runTag = `${process.pid}-${uniqueId()}`;
  readonly #envs: ChildEnvCache;
  readonly #reloads = new Reloads(); // a reload's runs: the new one until it is ready, the old one while it stops

  constructor(script: string | readonly ArgValue[], options: MonitorOptions = {}) {
    super();
    this.#options = resolveOptions(script, options);
    this.#history = new RestartHistory(this.#options);
    this.#envs = new ChildEnvCache({ ...this.#options, runTag: this.#runTag }, (error) => this.#reportError(error));
    // Checked here, so that a broken install fails before anything runs.
    if (this.#options.timestamp) checkStamping();
    const { outFile, errFile, logFile } = this.#options;
    const fileSettings = { rotation: rotationSettings(this.#options), json: this.#options.logFormat === 'json' };
    this.#files = new OutputFiles({ outFile, errFile, logFile }, (event) => this.#status(event), fileSettings);
    (this as unknown as NodeJS.EventEmitter).on('newListener', (event: unknown) => this.#run?.listenerAdded(event)); // see listenerAdded
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

  override get options(): ResolvedOptions {
    return this.#options;
  }

  /** forever-monitor's `data`: what runs, where, and how often it restarted. */
  get data(): MonitorData {
    return monitorData(this.#options, { ctime: this.ctime, pid: this.#run?.pid, running: this.running, restarts: this.times, state: this.#state });
  }

  /**
   * Starts the child. Throws ALREADY_RUNNING or STOPPING if the monitor is active, and LOG_PATH
   * (before anything runs) if a log or pid file cannot be opened.
   */
  start(): this {
    const busy = this.#state === 'stopping' ? 'STOPPING' : 'ALREADY_RUNNING';
    if (!AT_REST.includes(this.#state)) throw new KeepaliveError(busy, `start(): the monitor is ${this.#state}`);
    // A mistyped script creates no file and truncates none.
    const missing = missingScript(this.#options);
    if (!missing) this.#attachFeatures();
    this.#state = 'running';
    this.#request = undefined;
    this.#stopped = undefined;
    this.#history.reset();

    // The rest waits for the end of this tick: listeners attached after start() hear all of it.
    const isRestart = this.#restartWaiters.pending;
    process.nextTick(() => {
      if (!missing) return void this.#supervise(isRestart).catch((error: unknown) => this.#crashed(error));
      this.#reportError(new KeepaliveError('SCRIPT_NOT_FOUND', `Target script does not exist: ${missing}`));
      this.#finish('gave-up', 'script-not-found', false);
    });
    return this;
  }

  /**
   * Stops the child, its process group and tree: `killSignal`, then SIGKILL after `killTTL`. Settles when all are
   * gone and every byte the child wrote is in the files. `force` sends SIGKILL at once, also to a stop under way.
   */
  stop(options: { force?: boolean } = {}): Promise<void> {
    if (this.#state === 'idle') return Promise.reject(new KeepaliveError('NOT_STARTED', 'stop(): the monitor was never started'));
    if (AT_REST.includes(this.#state)) return Promise.resolve();
    if (options.force) void this.#run?.forceKill();
    if (this.#stopped) return this.#stopped;

    this.#stopped = new Promise((resolve) => (this.#settleStop = resolve));
    const hadRequest = this.#request;
    this.#request = 'stop';
    this.#state = 'stopping';
    if (this.#run && hadRequest !== 'restart') this.#terminate(this.#run);
    for (const other of this.#reloads.others) this.#terminate(other);
    this.#wait.wake();
    return this.#stopped;
  }

  /** Stops the child gracefully and starts a new one at once. Settles when the new one runs (is ready, with `ready`). */
  restart(): Promise<void> {
    return this.#restart('requested');
  }

  /** A new child beside the running one, then the old one stops gracefully; RELOAD_FAILED if the new one fails (run/reload.ts). */
  reload(): Promise<void> {
    const old = this.#run;
    const refused = reloadRefusal(this.#state, this.#request, old);
    if (refused || !old) return Promise.reject(refused);
    return this.#reloads.run({
      spawn: () => this.#spawn(true, old), terminate: (run) => this.#terminate(run), status: (event) => this.running && this.#status(event),
      promote: (next, readyAfter) => {
        this.#run = next;
        this.#features.replaceRun({ ...next.info(), ...(readyAfter !== undefined && { readyAfter }) });
      },
      endedAlone: (outcome) => {
        this.#recordEnd(outcome, { cause: 'exited' });
        if (this.#request === 'restart') this.#request = undefined;
      },
      retired: () => void this.times++, ...reloadReadiness(this.#options),
    }, old);
  }

  /** `restart()`, for the user or for a feature's reason, which the restart rule gets. */
  #restart(reason: NonNullable<RunEnd['requestedFor']>): Promise<void> {
    if (this.#state === 'stopping') return Promise.reject(new KeepaliveError('STOPPING', 'restart(): the monitor is stopping'));
    const started = this.#restartWaiters.add(this.#run);
    if (AT_REST.includes(this.#state)) {
      try {
        this.start();
      } catch (error) {
        this.#restartWaiters.settle(error as Error);
      }
    } else if (this.#request !== 'restart') {
      this.#request = 'restart';
      this.#requestedFor = reason;
      if (this.#run) {
        this.#state = 'restarting';
        this.#terminate(this.#run);
      }
      this.#wait.wake();
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

  /** Sends a message to the child over IPC (`fork: true`, or a channel a feature opened). */
  send(message: unknown): void {
    sendToChild(this.#run?.child, message);
  }

  /**
   * Opens the log files again by name (after logrotate renamed them): every byte written after this goes to the
   * new files. A file the child holds itself (`unmovableLogs`) moves only when the child restarts. Says which in
   * a `logs-reopened` status event, which it also returns. Throws LOG_PATH, keeping the old files, if one cannot be opened.
   */
  reopenLogs(): Extract<StatusEvent, { type: 'logs-reopened' }> {
    const event = this.#files.reopen(this.#run?.hasExited() === false ? this.#run.heldFiles : []);
    this.#status(event);
    return event;
  }

  /** The loop that keeps one child running until the rules or the user say otherwise; it follows a reload's new run. */
  async #supervise(isRestart: boolean): Promise<void> {
    // A stop() in start()'s tick ends it before any spawn; a restart() then is this very start.
    if (this.#request === 'stop') return this.#finish('stopped', undefined, false);
    this.#request = undefined;
    for (let restart = isRestart; ; restart = true) {
      let run = this.#spawn(restart);
      this.#run = run;
      let outcome = await run.ended;
      while (this.#run !== run || (this.#reloads.next && this.#request !== 'stop')) {
        if (this.#run === run) this.#reloads.adopt(outcome);
        outcome = await (run = this.#run as ChildRun).ended;
      }
      await this.#reloads.idle;
      this.#run = undefined;
      this.#features.endRun();
      this.#lingering.ended(run);
      const cause = this.#request === 'restart' ? 'restart-requested' : outcome.kind === 'spawn-failed' ? 'spawn-failed' : 'exited';
      const decision = this.#recordEnd(outcome, { cause, requestedFor: this.#requestedFor, failedFor: this.#failedFor });
      this.#requestedFor = 'requested';
      this.#failedFor = undefined;
      if (this.#request === 'stop') return this.#finish('stopped', undefined, decision.spinning);
      this.#request = undefined;
      if (decision.action === 'give-up') return this.#finish('gave-up', decision.reason, decision.spinning);

      const { delay, reason, failedFor } = decision;
      this.#status({ type: 'restarting', delay, reason, ...(failedFor && { failedFor }) });
      if (decision.delay > 0) {
        this.#state = 'waiting';
        await this.#wait.sleep(decision.delay);
        if (this.#request === 'stop') return this.#finish('stopped', undefined, decision.spinning);
        this.#request = undefined;
      }
      this.#state = 'running';
    }
  }

  #spawn(isRestart: boolean, beside?: ChildRun): ChildRun {
    const listening = { stdout: this.listenerCount('stdout') > 0, stderr: this.listenerCount('stderr') > 0 };
    // A reload's new run has a tag of its own, so that stopping what the old one left spares it.
    const runTag = beside?.runTag === this.#runTag ? `${this.#runTag}-reload` : this.#runTag;
    const run = new ChildRun(runSettings(this.#options, this.#files, this.#envs, runTag, listening, this.#features.spawnNeeds(), {
      onForce: (pids) => this.#status({ type: 'killing', pids, reason: this.#request || this.#failedFor ? 'killTTL' : 'leftovers' }),
      onStdout: (chunk) => this.emit('stdout', chunk),
      onStderr: (chunk) => this.emit('stderr', chunk),
      onMessage: (message) => this.emit('message', message),
      onError: (error) => this.#reportError(error),
    }));
    void run.spawned.then((error) => {
      if (error) return;
      this.ctime = Date.now();
      this.#status({ type: 'started', pid: run.pid as number, run: this.times + 1 });
      if (!beside) this.#features.attachRun(run.info()); // a reload's new run gets them when it takes over (promote)
      this.emit(isRestart ? 'restart' : 'start', this, this.data);
      // With `ready`, restart() settles when the new child is ready.
      if (this.#options.ready === undefined) this.#restartWaiters.settle(undefined, run);
    });
    return run;
  }

  /** Counts the end of a run, reports it, and asks the rules what comes next. */
  #recordEnd(outcome: RunOutcome, why: Pick<RunEnd, 'cause' | 'requestedFor' | 'failedFor'>): RestartDecision {
    this.times++;
    if (outcome.kind === 'spawn-failed') {
      this.#status({ type: 'spawn-failed', error: outcome.error.message });
      const error = new KeepaliveError('SPAWN_FAILED', `cannot run ${this.#options.command}: ${outcome.error.message}`, { cause: outcome.error });
      this.#reportError(error);
      this.#restartWaiters.settle(error);
    } else {
      const { kind, ...exit } = outcome;
      this.#lastExit = exit;
      this.#status({ type: 'exited', ...exit });
      this.emit('exit:code', exit.code, exit.signal);
    }
    const { uptime = 0, status } = outcome.kind === 'exited' ? outcome : {};
    return this.#history.decide({ ...why, uptime, status }, performance.now());
  }

  /** Ends the monitor: detaches the features (watcher, pid file, ...), closes the files, tells everyone. */
  #finish(state: 'stopped' | 'gave-up', reason: GiveUpReason | undefined, spinning: boolean): void {
    const featuresClosed = this.#features.close((error) => this.#reportError(error));
    if (reason) this.#status({ type: 'gave-up', runs: this.times, reason });
    else this.#status({ type: 'stopped' });
    this.#lingering.detachAll();
    this.#files.close();
    this.#state = state;
    this.#request = undefined;
    this.#restartWaiters.settle(new KeepaliveError('SUPERSEDED', `restart(): the monitor ${state === 'stopped' ? 'was stopped' : 'gave up'}`));
    this.emit('exit', this, spinning);
    if (state === 'stopped') this.emit('stop', this.data);
    // stop() settles once the watcher is closed and the archives compressed: nothing of the monitor is left running.
    const settleStop = this.#settleStop;
    this.#settleStop = undefined;
    if (settleStop) void Promise.all([featuresClosed, compressionsFinished()]).then(() => settleStop());
  }

  /** Reads the env file, makes this start's features, then opens the files; on a failure, undoes what it did and throws. */
  #attachFeatures(): void {
    this.#envs.reload();
    const report = (error: Error): void => this.#reportError(error);
    this.#features.attach({
      options: this.#options,
      // Overtaken by stop() or giving up: then there is nothing to restart.
      restart: (reason) => void this.#restart(reason).catch(() => {}),
      fail: (reason) => this.#fail(reason),
      ready: (after) => this.#ready(after),
      status: (event) => this.#status(event),
      onStatus: (listener) => (this.on('status', listener), () => void this.off('status', listener)),
      report,
    }, report);
    try {
      this.#files.open(!this.#options.append);
    } catch (error) {
      void this.#features.close(report);
      throw error;
    }
  }

  /** A feature found the child failing: stopped gracefully, then the rules decide as for a crash. */
  #fail(reason: FailureReason): void {
    if (this.#state !== 'running' || this.#request || this.#failedFor || !this.#run || this.#run.hasExited()) return;
    this.#failedFor = reason;
    this.#terminate(this.#run);
  }

  /** A feature saw the running child become ready. */
  #ready(after: number): void {
    const run = this.#run;
    if (run?.pid === undefined || run.hasExited()) return;
    this.#status({ type: 'ready', pid: run.pid, after });
    this.emit('ready', { pid: run.pid, after });
    this.#restartWaiters.settle(undefined, run);
  }

  #terminate(run: ChildRun): void {
    if (run.pid !== undefined && !run.hasExited()) this.#status({ type: 'stopping', pid: run.pid, signal: stopRequest(this.#options) });
    void run.terminate();
  }

  #status(event: StatusEvent): void {
    this.#files.writeStatus('logFile', formatStatus(event));
    this.emit('status', event);
    if (event.type === 'file-changed') this.emit('watch:restart', { file: event.file });
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
