'use strict';
// Loaded into node processes of a child's tree through NODE_OPTIONS when keepalive holds
// listening sockets for it (`listen`). An unchanged `server.listen(3000)` (express, fastify, http)
// on an address keepalive holds then uses the passed socket, `listen({ fd: 3 })`, instead of
// binding a new one: connections that came while no child ran are waiting in its queue.
// Any other listen() is left alone. A descriptor is used only while it is still the socket
// keepalive passed (same device and inode), so a process that closed or reused it binds as usual.
const { fstatSync } = require('node:fs');
const net = require('node:net');
const path = require('node:path');

let passed = [];
try {
  passed = JSON.parse(process.env.KEEPALIVE_LISTEN || '[]');
} catch {
  passed = [];
}

function stillPassed(socket) {
  try {
    const stat = fstatSync(socket.fd);
    return stat.isSocket() && `${stat.dev}:${stat.ino}` === socket.id;
  } catch {
    return false;
  }
}

const ANY = new Set([undefined, null, '', '0.0.0.0', '::']);

// A listen() on every address takes the held socket of its port, whichever address keepalive
// was told; one on a named address takes only a socket of that address.
function sameHost(wanted, held) {
  return ANY.has(wanted) || wanted === held || (wanted === 'localhost' && held === '127.0.0.1');
}

/** What listen() was asked for: { port, host } or { path }, with the backlog; undefined for anything else. */
function requested(args) {
  const [first, second, third] = args;
  if (first !== null && typeof first === 'object') {
    if (first.fd !== undefined || first._handle || first.handle) return undefined;
    return { port: first.port, host: first.host, path: first.path, backlog: first.backlog };
  }
  if (typeof first === 'number' || (typeof first === 'string' && /^\d+$/.test(first))) {
    return { port: Number(first), host: typeof second === 'string' ? second : undefined, backlog: typeof second === 'number' ? second : typeof third === 'number' ? third : undefined };
  }
  if (typeof first === 'string') return { path: first, backlog: typeof second === 'number' ? second : undefined };
  return undefined;
}

function held(wanted) {
  return passed.find((socket) => {
    const address = socket.address;
    if (!address) return false;
    if (address.kind === 'unix') return typeof wanted.path === 'string' && path.resolve(wanted.path) === address.path;
    return wanted.path === undefined && Number(wanted.port) === address.port && sameHost(wanted.host, address.host);
  });
}

// The servers on passed sockets, and for HTTP servers the responses not yet sent.
const servers = new Set();
const pending = new Set();
let draining = false;

/** How long a drain leaves a keep-alive connection that carries no request before closing it. */
const IDLE_GRACE = 1000;

/**
 * SIGTERM, when the app has no handler of its own: stop accepting (the socket stays open in the
 * watchdog and the next child), answer each connection's next request with `Connection: close`
 * (so its client opens a new one, which the next child accepts), close connections that stay
 * idle, then die of SIGTERM as the app would have at once. killTTL still bounds it.
 */
function drain() {
  if (process.listenerCount('SIGTERM') > 1) return;
  draining = true;
  for (const response of pending) if (!response.headersSent) response.shouldKeepAlive = false;
  let open = servers.size;
  const closed = () => {
    if (--open > 0) return;
    process.off('SIGTERM', drain);
    process.kill(process.pid, 'SIGTERM');
  };
  for (const server of servers) {
    // net's close, not http's: http's closes idle connections at once, racing requests on their way.
    net.Server.prototype.close.call(server, closed);
    setTimeout(() => server.closeIdleConnections?.(), IDLE_GRACE).unref();
  }
}

function track(server) {
  servers.add(server);
  if (servers.size === 1) process.on('SIGTERM', drain);
  server.prependListener('request', (request, response) => {
    if (draining) response.shouldKeepAlive = false;
    pending.add(response);
    response.once('finish', () => pending.delete(response));
  });
}

if (passed.length > 0 && !require('node:cluster').isWorker) {
  const listen = net.Server.prototype.listen;
  net.Server.prototype.listen = function listenOnPassedSocket(...args) {
    const wanted = requested(args);
    const socket = wanted && held(wanted);
    if (!socket || !stillPassed(socket)) return listen.apply(this, args);
    track(this);
    const callback = args.find((arg) => typeof arg === 'function');
    const options = { fd: socket.fd };
    if (wanted.backlog !== undefined) options.backlog = wanted.backlog;
    return callback ? listen.call(this, options, callback) : listen.call(this, options);
  };
}
