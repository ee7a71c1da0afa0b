import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { root, tempDir } from './helpers/paths.js';

const node = (args: string[], cwd = root): string => execFileSync(process.execPath, args, { cwd, encoding: 'utf8' });

test('import and require both load the built package by its name', () => {
  assert.equal(node(['--input-type=module', '-e', "import { Monitor, KeepaliveError } from 'keepalive'; console.log(typeof Monitor, typeof KeepaliveError)"]).trim(), 'function function');
  assert.equal(node(['--input-type=commonjs', '-e', "const { Monitor, KeepaliveError } = require('keepalive'); console.log(typeof Monitor, typeof KeepaliveError)"]).trim(), 'function function');
});

test('npm pack ships a package that installs, imports, requires and type-checks', { timeout: 120_000 }, () => {
  const dir = tempDir();
  const packed = execFileSync('npm', ['pack', '--silent', '--pack-destination', dir], { cwd: root, encoding: 'utf8' }).trim().split('\n').at(-1) as string;
  const app = path.join(dir, 'app');
  mkdirSync(app);
  writeFileSync(path.join(app, 'package.json'), '{ "name": "app", "version": "1.0.0", "private": true }\n');
  execFileSync('npm', ['install', '--silent', '--no-audit', '--no-fund', '--prefer-offline', path.join(dir, packed)], { cwd: app, stdio: 'ignore' });
  assert.equal(node(['--input-type=module', '-e', "import { Monitor } from 'keepalive'; console.log(typeof Monitor)"], app).trim(), 'function');
  assert.equal(node(['-e', "console.log(typeof require('keepalive').Monitor)"], app).trim(), 'function');
  assert.match(node([path.join(app, 'node_modules', 'keepalive', 'bin', 'keepalive.js'), '--version'], app), /\d+\.\d+\.\d+/);

  // Timestamps need the WebAssembly file that the package ships: both builds find it.
  const stamped = (load: string, out: string): string =>
    `${load}\nconst m = new Monitor(['echo', 'hi'], { max: 1, silent: true, timestamp: true, outFile: '${out}' });\n` +
    `m.on('exit', () => process.stdout.write(require('node:fs').readFileSync('${out}', 'utf8')));\nm.start();`;
  const line = /^\d{4}-\d\d-\d\dT[\d:.]+Z hi\n$/;
  assert.match(node(['--input-type=module', '-e', stamped("import { Monitor } from 'keepalive'; import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);", 'esm.log')], app), line);
  assert.match(node(['--input-type=commonjs', '-e', stamped("const { Monitor } = require('keepalive');", 'cjs.log')], app), line);

  // The types resolve for both kinds of consumer.
  const tsc = path.join(root, 'node_modules', 'typescript', 'bin', 'tsc');
  const config = { compilerOptions: { strict: true, noEmit: true, skipLibCheck: false, types: ['node'], typeRoots: [path.join(root, 'node_modules', '@types')] } };
  for (const [file, module] of [['esm.mts', 'nodenext'], ['cjs.cts', 'nodenext']] as const) {
    const source = file === 'esm.mts'
      ? "import { Monitor } from 'keepalive';\nconst m = new Monitor('x.js', { max: 1 });\nm.on('exit', (_m, spinning: boolean) => void spinning);\n"
      : "import keepalive = require('keepalive');\nconst m = new keepalive.Monitor('x.js', { max: 1 });\nm.on('exit', (_m, spinning: boolean) => void spinning);\n";
    writeFileSync(path.join(app, file), source);
    writeFileSync(path.join(app, 'tsconfig.json'), JSON.stringify({ ...config, compilerOptions: { ...config.compilerOptions, module, moduleResolution: module }, files: [file] }));
    execFileSync(process.execPath, [tsc, '-p', app], { cwd: app, encoding: 'utf8' });
  }
  assert.ok(readFileSync(path.join(app, 'node_modules', 'keepalive', 'preload', 'blocking-stdio.cjs'), 'utf8').length > 0);
});
