import { Cron } from 'croner';
import { invalid } from './values.js';

// The checks of the cron options, with croner (the library pm2 uses for cron_restart).

/** A cron expression: five fields, or six with seconds first (`'*\/10 * * * * *'`), as croner reads them. */
export function cronExpression(name: string, value: unknown): string {
  if (typeof value !== 'string' || value.trim() === '') throw invalid(name, value, 'a cron expression such as "0 3 * * *"');
  try {
    new Cron(value, { paused: true }).stop();
  } catch (error) {
    throw invalid(name, value, `a cron expression such as "0 3 * * *" (${(error as Error).message})`);
  }
  return value;
}

/** An IANA time zone name (`'Europe/Paris'`, `'UTC'`), as Intl knows them. */
export function timeZone(name: string, value: unknown): string {
  if (typeof value === 'string' && value !== '') {
    try {
      new Intl.DateTimeFormat('en', { timeZone: value });
      return value;
    } catch {
      // Not a zone Intl knows: reported below.
    }
  }
  throw invalid(name, value, 'an IANA time zone such as "Europe/Paris" or "UTC"');
}
