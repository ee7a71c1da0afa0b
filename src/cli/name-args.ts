import { isValidName, SCRIPT_SUFFIX } from '../daemon/state.js';
import { UsageError } from './usage-error.js';

/** The parsing of the commands that take a name: `stop`, `restart`, `delete`, `logs`; and `list`. */

/** Checks a name given on the command line: a name, and not a script. */
export function checkName(label: string, value: string): string {
  if (SCRIPT_SUFFIX.test(value)) {
    throw new UsageError(`${label}: ${JSON.stringify(value)} is a script, not a name (did you mean keepalive start ${value}?)`);
  }
  if (!isValidName(value)) {
    throw new UsageError(`${label}: expected a name of letters, digits, ".", "_" and "-" (not starting with "." or "-"), got ${JSON.stringify(value)}`);
  }
  return value;
}

/** `stop <name|all>`, `delete <name|all>`, `restart <name>`: exactly one name. */
export function parseName(command: string, argv: readonly string[], all: boolean): string {
  const [name, ...extra] = argv;
  const what = all ? '<name|all>' : '<name>';
  if (name === undefined || name === '') throw new UsageError(`${command}: missing the name: keepalive ${command} ${what}`);
  if (name.startsWith('-')) throw new UsageError(`${command}: unknown option ${name}`);
  if (extra.length > 0) throw new UsageError(`${command}: one name only, got also ${JSON.stringify(extra.join(' '))}`);
  return checkName(command, name);
}

/** `logs <name> [-n N] [-f]`. */
export function parseLogs(argv: readonly string[]): { readonly kind: 'logs'; readonly name: string; readonly lines: number; readonly follow: boolean } {
  let name: string | undefined;
  let lines = 20;
  let follow = false;
  for (let at = 0; at < argv.length; at++) {
    const word = argv[at] as string;
    const inline = /^(-n|--lines)=(.*)$/.exec(word);
    if (word === '-n' || word === '--lines' || inline) {
      const value = inline ? inline[2] as string : argv[++at];
      if (value === undefined || !/^\d+$/.test(value) || !Number.isSafeInteger(Number(value))) {
        throw new UsageError(`logs: -n/--lines: expected a whole number >= 0, got ${value === undefined ? 'nothing' : JSON.stringify(value)}`);
      }
      lines = Number(value);
    } else if (word === '-f' || word === '--follow') {
      follow = true;
    } else if (word.startsWith('-')) {
      throw new UsageError(`logs: unknown option ${word}`);
    } else if (name === undefined) {
      name = checkName('logs', word);
    } else {
      throw new UsageError(`logs: one name only, got also ${JSON.stringify(word)}`);
    }
  }
  if (name === undefined) throw new UsageError('logs: missing the name: keepalive logs <name> [-n N] [-f]');
  return { kind: 'logs', name, lines, follow };
}

export function parseList(argv: readonly string[]): { readonly kind: 'list'; readonly json: boolean } {
  const [first] = argv.filter((word) => word !== '--json');
  if (first !== undefined) throw new UsageError(`list: unexpected ${JSON.stringify(first)}; only --json`);
  return { kind: 'list', json: argv.includes('--json') };
}

