/** Records what must never reach a host: uncaught exceptions, unhandled rejections, warnings. */
export function recordHostFailures(): { readonly failures: string[]; readonly warnings: string[]; remove(): void } {
  const failures: string[] = [];
  const warnings: string[] = [];
  const onException = (error: unknown): void => void failures.push(`uncaught: ${String((error as Error)?.stack ?? error)}`);
  const onRejection = (error: unknown): void => void failures.push(`unhandled rejection: ${String((error as Error)?.stack ?? error)}`);
  const onWarning = (warning: Error): void => void warnings.push(`${warning.name}: ${warning.message}`);
  process.on('uncaughtException', onException);
  process.on('unhandledRejection', onRejection);
  process.on('warning', onWarning);
  return {
    failures,
    warnings,
    remove() {
      process.off('uncaughtException', onException);
      process.off('unhandledRejection', onRejection);
      process.off('warning', onWarning);
    },
  };
}
