// npm test: runs every compiled test file below build/test/ with `node --test`, except the stress
// tests (build/test/stress/, run by npm run test:stress). The files are passed by name: a folder
// would also run test/fixtures/ as tests, and Node 20's `node --test` expands no globs (nor does
// dash, npm's shell). Arguments are passed on to node, e.g. --test-name-pattern=<regexp>.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const TESTS = fileURLToPath(new URL('../build/test/', import.meta.url));
/** Folders of build/test/ that hold no regular tests. */
const SKIPPED = new Set(['stress', 'fixtures']);

function testFiles(dir) {
  return readdirSync(dir, { withFileTypes: true })
    .flatMap((entry) => {
      const file = path.join(dir, entry.name);
      if (entry.isDirectory()) return dir === TESTS && SKIPPED.has(entry.name) ? [] : testFiles(file);
      // .test.cjs: a test written as CommonJS (test/compat/, from a .cts file).
      return /\.test\.c?js$/.test(entry.name) ? [file] : [];
    })
    .sort();
}

const files = existsSync(TESTS) ? testFiles(TESTS) : [];
if (files.length === 0) {
  console.error(`no test files in ${TESTS}: run npm run build:test first`);
  process.exit(1);
}
const run = spawnSync(process.execPath, ['--test', ...process.argv.slice(2), ...files], { stdio: 'inherit' });
process.exit(run.status ?? 1);
