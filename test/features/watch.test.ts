import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { ignoreRule, openWatcher, watchFiles, QUIET_TIME, type WatchSettings } from '../../src/features/watch.js';
import { tempDir } from '../helpers/paths.js';

function settings(directories: string[], more: Partial<WatchSettings> = {}): WatchSettings {
  return { directories, ignoreDotFiles: true, ignorePatterns: [], ignoredPaths: [], usePolling: false, pollingInterval: 50, ...more };
}

/** Opens a watcher whose changes and errors land in queues a test can wait on. */
async function open(given: WatchSettings) {
  const changes: string[] = [];
  const errors: Error[] = [];
  let wake: (() => void) | undefined;
  const watcher = openWatcher(
    given,
    (file) => {
      changes.push(file);
      wake?.();
    },
    (error) => {
      errors.push(error);
      wake?.();
    },
  );
  await watcher.ready;
  return {
    changes,
    errors,
    close: () => watcher.close(),
    /** Resolves when at least `count` changes or errors arrived. */
    async next(count = 1, queue: unknown[] = changes) {
      while (queue.length < count) await new Promise<void>((resolve) => (wake = resolve));
    },
    /** Makes a change, again after each quiet period without a call, until `count` calls came. */
    async until(count: number, change: () => void) {
      while (changes.length < count) {
        change();
        await Promise.race([this.next(count), delay(QUIET_TIME * 2)]);
      }
    },
  };
}

test('a burst of changes restarts once, named by its first file', async () => {
  const dir = tempDir();
  const watcher = await open(settings([dir]));
  for (let i = 0; i < 30; i++) writeFileSync(path.join(dir, `file-${i}.js`), `// ${i}\n`);
  await watcher.next();
  // chokidar checks each event with an asynchronous stat, so any file of the burst may come first.
  assert.match(watcher.changes[0] ?? '', /file-\d+\.js$/);
  // Nothing more may come once the burst is over: give a late call time to show up.
  await delay(QUIET_TIME * 3);
  assert.equal(watcher.changes.length, 1);
  await watcher.close();
});

test("keepalive's own files and their rotated siblings never count", async () => {
  const dir = tempDir();
  const own = [path.join(dir, 'out.log'), path.join(dir, 'app.pid')];
  const watcher = await open(settings([dir], { ignoredPaths: own }));
  writeFileSync(path.join(dir, 'out.log'), 'line\n');
  writeFileSync(path.join(dir, 'out.log.1'), 'rotated\n');
  writeFileSync(path.join(dir, 'app.pid.tmp'), '123');
  writeFileSync(path.join(dir, 'app.pid'), '123');
  // A real change after them: the burst it closes must be named by it, not by the files above.
  writeFileSync(path.join(dir, 'server.js'), '// changed\n');
  await watcher.next();
  assert.deepEqual(watcher.changes, [path.join(dir, 'server.js')]);
  await watcher.close();
});

test('dot files, patterns and .foreverignore are ignored; a nested change is seen', async () => {
  const dir = tempDir();
  mkdirSync(path.join(dir, 'build', 'deep'), { recursive: true });
  mkdirSync(path.join(dir, 'src', 'lib'), { recursive: true });
  mkdirSync(path.join(dir, 'cache'));
  writeFileSync(path.join(dir, '.foreverignore'), '# generated\ncache/\n\n*.tmp\n');
  const watcher = await open(settings([dir], { ignorePatterns: ['build', '*.log', `${dir}/secret.txt`] }));
  writeFileSync(path.join(dir, '.env'), 'A=1\n');
  writeFileSync(path.join(dir, 'build', 'deep', 'bundle.js'), '//\n');
  writeFileSync(path.join(dir, 'src', 'lib', 'debug.log'), 'x\n');
  writeFileSync(path.join(dir, 'secret.txt'), 'x\n');
  writeFileSync(path.join(dir, 'cache', 'entry'), 'x\n');
  writeFileSync(path.join(dir, 'notes.tmp'), 'x\n');
  writeFileSync(path.join(dir, 'src', 'lib', 'util.js'), '// changed\n');
  await watcher.next();
  assert.deepEqual(watcher.changes, [path.join(dir, 'src', 'lib', 'util.js')]);
  await watcher.close();
});

test('with ignoreDotFiles false a dot file counts', async () => {
  const dir = tempDir();
  const watcher = await open(settings([dir], { ignoreDotFiles: false }));
  writeFileSync(path.join(dir, '.env'), 'A=1\n');
  await watcher.next();
  assert.deepEqual(watcher.changes, [path.join(dir, '.env')]);
  await watcher.close();
});

