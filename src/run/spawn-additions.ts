import type { StdioOptions } from 'node:child_process';

/**
 * What run-time features add to each spawn: descriptors of the watchdog passed to the child from
 * fd 3 on (before an IPC channel, which moves up), variables, node preloads, and a command that
 * runs the child's command in its own process (to tell it its pid, as LISTEN_PID must).
 */
export interface SpawnAdditions {
  readonly fds: readonly number[];
  readonly env: Readonly<Record<string, string>>;
  /** Files node processes in the child's tree load first (`NODE_OPTIONS=--require`). */
  readonly preloads: readonly string[];
  readonly wrap?: (command: string, args: readonly string[]) => { readonly command: string; readonly args: readonly string[] };
}

export const NO_ADDITIONS: SpawnAdditions = { fds: [], env: {}, preloads: [] };

/** The additions of several features together, in their order. */
export function mergeAdditions(all: readonly SpawnAdditions[]): SpawnAdditions {
  if (all.length === 0) return NO_ADDITIONS;
  const wraps = all.flatMap((one) => (one.wrap ? [one.wrap] : []));
  return {
    fds: all.flatMap((one) => one.fds),
    env: Object.assign({}, ...all.map((one) => one.env)) as Record<string, string>,
    preloads: all.flatMap((one) => one.preloads),
    wrap: wraps.length === 0 ? undefined : (command, args) =>
      wraps.reduce((line, wrap) => wrap(line.command, line.args), { command, args }),
  };
}

/** Quotes a path for NODE_OPTIONS, which reads double-quoted words with backslash escapes. */
export function quoteForNodeOptions(file: string): string {
  return `"${file.replace(/["\\]/g, '\\$&')}"`;
}

/** The child's stdio with the passed descriptors at 3, 4, ...; whatever followed fd 2 comes after them. */
export function stdioWith(stdio: StdioOptions, fds: readonly number[]): StdioOptions {
  if (fds.length === 0) return stdio;
  const list = typeof stdio === 'string' ? [stdio, stdio, stdio] : [...stdio];
  while (list.length < 3) list.push('ignore');
  list.splice(3, 0, ...fds);
  return list;
}

/** The child's environment with the features' variables and preloads. */
export function envWith(env: Record<string, string | undefined>, additions: SpawnAdditions): Record<string, string | undefined> {
  if (additions === NO_ADDITIONS) return env;
  const merged = { ...env, ...additions.env };
  const preloads = additions.preloads.map((file) => `--require ${quoteForNodeOptions(file)}`);
  if (preloads.length > 0) merged.NODE_OPTIONS = [merged.NODE_OPTIONS, ...preloads].filter(Boolean).join(' ');
  return merged;
}
