'use strict';
// Loaded into node children through NODE_OPTIONS when keepalive reads their output from a pipe.
// Node writes to pipes without blocking and queues what the pipe cannot take at once; a process
// that crashes or exits before its event loop runs again loses that queue (its last words).
// Blocking writes, which Node already uses for files and terminals, lose nothing. Only the
// streams that are keepalive's own pipes are changed: the first node process records their
// identity for its descendants, so that pipes of their own keep Node's usual behaviour.
const { fstatSync } = require('node:fs');

function pipeIdentity(fd) {
  try {
    const stat = fstatSync(fd);
    return stat.isFIFO() || stat.isSocket() ? `${stat.dev}:${stat.ino}` : undefined;
  } catch {
    return undefined;
  }
}

const streams = [process.stdout, process.stderr];
const identities = [pipeIdentity(1), pipeIdentity(2)];
if (process.env.KEEPALIVE_PIPES === undefined) process.env.KEEPALIVE_PIPES = identities.filter(Boolean).join(',');
const pipes = process.env.KEEPALIVE_PIPES.split(',');
streams.forEach((stream, index) => {
  const identity = identities[index];
  if (identity && pipes.includes(identity)) stream._handle?.setBlocking?.(true);
});
