// Talking to the servers a test runs: free ports, one request at a time.
import http from 'node:http';
import net from 'node:net';

/** A TCP port nobody listens on right now (the kernel's pick, released at once). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
    server.on('error', reject);
  });
}

/** GETs a path on a port (or a Unix socket) and parses the JSON answer; rejects with the error code (ECONNREFUSED). */
export function getJson(where: number | string, path = '/'): Promise<Record<string, unknown>> {
  const target = typeof where === 'number' ? { host: '127.0.0.1', port: where } : { socketPath: where };
  return new Promise((resolve, reject) => {
    const request = http.get({ ...target, path, agent: false }, (response) => {
      let body = '';
      response.setEncoding('utf8').on('data', (chunk: string) => (body += chunk));
      response.on('end', () => resolve(JSON.parse(body) as Record<string, unknown>));
    });
    request.on('error', reject);
  });
}