test('several folders, each with its own .foreverignore, and polling', async () => {
  const first = tempDir();
  const second = tempDir();
  writeFileSync(path.join(second, '.foreverignore'), 'skip.js\n');
  // The files exist before the watcher starts: a poller takes its first look a little after
  // chokidar's 'ready', and a file created before that look is never picked up. A change made
  // before it is part of what it starts from, so the change is repeated until it is seen.
  for (const file of [path.join(first, 'skip.js'), path.join(second, 'skip.js'), path.join(second, 'app.js')]) {
    writeFileSync(file, '//\n');
  }
  const watcher = await open(settings([first, second], { usePolling: true, pollingInterval: 20 }));
  await watcher.until(1, () => {
    writeFileSync(path.join(second, 'skip.js'), `// ${Math.random()}\n`);
    writeFileSync(path.join(second, 'app.js'), `// ${Math.random()}\n`);
  });
  assert.deepEqual(watcher.changes, [path.join(second, 'app.js')]);
  await watcher.until(2, () => writeFileSync(path.join(first, 'skip.js'), `// ${Math.random()}\n`));
  assert.deepEqual(watcher.changes.slice(1), [path.join(first, 'skip.js')]);
  await watcher.close();
});

test('the closer really closes: no call after it, and the test process can end', async () => {
  const dir = tempDir();
  const calls: string[] = [];
  const close = watchFiles(settings([dir]), (file) => calls.push(file), assert.fail);
  // A change inside the quiet time is dropped by the close, not delivered late.
  writeFileSync(path.join(dir, 'a.js'), '//\n');
  const closing = close();
  assert.equal(close(), closing, 'closing twice returns the same promise');
  await closing;
  writeFileSync(path.join(dir, 'b.js'), '//\n');
  await delay(QUIET_TIME * 2);
  assert.deepEqual(calls, []);
});

test('a folder that does not exist is an error, not silence', async () => {
  const dir = tempDir();
  const missing = path.join(dir, 'nope');
  const watcher = await open(settings([missing, dir]));
  await watcher.next(1, watcher.errors);
  assert.match(watcher.errors[0]?.message ?? '', /cannot watch .*nope/);
  assert.equal((watcher.errors[0] as NodeJS.ErrnoException).code, 'ENOENT');
  await watcher.close();
});

test('ignoreRule: how paths and patterns match', () => {
  const root = path.resolve('/srv/app');
  const rule = ignoreRule(
    { ignoreDotFiles: true, ignorePatterns: ['*.log', 'tmp/', 'docs/**/*.md', '/srv/app/config/local.json'], ignoredPaths: ['/srv/app/out.log', '/var/run/app.pid'] },
    [root],
  );
  const cases: [string, boolean][] = [
    ['/srv/app', false],
    ['/srv/app/server.js', false],
    ['/srv/app/lib/a.js', false],
    ['/srv/app/.git', true],
    ['/srv/app/.git/HEAD', true],
    ['/srv/app/lib/.cache/x.js', true],
    ['/srv/app/err.log', true],
    ['/srv/app/logs/deep/x.log', true],
    ['/srv/app/tmp', true],
    ['/srv/app/tmp/a/b.js', true],
    ['/srv/app/src/tmp.js', false],
    ['/srv/app/docs/a/b/c.md', true],
    ['/srv/app/docs/a/b/c.js', false],
    ['/srv/app/config/local.json', true],
    ['/srv/app/config/default.json', false],
    ['/srv/app/out.log.2', true],
    ['/srv/app/out.logger.js', false],
    ['/var/run/app.pid', true],
    ['/var/run/app.pid.tmp-42', true],
    ['/srv/other/.hidden', false],
  ];
  for (const [file, ignored] of cases) assert.equal(rule(file), ignored, file);
});

test('ignoreRule: a dot folder above the watched one does not hide everything', () => {
  const rule = ignoreRule({ ignoreDotFiles: true, ignorePatterns: [], ignoredPaths: [] }, ['/home/me/.apps/site']);
  assert.equal(rule('/home/me/.apps/site/server.js'), false);
});

test('watchDelay: a longer quiet time makes two changes apart by less than it one restart', async () => {
  const dir = tempDir();
  const watcher = await open(settings([dir], { quietTime: 1500 }));
  writeFileSync(path.join(dir, 'first.js'), '// 1\n');
  await delay(QUIET_TIME * 2); // past the default quiet time, well within this one
  writeFileSync(path.join(dir, 'second.js'), '// 2\n');
  await watcher.next();
  assert.match(watcher.changes[0] ?? '', /first\.js$/);
  await delay(QUIET_TIME * 3);
  assert.equal(watcher.changes.length, 1);
  await watcher.close();
});
