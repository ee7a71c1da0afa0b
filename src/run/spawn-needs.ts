import type { Readable } from 'node:stream';
import { KeepaliveError } from '../vocabulary/errors.js';

/**
 * What run-time features need from a child's spawn (an IPC channel, extra file descriptors, a few
 * variables, node preloads, a command around the child's), merged into one plan. The seam numbers
 * the descriptors, so that features asking for a notification pipe or listening sockets never pick
 * the same number: in the order of the features (src/features/all.ts), sockets first.
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
  /** The descriptor must be below this number (a shell's `>&3` reads one digit only). */
  readonly below?: number;
  /** The option that asks for it, named when the descriptor cannot be given (else the name). */
  readonly option?: string;
}

/** A command run in place of the child's, which then runs it (as `exec`, keeping the pid). */
export type CommandWrap = (command: string, args: readonly string[]) => { readonly command: string; readonly args: readonly string[] };

/** What one feature asks for at each spawn. */
export interface SpawnNeeds {
  /** An IPC channel: the child's messages reach the run's `onMessage` listeners. */
  readonly ipc?: boolean;
  /** Extra descriptors, numbered from the first free one (3 with the usual stdio) in the order asked. */
  readonly fds?: readonly FdRequest[];
  /** Variables set (or, undefined, removed) for the child. */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Files node processes in the child's tree load first (`NODE_OPTIONS=--require`). */
  readonly preloads?: readonly string[];
  /** Runs the child's command inside another (to tell it its own pid, as LISTEN_PID must). */
  readonly wrap?: CommandWrap;
}

/** The needs of every feature for one spawn. */
export interface SpawnPlan {
  readonly ipc: boolean;
  readonly fds: readonly { readonly name: string; readonly fd: number; readonly source: 'pipe' | number; readonly option: string }[];
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly preloads: readonly string[];
  /** The wraps of all features, the first feature's innermost. */
  readonly wrap: CommandWrap | undefined;
}

/**
 * Merges what features need: descriptors numbered from `first`, same names shared, variables
 * combined, preloads in order. Throws INVALID_OPTION when a descriptor would get a number at or
 * above its `below` (too many sockets before a notification pipe), naming the options.
 */
export function planSpawn(needs: readonly SpawnNeeds[], first: number): SpawnPlan {
  const fds: { name: string; fd: number; source: 'pipe' | number; option: string }[] = [];
  const env: Record<string, string | undefined> = {};
  for (const need of needs) {
    Object.assign(env, need.env);
    for (const request of need.fds ?? []) {
      const known = fds.find((fd) => fd.name === request.name);
      const fd = known?.fd ?? first + fds.length;
      if (request.below !== undefined && fd >= request.below) throw tooHigh(request, fd, fds);
      if (!known) fds.push({ name: request.name, fd, source: request.source, option: request.option ?? request.name });
      Object.assign(env, request.env?.(fd));
    }
  }
  const wraps = needs.flatMap((need) => (need.wrap ? [need.wrap] : []));
  const wrap: CommandWrap | undefined = wraps.length === 0 ? undefined : (command, args) =>
    wraps.reduce((line, each) => each(line.command, line.args), { command, args });
  return { ipc: needs.some((need) => need.ipc), fds, env, preloads: needs.flatMap((need) => need.preloads ?? []), wrap };
}

function tooHigh(request: FdRequest, fd: number, before: readonly { fd: number; option: string }[]): KeepaliveError {
  const options = [...new Set(before.map((one) => one.option))];
  const range = before.length === 0 ? '' : ` (${options.join(', ')} take${options.length === 1 ? 's' : ''} fds ${fd - before.length}-${fd - 1})`;
  return new KeepaliveError('INVALID_OPTION',
    `${request.option ?? request.name}: its ${request.name} descriptor must be below ${request.below}, and would be ${fd}${range}; pass fewer listen addresses`);
}

/** One child as a feature sees it. */
export interface RunInfo {
  readonly pid: number;
  /** A reload's new child, found ready (ms after its spawn) before it took over from the old one. */
  readonly readyAfter?: number;
  /** The streams of the extra pipes the features asked for, by name. */
  readonly fds: ReadonlyMap<string, Readable>;
  /** True once the watchdog is stopping this child: what probes see then is no news. */
  stopping(): boolean;
  /** Listens to the child's IPC messages; returns the function that stops listening. */
  onMessage(listener: (message: unknown) => void): () => void;
}
