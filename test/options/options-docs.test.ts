import assert from 'node:assert/strict';
import { test } from 'node:test';
import { OPTION_NAMES, PATH_OPTIONS } from '../../src/options/options.js';
import { section } from '../helpers/readme.js';
import { flagRows, optionDefault, optionDocs, optionRows, tableRows } from './readme-tables.js';

test('MonitorOptions documents every option of the table, in its order, with a @default', () => {
  const docs = optionDocs();
  assert.deepEqual(docs.map((doc) => doc.name), OPTION_NAMES);
  for (const doc of docs) assert.notEqual(doc.default, '', `${doc.name} has no @default`);
});

test("each @default says the table's default", () => {
  for (const doc of optionDocs()) {
    const expected = optionDefault(doc.name as (typeof OPTION_NAMES)[number]).replace(/`/g, '').replace(/^unset$/, 'undefined');
    assert.ok(doc.default.startsWith(expected), `${doc.name}: @default ${doc.default}, but the table says ${expected}`);
  }
});

test('the README "Options" table is the options table with the doc comments of MonitorOptions', () => {
  assert.deepEqual(tableRows('## Options'), optionRows());
});

test('the README "CLI" flags table is the flags of keepalive help start', () => {
  assert.deepEqual(tableRows('## CLI'), flagRows());
});

test('the README "Config file" names every path option', () => {
  const listed = /Relative paths in the file \(([^)]*)\)/.exec(section('### Config file'))?.[1] ?? '';
  assert.deepEqual([...listed.matchAll(/`(\w+)`/g)].map((match) => match[1]), ['script', ...PATH_OPTIONS]);
});
