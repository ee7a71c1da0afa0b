// Builds the ESM and CommonJS copies of the library from one source tree.
import { execFileSync } from 'node:child_process';
import { copyFileSync, cpSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

const tsc = path.join(path.dirname(createRequire(import.meta.url).resolve('typescript/package.json')), 'bin', 'tsc');
const compile = (project) => execFileSync(process.execPath, [tsc, '-p', project], { stdio: 'inherit' });

rmSync('dist', { recursive: true, force: true });
compile('tsconfig.json');

// The timestamping loop, from WebAssembly text to the binary that line-stamper.ts loads.
const wabt = await (await import('wabt')).default();
const stamper = wabt.parseWat('line-stamper.wat', readFileSync('src/output/line-stamper.wat', 'utf8'), { simd: true, bulk_memory: true });
writeFileSync('dist/line-stamper.wasm', stamper.toBinary({}).buffer);
stamper.destroy();

// The CommonJS copy: the library without the (ESM-only) CLI, and with the one module that
// finds the package's own files through __dirname, since import.meta exists only in ESM.
const cjsSource = 'dist/cjs-src';
cpSync('src', cjsSource, { recursive: true, filter: (file) => !/[\\/]cli(\.ts|[\\/]|$)/.test(file) });
copyFileSync('scripts/package-files.cjs.ts', path.join(cjsSource, 'package-files.ts'));
try {
  compile('tsconfig.cjs.json');
} finally {
  rmSync(cjsSource, { recursive: true, force: true });
}
// dist/cjs sits under a "type": "module" package, so it says that its files are CommonJS.
mkdirSync('dist/cjs', { recursive: true });
writeFileSync('dist/cjs/package.json', '{ "type": "commonjs" }\n');
