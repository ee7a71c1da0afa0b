import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import type { FSWatcher } from 'chokidar';
import { requireLazily } from '../package-files.js';

/** What the monitor asks the watcher to watch. */
export interface WatchSettings {
  readonly directories: readonly string[];
  readonly ignoreDotFiles: boolean;
  readonly ignorePatterns: readonly string[];
  /** keepalive's own log and pid files: changes to them never restart the child. */
  readonly ignoredPaths: readonly string[];
  readonly usePolling: boolean;
  readonly pollingInterval: number;
  /** A burst of changes ends when nothing changed for this long (`watchDelay`); QUIET_TIME by default. */
  readonly quietTime?: number;
}

/** A burst of changes (a build, a `git checkout`) ends when nothing changed for this long: the default of `watchDelay`. */
export const QUIET_TIME = 200;

/** An open watcher: `ready` settles once the first scan is done and changes are seen. */
export interface Watcher {
  readonly ready: Promise<void>;
  close(): Promise<void>;
}

/** Calls `onChange` once per burst of changes; returns the function that closes the watcher. */
export function watchFiles(
  settings: WatchSettings,
  onChange: (file: string) => void,
  onError: (error: Error) => void,
): () => Promise<void> {
  const watcher = openWatcher(settings, onChange, onError);
  return () => watcher.close();
}

/** `watchFiles`, with a promise that tells when the watcher is ready (for tests and tools). */
export function openWatcher(
  settings: WatchSettings,
  onChange: (file: string) => void,
  onError: (error: Error) => void,
): Watcher {
  let closing: Promise<void> | undefined;
  // Errors are reported on a later tick, so that the caller always has the closer first.
  const report = (error: Error): void => {
    process.nextTick(() => {
      if (!closing) onError(error);
    });
  };
  const roots = settings.directories.map((directory) => path.resolve(directory));
  roots.forEach((root) => checkFolder(root, report));
  const isIgnored = ignoreRule(settings, roots, report);
  const { watch } = requireLazily('chokidar') as typeof import('chokidar');
  const fsWatcher = watch(roots, {
    ignoreInitial: true,
    ignored: (file: string) => isIgnored(file),
    usePolling: settings.usePolling,
    interval: settings.pollingInterval,
    binaryInterval: settings.pollingInterval,
  });

  const debounced = debounce(settings.quietTime ?? QUIET_TIME, (file: string) => {
    if (!closing) onChange(file);
  });
  fsWatcher.on('all', (_event, file) => debounced.push(file));
  fsWatcher.on('error', (error) => report(error instanceof Error ? error : new Error(String(error))));

  return {
    ready: whenReady(fsWatcher),
    close() {
      closing ??= (async () => {
        debounced.cancel();
        await fsWatcher.close();
      })();
      return closing;
    },
  };
}

/** chokidar waits silently for a folder that does not exist; say so instead. */
function checkFolder(root: string, report: (error: Error) => void): void {
  try {
    if (!statSync(root).isDirectory()) report(Object.assign(new Error(`cannot watch ${root}: not a folder`), { code: 'ENOTDIR' }));
  } catch (error) {
    report(Object.assign(new Error(`cannot watch ${root}: ${(error as Error).message}`, { cause: error }), { code: (error as NodeJS.ErrnoException).code }));
  }
}

function whenReady(fsWatcher: FSWatcher): Promise<void> {
  return new Promise((resolve) => fsWatcher.once('ready', resolve));
}

/** Collects calls and passes the first of a burst on once `quiet` ms went by without another. */
function debounce(quiet: number, fire: (first: string) => void): { push(file: string): void; cancel(): void } {
  let first: string | undefined;
  let timer: NodeJS.Timeout | undefined;
  return {
    push(file) {
      first ??= file;
      clearTimeout(timer);
      timer = setTimeout(() => {
        const file = first as string;
        first = undefined;
        timer = undefined;
        fire(file);
      }, quiet);
    },
    cancel() {
      clearTimeout(timer);
      timer = undefined;
      first = undefined;
    },
  };
}

/**
 * The test for "never restart for this path": keepalive's own files (and their rotated or
 * temporary siblings, `out.log.1`, `app.pid.tmp`), dot files, the patterns given, and the lines
 * of a `.foreverignore` in each watched folder. Globs follow forever-monitor: a pattern that
 * starts with `/` is matched against the absolute path, others against the path relative to the
 * watched folder, and a pattern without a slash also against the file's name. A folder that
 * matches is skipped with everything in it.
 */
export function ignoreRule(
  settings: Pick<WatchSettings, 'ignoreDotFiles' | 'ignorePatterns' | 'ignoredPaths'>,
  roots: readonly string[],
  onError: (error: Error) => void = () => {},
): (file: string) => boolean {
  const ownFiles = settings.ignoredPaths.map((file) => path.resolve(file));
  const isOwnFile = (file: string): boolean =>
    ownFiles.some((own) => file === own || (file.startsWith(own) && '.-~'.includes(file.charAt(own.length))));

  const rules = roots.map((root) => ({
    root,
    matches: globMatcher([...settings.ignorePatterns, ...readIgnoreFile(root, onError)]),
  }));
  // The deepest watched folder that holds a file decides how it is matched.
  rules.sort((a, b) => b.root.length - a.root.length);

  return (given) => {
    const file = path.resolve(given);
    if (isOwnFile(file)) return true;
    const rule = rules.find(({ root }) => file === root || file.startsWith(root + path.sep));
    if (!rule || file === rule.root) return false;
    const parts = path.relative(rule.root, file).split(path.sep);
    if (settings.ignoreDotFiles && parts.some((part) => part.startsWith('.'))) return true;
    // Test each enclosing folder too, so that `build` also covers `build/x/y.js`.
    return parts.some((_, index) => {
      const relative = parts.slice(0, index + 1).join('/');
      return rule.matches(relative, path.join(rule.root, relative));
    });
  };
}

function globMatcher(patterns: readonly string[]): (relative: string, absolute: string) => boolean {
  const picomatch = requireLazily('picomatch') as typeof import('picomatch');
  const tests = patterns
    .map((pattern) => pattern.trim().replace(/(.)\/+$/, '$1'))
    .filter((pattern) => pattern !== '' && !pattern.startsWith('#'))
    .map((pattern) => {
      // picomatch's `basename` breaks patterns with a slash, so it is only set for those without.
      const isMatch = picomatch(pattern, { dot: true, basename: !pattern.includes('/') });
      return pattern.startsWith('/')
        ? (_relative: string, absolute: string) => isMatch(absolute.split(path.sep).join('/'))
        : (relative: string) => isMatch(relative);
    });
  return (relative, absolute) => tests.some((test) => test(relative, absolute));
}

/** The patterns of `.foreverignore` in a watched folder as they are used: no blank lines or `#` comments. */
export function foreverIgnorePatterns(root: string): string[] {
  return readIgnoreFile(root, () => {})
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'));
}

/** The patterns of `.foreverignore` in a watched folder, one per line; none when there is no file. */
function readIgnoreFile(root: string, onError: (error: Error) => void): string[] {
  const file = path.join(root, '.foreverignore');
  try {
    return readFileSync(file, 'utf8').split(/\r?\n/);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== 'ENOENT' && code !== 'ENOTDIR') {
      onError(new Error(`cannot read ${file}: ${(error as Error).message}`, { cause: error }));
    }
    return [];
  }
}
