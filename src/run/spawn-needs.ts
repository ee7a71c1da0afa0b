import type { Readable } from 'node:stream';

/**
 * What run-time features need from a child's spawn (an IPC channel, extra file descriptors, a few
 * variables), merged into one plan. The seam numbers the descriptors, so that features asking for
 * a notification pipe or listening sockets never pick the same number.
 */

/** An extra file descriptor for the child. */
export interface FdRequest {
  /** What the feature calls it; features asking for the same name share one descriptor. */
  readonly name: string;
  /**
   * `'pipe'`: a pipe the child writes and keepalive reads (the run's `fds` holds its stream). A
   * number: a descriptor of keepalive's own, passed as it is (a listening socket).
   */
  readonly source: 'pipe' | number;
  /** The variables that tell the child the number it got (`NOTIFY_FD=3`). */
  readonly env?: (fd: number) => Readonly<Record<string, string>>;
}

/** What one feature asks for at each spawn. */
export interface SpawnNeeds {
  /** An IPC channel: the child's messages reach the run's `onMessage` listeners. */
  readonly ipc?: boolean;
  /** Extra descriptors, numbered from the first free one (3 with the usual stdio) in the order asked. */
  readonly fds?: readonly FdRequest[];
  /** Variables set (or, undefined, removed) for the child. */
  readonly env?: Readonly<Record<string, string | undefined>>;
}

/** The needs of every feature for one spawn. */
export interface SpawnPlan {
  readonly ipc: boolean;
  readonly fds: readonly { readonly name: string; readonly fd: number; readonly source: 'pipe' | number }[];
  readonly env: Readonly<Record<string, string | undefined>>;
}

/** Merges what features need: descriptors numbered from `first`, same names shared, variables combined. */
export function planSpawn(needs: readonly SpawnNeeds[], first: number): SpawnPlan {
  const fds: { name: string; fd: number; source: 'pipe' | number }[] = [];
  const env: Record<string, string | undefined> = {};
  for (const need of needs) {
    Object.assign(env, need.env);
    for (const request of need.fds ?? []) {
      const known = fds.find((fd) => fd.name === request.name);
      const fd = known?.fd ?? first + fds.length;
      if (!known) fds.push({ name: request.name, fd, source: request.source });
      Object.assign(env, request.env?.(fd));
    }
  }
  return { ipc: needs.some((need) => need.ipc), fds, env };
}

/** One child as a feature sees it. */
export interface RunInfo {
  readonly pid: number;
  /** The streams of the extra pipes the features asked for, by name. */
  readonly fds: ReadonlyMap<string, Readable>;
  /** True once the watchdog is stopping this child: what probes see then is no news. */
  stopping(): boolean;
  /** Listens to the child's IPC messages; returns the function that stops listening. */
  onMessage(listener: (message: unknown) => void): () => void;
}
