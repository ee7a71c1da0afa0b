import assert from 'node:assert/strict';
import { copyFileSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { runBin } from './helpers/bin.js';
import { appFolder, fixture, root } from './helpers/paths.js';
import { waitForFile } from './helpers/polling.js';
import { freePort } from './helpers/ports.js';
import { README } from './helpers/readme.js';
import { spawn, spawnSync } from 'node:child_process';

/** The first fenced block of `language` after the heading `heading`, as it stands in the README. */
function example(heading: string, language: string): string {
  const start = README.indexOf(`\n${heading}\n`);
  assert.ok(start >= 0, `the README has a section ${heading}`);
  const match = new RegExp('```' + language + '\\n([^]*?)\\n```').exec(README.slice(start));
  assert.ok(match?.[1], `${heading} has a ${language} example`);
  return match[1];
}

/** A folder as a user's project: `server.js`, and keepalive installed in `node_modules`. */
function project(): string {
  const dir = appFolder('keepalive-readme-');
  copyFileSync(fixture('readme-server.js'), path.join(dir, 'server.js'));
  return dir;
}

test('README "In code": runs as written beside a server.js, creates logs/, and stops on SIGTERM', async () => {
  const dir = project();
  writeFileSync(path.join(dir, 'app.mjs'), `${example('## In code', 'js')}\n`);
  const app = spawn(process.execPath, ['app.mjs'], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, PORT: '0' } });
  let output = '';
  app.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  app.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => app.on('close', (code) => resolve(code)));
  try {
    await waitForFile(path.join(dir, 'logs', 'out.log'), /^ready on port \d+\n/);
    await waitForFile(path.join(dir, 'logs', 'keepalive.log'), /keepalive: started pid \d+ \(run 1\)/);
  } finally {
    app.kill('SIGTERM');
  }
  assert.equal(await exited, 0, output);
  assert.match(readFileSync(path.join(dir, 'logs', 'keepalive.log'), 'utf8'), /keepalive: stopped\n$/);
  assert.equal(readFileSync(path.join(dir, 'logs', 'err.log'), 'utf8'), '');
});

const hasPerl = spawnSync('perl', ['-e', '1']).status === 0;

test('README "Coming from forever-monitor": the CommonJS example runs as written', { skip: !hasPerl && 'perl is not installed' }, () => {
  const dir = project();
  writeFileSync(path.join(dir, 'app.cjs'), `${example('### Coming from forever-monitor', 'js')}\n`);
  const run = spawnSync(process.execPath, ['app.cjs'], { cwd: dir, encoding: 'utf8', timeout: 30_000 });
  assert.equal(run.stderr, '');
  assert.equal(run.stdout, 'child said: moo\ndone after 1 run, max 1, command perl\n');
  assert.equal(run.status, 0);
});

test('README "Config file": starts as written, creating logs/', async () => {
  const dir = project();
  writeFileSync(path.join(dir, 'app.json'), example('### Config file', 'json'));
  const run = runBin(['start', 'app.json'], { cwd: dir, env: { ...process.env, PORT: '0' } });
  try {
    await run.waitFor('stderr', /started pid \d+ \(run 1\)/);
    await waitForFile(path.join(dir, 'logs', 'server.log'), /ready on port \d+\n/);
  } finally {
    run.process.kill('SIGTERM');
  }
  assert.deepEqual(await run.exited, { code: 0, signal: null }, run.stderr());
});

test('README "Recipes": the shell loop\'s replacement keeps stderr in error.log and shows stdout', async () => {
  const block = example('### Recipes', 'sh');
  const line = block.split('\n').find((each) => each.startsWith('keepalive start'));
  assert.equal(line, 'keepalive start -e error.log app.js');
  const dir = project();
  copyFileSync(fixture('say-both.js'), path.join(dir, 'app.js'));
  const words = (line as string).split(' ').slice(1);
  const run = runBin([...words.slice(0, 1), '-q', '-m', '1', ...words.slice(1), 'to stdout', 'to stderr'], { cwd: dir });
  assert.deepEqual(await run.exited, { code: 0, signal: null });
  assert.equal(run.stdout(), 'to stdout\n');
  assert.equal(readFileSync(path.join(dir, 'error.log'), 'utf8'), 'to stderr\n');
  assert.ok(!existsSync(path.join(dir, 'out.log')));
});

test('every test file and folder the README names exists', () => {
  const named = [...new Set([...README.matchAll(/`(test\/[^`*\s]+)`/g)].map((match) => match[1] as string))];
  assert.ok(named.length > 10, `the README names its tests (${named.length})`);
  assert.deepEqual(named.filter((file) => !existsSync(path.join(root, file))), []);
});

test('README "Readiness and health checks": runs as written beside a server.js, says when the server is ready, stops on SIGTERM', async () => {
  const dir = project();
  writeFileSync(path.join(dir, 'app.mjs'), `${example('### Readiness and health checks', 'js')}\n`);
  const app = spawn(process.execPath, ['app.mjs'], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, PORT: String(await freePort()) } });
  let output = '';
  const ready = new Promise<void>((resolve) => app.stdout.on('data', (chunk: Buffer) => {
    output += chunk.toString();
    if (/^pid \d+ ready after \d+ ms$/m.test(output)) resolve();
  }));
  app.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => app.on('close', (code) => resolve(code)));
  await Promise.race([ready, exited]);
  app.kill('SIGTERM');
  assert.equal(await exited, 0, output);
  assert.match(output, /^ready on port \d+\npid \d+ ready after \d+ ms$/m);
});
