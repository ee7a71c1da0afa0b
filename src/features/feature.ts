import type { ResolvedOptions } from '../options/options.js';
import type { KeepaliveError } from '../vocabulary/errors.js';
import type { RunInfo, SpawnNeeds } from '../run/spawn-needs.js';
import type { FailureReason, FeatureRestartReason, StatusEvent } from '../vocabulary/events.js';

export type { FdRequest, RunInfo, SpawnNeeds } from '../run/spawn-needs.js';

/**
 * The seam where run-time features attach. A feature is made at each `start()` of a monitor,
 * may watch each run, and is closed when the monitor stops or gives up: every listener and
 * timer it installs is removed by what it returns, as with any listener installer.
 */

/** What a feature may do to the monitor it is attached to. */
export interface FeatureHost {
  readonly options: ResolvedOptions;
  /** Asks for a graceful restart: it reaches the restart rule as requested, with this reason. */
  restart(reason: FeatureRestartReason): void;
  /**
   * The running child is failing (not ready in time, unhealthy, over its memory limit): it is
   * stopped gracefully and the restart rule decides as for a crash. Ignored when no child runs or
   * a stop, restart or earlier failure is already under way. Say why in a status event first.
   */
  fail(reason: FailureReason): void;
  /**
   * The running child said it is ready (`ready`), `after` ms after it spawned: the monitor emits
   * `ready` and settles `restart()`; the other features hear it in `runReady`.
   */
  ready(after: number): void;
  /** A line of the monitor's life (written to logFile, emitted as `status`). */
  status(event: StatusEvent): void;
  /** Listens to the monitor's status events (a feature's own too); returns what stops it. */
  onStatus(listener: (event: StatusEvent) => void): () => void;
  /** A problem of the feature's own: an `error` event, never a crash of the host. */
  report(error: KeepaliveError): void;
}

/** A feature attached to one `start()`. */
export interface Feature {
  /** What the next child needs at its spawn: an IPC channel, extra descriptors, variables, preloads, a command wrapper. */
  spawnNeeds?(): SpawnNeeds;
  /** A child has spawned; returns what undoes the feature's work for it when its run ends. */
  attachRun?(run: RunInfo): (() => void) | undefined;
  /** The current child is ready (told by the feature that watches for it). */
  runReady?(): void;
  /** The monitor ended: removes everything the feature installed. */
  close(): void | Promise<void>;
}

/**
 * Makes a feature for a start, or undefined when its option is off. Throws a KeepaliveError
 * (LOG_PATH, ...) when it cannot work: `start()` then fails before any child runs.
 */
export type FeatureFactory = (host: FeatureHost) => Feature | undefined;
