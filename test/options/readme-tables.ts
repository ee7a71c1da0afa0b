// The README's options and flags tables as the options table says they must read, and as they
// stand in README.md. test/options/options-docs.test.ts compares the two.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { flagLines, type FlagLine } from '../../src/cli/flags.js';
import { OPTION_NAMES, OPTIONS, type OptionName, type OptionSpec } from '../../src/options/options.js';
import { root } from '../helpers/paths.js';
import { section } from '../helpers/readme.js';

/** The rows of the first table under `heading`, as written (without the header and the rule). */
export function tableRows(heading: string): string[] {
  const lines = section(heading).split('\n');
  const first = lines.findIndex((line) => line.startsWith('|'));
  const rows: string[] = [];
  for (const line of lines.slice(first + 2)) {
    if (!line.startsWith('|')) break;
    rows.push(line);
  }
  return rows;
}

function row(cells: readonly string[]): string {
  return `| ${cells.join(' | ')} |`;
}

export interface OptionDoc {
  readonly name: string;
  /** The comment without its `@default` tag, on one line. */
  readonly meaning: string;
  /** The text of the `@default` tag. */
  readonly default: string;
}

/** The doc comments of MonitorOptions, in the order of the interface. */
export function optionDocs(): OptionDoc[] {
  const source = readFileSync(path.join(root, 'src', 'options', 'types.ts'), 'utf8');
  const body = /export interface MonitorOptions \{([^]*?)\n\}/.exec(source)?.[1] ?? '';
  return [...body.matchAll(/\/\*\*([^]*?)\*\/\s*(\w+)\?:/g)].map((match) => {
    const text = (match[1] as string).replace(/\n\s*\*/g, ' ').replace(/\s+/g, ' ').trim();
    const [meaning, tag] = text.split(/\s*@default\s+/) as [string, string | undefined];
    return { name: match[2] as string, meaning, default: tag ?? '' };
  });
}

/** A default as code: `5000`, `'SIGTERM'`, `[]`. */
function code(value: unknown): string {
  return `\`${typeof value === 'string' ? `'${value}'` : Array.isArray(value) ? '[]' : typeof value === 'object' ? '{}' : String(value)}\``;
}

/** The default column of the options table: the table's default, or the words for a computed one. */
export function optionDefault(name: OptionName): string {
  const spec: OptionSpec<unknown> = OPTIONS[name];
  if ('default' in spec) return code(spec.default);
  return spec.computed ?? 'unset';
}

/** The options table: each option, its doc comment (as a phrase) and its default. */
export function optionRows(): string[] {
  const docs = new Map(optionDocs().map((doc) => [doc.name, doc]));
  return OPTION_NAMES.map((name) => {
    const meaning = docs.get(name)?.meaning ?? '(no doc comment)';
    return row([`\`${name}\``, meaning.charAt(0).toLowerCase() + meaning.slice(1).replace(/\.$/, ''), optionDefault(name)]);
  });
}

function flagRow({ forms, flag, negated, help, default: shown }: FlagLine): string {
  const option = flag.option === undefined ? '(CLI only)' : `\`${flag.option}${negated ? ': false' : ''}\``;
  const meaning = help + (flag.repeatable ? ' (repeatable)' : '');
  let defaultText = shown ?? (flag.kind === 'bool' && !negated ? 'off' : '');
  if (flag.libraryDefault !== undefined) defaultText += ` (the library's is ${flag.libraryDefault})`;
  return row([forms.map((form) => `\`${form}\``).join(', '), option, meaning, defaultText]).replace(/ {2}\|$/, ' |');
}

/** The flags table: every line of `keepalive help start`, in its order. */
export function flagRows(): string[] {
  return flagLines().flatMap(({ lines }) => lines.map(flagRow));
}
