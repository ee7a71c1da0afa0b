/** A command line that cannot be run as given: reported in one line, exit status 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}
