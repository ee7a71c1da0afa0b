import assert from 'node:assert/strict';
import path from 'node:path';
import { test } from 'node:test';
import { Monitor } from '../../src/index.js';
import { listenAddresses, parseListenAddress } from '../../src/options/listen-address.js';

test('listen addresses: a port, host:port, [v6]:port, localhost, a socket path', () => {
  const cases: [string | number, ReturnType<typeof parseListenAddress>][] = [
    [3000, { kind: 'tcp', host: undefined, port: 3000 }],
    ['3000', { kind: 'tcp', host: undefined, port: 3000 }],
    ['127.0.0.1:80', { kind: 'tcp', host: '127.0.0.1', port: 80 }],
    ['[::1]:3000', { kind: 'tcp', host: '::1', port: 3000 }],
    ['localhost:3000', { kind: 'tcp', host: '127.0.0.1', port: 3000 }],
    ['/run/app.sock', { kind: 'unix', path: '/run/app.sock' }],
    ['./app.sock', { kind: 'unix', path: path.resolve('app.sock') }],
    [0, undefined],
    [65536, undefined],
    ['3000.5', undefined],
    ['::1:3000', undefined],
    ['[127.0.0.1]:3000', undefined],
    ['example.com:3000', undefined],
    ['app.sock', undefined],
    ['127.0.0.1:0', undefined],
  ];
  for (const [entry, expected] of cases) assert.deepEqual(parseListenAddress(entry), expected, String(entry));
  assert.deepEqual(listenAddresses('listen', [3000, 'localhost:3001']), ['3000', '127.0.0.1:3001']);
});

test('listen: a bad entry is refused naming the option, the place in the list and the value', () => {
  assert.throws(() => new Monitor('app.js', { listen: 'app.sock' }), { code: 'INVALID_OPTION', message: /^option listen: expected a port .* got "app\.sock"$/ });
  assert.throws(() => new Monitor('app.js', { listen: [3000, true as unknown as number] }), { code: 'INVALID_OPTION', message: /^option listen\[1\]: .* got true$/ });
  assert.throws(() => new Monitor('app.js', { listen: [] }), { code: 'INVALID_OPTION', message: /^option listen: / });
});
