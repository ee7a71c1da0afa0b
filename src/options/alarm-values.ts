import { canMeasureProcesses } from '../processes/tree-usage.js';
import { KeepaliveError } from '../vocabulary/errors.js';
import { size } from './size.js';
import { invalid, splitCommand } from './values.js';

// The checks of the options for memory limits, metrics and hooks.

/** `maxMemory`: a size, and a system where the tree's memory can be read. */
export function memoryLimit(name: string, value: unknown): string {
  const checked = size(name, value);
  if (!canMeasureProcesses()) {
    throw new KeepaliveError('INVALID_OPTION', `option ${name}: needs /proc to measure the memory of the child's tree, and this system (${process.platform}) has none`);
  }
  return checked;
}

/** A hook: an array `[command, ...args]`, or a string split into words as `command` is. No shell. */
export function hookCommand(name: string, value: unknown): readonly string[] {
  const words = typeof value === 'string' ? splitCommand(value) : value;
  if (!Array.isArray(words) || words.length === 0 || !words.every((word) => typeof word === 'string') || words[0] === '') {
    throw invalid(name, value, 'a command: an array ["program", ...args] or a string such as "notify-send keepalive"');
  }
  return [...(words as string[])];
}
