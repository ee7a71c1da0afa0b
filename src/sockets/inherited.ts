import { fstatSync } from 'node:fs';

/** A socket this process received by systemd's socket activation. */
export interface InheritedSocket {
  readonly fd: number;
  readonly name: string;
}

let taken: readonly InheritedSocket[] | undefined;

/**
 * The sockets systemd passed to this process (`LISTEN_FDS` from fd 3, addressed to it by
 * `LISTEN_PID`, named by `LISTEN_FDNAMES`). Read once: the variables are then removed, as
 * sd_listen_fds(3) does, so that no child takes them for its own. They stay open for the
 * process's life, and every monitor with `listen` passes them on.
 */
export function inheritedSockets(env: NodeJS.ProcessEnv = process.env): readonly InheritedSocket[] {
  if (taken) return taken;
  const count = Number(env.LISTEN_FDS);
  const forUs = env.LISTEN_PID === String(process.pid) && Number.isInteger(count) && count > 0;
  const names = (env.LISTEN_FDNAMES ?? '').split(':');
  taken = forUs
    ? Array.from({ length: count }, (_, index) => ({ fd: 3 + index, name: names[index] || 'unknown' })).filter(({ fd }) => isSocket(fd))
    : [];
  for (const name of ['LISTEN_FDS', 'LISTEN_PID', 'LISTEN_FDNAMES']) delete env[name];
  return taken;
}

function isSocket(fd: number): boolean {
  try {
    return fstatSync(fd).isSocket();
  } catch {
    return false;
  }
}
