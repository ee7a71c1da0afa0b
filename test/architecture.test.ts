import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { root } from './helpers/paths.js';

const SRC = path.join(root, 'src');
/** A file longer than this is doing more than one job. */
const MAX_LINES = 300;
/**
 * The Monitor class: its lifecycle (start, stop, restart and the loop that supervises runs) is one
 * state machine, kept whole in one file; everything else it does lives in small modules.
 */
const LONGER: Readonly<Record<string, number>> = { 'monitor.ts': 380 };

function sourceFiles(dir = SRC): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const file = path.join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(file);
    return entry.name.endsWith('.ts') ? [file] : [];
  });
}

/** The files of src/ a file imports (type-only imports too: a circle of types is a circle of ideas). */
function importsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const found = [...text.matchAll(/(?:^|\n)\s*(?:import|export)\b[^'"]*?from\s*['"](\.[^'"]+)['"]/g)];
  return found.map((match) => path.resolve(path.dirname(file), (match[1] as string).replace(/\.js$/, '.ts')));
}

/** One circle of imports, as a list of files from src/, or undefined if there is none. */
function findCircle(graph: Map<string, string[]>): string[] | undefined {
  const state = new Map<string, 'visiting' | 'done'>();
  const stack: string[] = [];
  const visit = (file: string): string[] | undefined => {
    if (state.get(file) === 'done') return undefined;
    if (state.get(file) === 'visiting') return [...stack.slice(stack.indexOf(file)), file];
    state.set(file, 'visiting');
    stack.push(file);
    for (const next of graph.get(file) ?? []) {
      const circle = visit(next);
      if (circle) return circle;
    }
    stack.pop();
    state.set(file, 'done');
    return undefined;
  };
  for (const file of graph.keys()) {
    const circle = visit(file);
    if (circle) return circle;
  }
  return undefined;
}

test('no import circle anywhere in src/', () => {
  const graph = new Map(sourceFiles().map((file) => [file, importsOf(file)]));
  const circle = findCircle(graph);
  assert.equal(circle?.map((file) => path.relative(SRC, file)).join(' -> '), undefined);
});

test(`no file in src/ is over ${MAX_LINES} lines (the Monitor class ${LONGER['monitor.ts']})`, () => {
  const long = sourceFiles()
    .map((file) => [path.relative(SRC, file), readFileSync(file, 'utf8').split('\n').length] as const)
    .filter(([name, lines]) => lines > (LONGER[name] ?? MAX_LINES));
  assert.deepEqual(long, []);
});
