import { packageFile } from '../package-files.js';
import { canBindWithoutListening } from '../sockets/bind.js';
import { HeldSockets } from '../sockets/held-sockets.js';
import { withListenPid } from '../sockets/listen-pid.js';
import { KeepaliveError } from '../vocabulary/errors.js';
import type { FeatureFactory, SpawnNeeds } from './feature.js';

/**
 * `listen`: the sockets are made once, at `start()`, and passed to every child from fd 3 on (the seam's first descriptors), so
 * that connections arriving while no child runs wait in the kernel's queue instead of being
 * refused. Closed when the monitor stops or gives up. A node child's `server.listen(port)` on a
 * held address uses the passed socket (preload/listen-fds.cjs).
 */
export const listenFeature: FeatureFactory = (host) => {
  const { listen, cwd, env } = host.options;
  if (!listen) return undefined;
  if (!canBindWithoutListening()) {
    // Without it, the children bind as they would without `listen`: a gap while one restarts.
    host.report(new KeepaliveError('LISTEN', 'listen: this Node cannot hold a socket without accepting on it; each child binds its own'));
    return undefined;
  }
  const sockets = new HeldSockets(listen);
  host.status({ type: 'listening', addresses: sockets.addresses });
  // The first feature on the seam (all.ts): its descriptors are 3, 4, ... (after a longer `stdio`, if one is given).
  const needs: SpawnNeeds = {
    fds: sockets.fds.map((fd, index) => ({
      name: `listen ${index}`, source: fd, option: 'listen', ...(index === 0 && { env: (first: number) => sockets.env(first) }),
    })),
    preloads: [packageFile('preload', 'listen-fds.cjs')],
    wrap: (command, args) => withListenPid(command, args, cwd, env.PATH ?? process.env.PATH),
  };
  return {
    spawnNeeds: () => needs,
    close: () => sockets.close(),
  };
};
