import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { appFolder, fixture, root, tempDir } from './helpers/paths.js';

/** Runs node with `args` in `cwd` and returns what it printed. */
const node = (args: string[], cwd: string): string => execFileSync(process.execPath, args, { cwd, encoding: 'utf8' });

/** Copies fixtures into the app folder `dir`, under their own names. */
function copyFixtures(dir: string, names: readonly string[]): void {
  for (const name of names) copyFileSync(fixture(name), path.join(dir, name));
}

test('import and require both load the built package by its name', () => {
  const app = appFolder();
  copyFixtures(app, ['package-esm.mjs', 'package-cjs.cjs']);
  assert.equal(node(['package-esm.mjs'], app).trim(), 'function function');
  assert.equal(node(['package-cjs.cjs'], app).trim(), 'function function');
});

test('npm pack ships a package that installs, imports, requires and type-checks', { timeout: 120_000 }, () => {
  const dir = tempDir();
  const packed = execFileSync('npm', ['pack', '--silent', '--pack-destination', dir], { cwd: root, encoding: 'utf8' }).trim().split('\n').at(-1) as string;
  const app = path.join(dir, 'app');
  mkdirSync(app);
  writeFileSync(path.join(app, 'package.json'), '{ "name": "app", "version": "1.0.0", "private": true }\n');
  execFileSync('npm', ['install', '--silent', '--no-audit', '--no-fund', '--prefer-offline', path.join(dir, packed)], { cwd: app, stdio: 'ignore' });
  copyFixtures(app, ['package-esm.mjs', 'package-cjs.cjs', 'package-stamp.mjs', 'package-stamp.cjs', 'package-types.mts', 'package-types.cts']);
  assert.equal(node(['package-esm.mjs'], app).trim(), 'function function');
  assert.equal(node(['package-cjs.cjs'], app).trim(), 'function function');
  assert.match(node([path.join(app, 'node_modules', 'keepalive-monitor', 'bin', 'keepalive.js'), '--version'], app), /\d+\.\d+\.\d+/);

  // Timestamps need the WebAssembly file that the package ships: both builds find it.
  const line = /^\d{4}-\d\d-\d\dT[\d:.]+Z hi\n$/;
  assert.match(node(['package-stamp.mjs', 'esm.log'], app), line);
  assert.match(node(['package-stamp.cjs', 'cjs.log'], app), line);

  // The types resolve for both kinds of consumer.
  const tsc = path.join(root, 'node_modules', 'typescript', 'bin', 'tsc');
  const compilerOptions = {
    strict: true, noEmit: true, skipLibCheck: false, module: 'nodenext', moduleResolution: 'nodenext',
    types: ['node'], typeRoots: [path.join(root, 'node_modules', '@types')],
  };
  for (const file of ['package-types.mts', 'package-types.cts']) {
    writeFileSync(path.join(app, 'tsconfig.json'), JSON.stringify({ compilerOptions, files: [file] }));
    execFileSync(process.execPath, [tsc, '-p', app], { cwd: app, encoding: 'utf8' });
  }
  assert.ok(readFileSync(path.join(app, 'node_modules', 'keepalive-monitor', 'preload', 'blocking-stdio.cjs'), 'utf8').length > 0);
});
