import { fileURLToPath } from 'node:url';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after } from 'node:test';

/** The project's root folder (tests run from build/test/, this file from build/test/helpers/). */
export const root = fileURLToPath(new URL('../../../', import.meta.url));

/** The absolute path of a fixture in test/fixtures/. */
export function fixture(name: string): string {
  return path.join(root, 'test', 'fixtures', name);
}

/** A fresh temporary folder, removed when the test file ends. */
export function tempDir(prefix = 'keepalive-test-'): string {
  const dir = mkdtempSync(path.join(tmpdir(), prefix));
  after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** A temporary folder as a user's project: this keepalive in its `node_modules` (a link to the root). */
export function appFolder(prefix = 'keepalive-app-'): string {
  const dir = tempDir(prefix);
  mkdirSync(path.join(dir, 'node_modules'));
  symlinkSync(root, path.join(dir, 'node_modules', 'keepalive-monitor'), 'dir');
  return dir;
}
