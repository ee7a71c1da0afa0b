// README.md as the tests read it: the README test runs its examples, the options docs test
// checks its tables.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { root } from './paths.js';

export const README = readFileSync(path.join(root, 'README.md'), 'utf8');

/** The text of a section, from its heading to the next heading of any level. */
export function section(heading: string): string {
  const start = README.indexOf(`\n${heading}\n`);
  if (start === -1) throw new Error(`the README has no section ${heading}`);
  const end = README.slice(start + heading.length + 2).search(/\n#+ /);
  return README.slice(start, end === -1 ? undefined : start + heading.length + 2 + end);
}
