/** The codes of the warnings this process has already shown. */
const shown = new Set<string>();

/**
 * A process warning with a code, shown once per process: a program that makes many monitors
 * with the same old option is told once, and `--no-deprecation` or a `warning` listener can
 * silence or catch it by its code.
 */
export function warnOnce(code: string, message: string, type: 'DeprecationWarning' | 'KeepaliveWarning' = 'KeepaliveWarning'): void {
  if (shown.has(code)) return;
  shown.add(code);
  process.emitWarning(message, { type, code });
}
