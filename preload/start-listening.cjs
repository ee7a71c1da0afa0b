'use strict';
// Run once by keepalive with bound sockets on fds 3, 4, ...: puts each in the listening state and
// exits before its event loop could accept anything. The sockets stay listening in the watchdog,
// which never accepts on them; connections wait in the kernel's queue for the next child.
const net = require('node:net');

const count = Number(process.env.KEEPALIVE_LISTEN_COUNT);
const backlog = Number(process.env.KEEPALIVE_LISTEN_BACKLOG) || 511;
for (let fd = 3; fd < 3 + count; fd++) {
  // listen({ fd }) calls listen(2) at once, in this tick; a failure leaves the server not listening.
  const server = net.createServer().on('error', () => {});
  server.listen({ fd, backlog });
  if (!server.listening) {
    process.stderr.write(`fd ${fd} cannot listen\n`);
    process.exit(1);
  }
}
process.exit(0);
