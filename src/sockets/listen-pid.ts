import { accessSync, constants } from 'node:fs';
import path from 'node:path';

/**
 * LISTEN_PID must be the pid of the process that uses the sockets, which is known only after the
 * spawn. A shell knows its own pid, and `exec` keeps it: the child runs as
 * `/bin/sh -c 'LISTEN_PID=$$ exec "$0" "$@"' command args...`, the same process the watchdog
 * spawned, with the pid it knows, signals, group and all. A command that cannot be found is
 * spawned as it is, so that it fails as it would without sockets (a spawn error, not a shell's
 * status 127).
 */
export function withListenPid(command: string, args: readonly string[], cwd: string, searchPath: string | undefined): { command: string; args: readonly string[] } {
  if (process.platform === 'win32' || !found(command, cwd, searchPath)) return { command, args };
  return { command: '/bin/sh', args: ['-c', 'LISTEN_PID=$$; export LISTEN_PID; exec "$0" "$@"', command, ...args] };
}

/** True when the command names an executable file, directly or on the search path. */
function found(command: string, cwd: string, searchPath: string | undefined): boolean {
  const candidates = command.includes('/')
    ? [path.resolve(cwd, command)]
    : (searchPath ?? '').split(path.delimiter).filter(Boolean).map((dir) => path.join(dir, command));
  return candidates.some((file) => {
    try {
      accessSync(file, constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}
