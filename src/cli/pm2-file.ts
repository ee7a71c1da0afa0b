import { readFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { showValue } from '../options/options.js';
import { ConfigError } from './config-error.js';

/**
 * pm2's files, read as they are: `ecosystem.config.js` (`.cjs`, `.mjs`) exporting `{ apps: [...] }`,
 * or a JSON file holding an array of apps or an object with `apps`.
 */

/** One app of a pm2 file, as written there. */
export type Pm2App = Readonly<Record<string, unknown>>;

/** A pm2 file's apps, with where the file is (its folder anchors relative paths). */
export interface Pm2File {
  readonly file: string;
  readonly folder: string;
  readonly apps: readonly Pm2App[];
}

/** A script file named like pm2's config files: `*.config.js`, `.cjs`, `.mjs`. */
const CONFIG_SCRIPT = /\.config\.(c|m)?js$/i;

/** The apps of parsed content: an array, or an object with `apps`; undefined for anything else. */
function appsOf(data: unknown): unknown[] | undefined {
  if (Array.isArray(data)) return data;
  if (typeof data === 'object' && data !== null && 'apps' in data && !('script' in data)) {
    const { apps } = data as { apps: unknown };
    return Array.isArray(apps) ? apps : typeof apps === 'object' && apps !== null ? [apps] : [];
  }
  return undefined;
}

/**
 * True if `target` is a pm2 file: a script named `*.config.js` (`.cjs`, `.mjs`), never any
 * other script; or a JSON file that is an array or has `apps` (one with `script` is keepalive's
 * own config). A JSON file that cannot be read is not one: the config reader says why.
 */
export function isPm2File(target: string, cwd = process.cwd()): boolean {
  if (CONFIG_SCRIPT.test(target)) return true;
  if (!target.toLowerCase().endsWith('.json')) return false;
  try {
    return appsOf(JSON.parse(readFileSync(path.resolve(cwd, target), 'utf8'))) !== undefined;
  } catch {
    return false;
  }
}

/** Reads a pm2 file's content: JSON as text, a script by importing it (pm2 runs it too). */
async function readContent(file: string): Promise<unknown> {
  if (file.toLowerCase().endsWith('.json')) {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (error) {
      throw new ConfigError(`cannot read pm2 file ${file}: ${(error as Error).message}`);
    }
    try {
      return JSON.parse(text);
    } catch (error) {
      throw new ConfigError(`pm2 file ${file} is not valid JSON: ${(error as Error).message}`);
    }
  }
  try {
    const loaded = (await import(pathToFileURL(file).href)) as { default?: unknown; apps?: unknown };
    // module.exports (CommonJS) arrives as `default`; an ES module may export `apps` by name.
    return loaded.default ?? (loaded.apps === undefined ? undefined : { apps: loaded.apps });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why = code === 'ERR_MODULE_NOT_FOUND' && !(error as Error).message.includes('imported from') ? 'no such file' : (error as Error).message;
    throw new ConfigError(`cannot load pm2 file ${file}: ${why}`);
  }
}

/** Loads a pm2 file's apps. Throws ConfigError for a file that cannot be read or has no apps. */
export async function loadPm2File(target: string, cwd = process.cwd()): Promise<Pm2File> {
  const file = path.resolve(cwd, target);
  const data = await readContent(file);
  const apps = appsOf(data);
  if (apps === undefined) throw new ConfigError(`pm2 file ${file}: expected an array of apps or an object with "apps", got ${showValue(data)}`);
  if (apps.length === 0) throw new ConfigError(`pm2 file ${file}: "apps" is empty`);
  apps.forEach((app, index) => {
    if (typeof app !== 'object' || app === null || Array.isArray(app)) {
      throw new ConfigError(`pm2 file ${file}: apps[${index}]: expected an object, got ${showValue(app)}`);
    }
  });
  return { file, folder: path.dirname(file), apps: apps as Pm2App[] };
}
