// An HTTP server that crashes on purpose: GET /crash throws, and with CRASH_AFTER_MS set it also
// crashes on its own after that long. Run it under keepalive and watch it come back:
//   node bin/keepalive.js start examples/crashing-server.js
//   curl localhost:3000/crash
import http from 'node:http';

const port = Number(process.env.PORT ?? 3000);
const server = http.createServer((request, response) => {
  if (request.url === '/crash') {
    response.end('crashing\n');
    setImmediate(() => {
      throw new Error('crashed on request');
    });
    return;
  }
  response.end(`hello from pid ${process.pid}\n`);
});

server.listen(port, () => console.log(`ready: listening on http://localhost:${server.address().port} (pid ${process.pid})`));

if (process.env.CRASH_AFTER_MS) {
  setTimeout(() => {
    throw new Error('crashed on schedule');
  }, Number(process.env.CRASH_AFTER_MS)).unref();
}

// A graceful stop: finish open requests, then exit.
process.on('SIGTERM', () => server.close(() => process.exit(0)));
