import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { get } from 'node:http';
import { test } from 'node:test';
import { Monitor } from '../src/index.js';
import { root } from './helpers/paths.js';

function fetchText(url: string): Promise<string> {
  return new Promise((resolve, reject) => {
    get(url, (response) => {
      let body = '';
      response.on('data', (chunk: Buffer) => (body += chunk.toString()));
      response.on('end', () => resolve(body));
    }).on('error', reject);
  });
}

test('examples/programmatic.mjs runs, restarts the server three times, then stops it', () => {
  const output = execFileSync(process.execPath, ['examples/programmatic.mjs'], { cwd: root, encoding: 'utf8', timeout: 60_000 });
  assert.match(output, /keepalive: started pid \d+ \(run 1\)/);
  assert.match(output, /keepalive: restarting in \d+ ms \((spinning|backoff)\)/);
  assert.match(output, /stopped after 4 runs/);
});

test('examples/crashing-server.js comes back after /crash', async () => {
  const monitor = new Monitor(`${root}examples/crashing-server.js`, { silent: true, env: { PORT: '0' } });
  const urls: string[] = [];
  const nextUrl = (): Promise<string> =>
    new Promise((resolve) => {
      const onData = (chunk: Buffer): void => {
        const match = /http:\/\/localhost:\d+/.exec(chunk.toString());
        if (!match) return;
        monitor.off('stdout', onData);
        urls.push(match[0]);
        resolve(match[0]);
      };
      monitor.on('stdout', onData);
    });
  const first = nextUrl();
  monitor.start();
  const url = await first;
  const second = nextUrl();
  assert.equal(await fetchText(`${url}/crash`), 'crashing\n');
  const again = await second;
  assert.match(await fetchText(again), /hello from pid \d+/);
  assert.equal(monitor.times, 1);
  await monitor.stop();
});
