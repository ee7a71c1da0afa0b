// How the text of one flag becomes the value of its option, and the error that names a bad one.
import { parseSignal } from '../options/options.js';
import { healthFromText, readyFromText } from '../options/probes.js';
import type { Flag } from './flags.js';
import { UsageError } from './usage-error.js';

const UNITS: Record<string, number> = { '': 1, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** How the flag is shown in a message: `-m/--max`. */
export function flagLabel(flag: Pick<Flag, 'name' | 'short'>): string {
  return flag.short ? `-${flag.short}/--${flag.name}` : `--${flag.name}`;
}

function bad(flag: Flag, value: string, expected: string): UsageError {
  const shown = value === '' ? 'nothing' : JSON.stringify(value);
  return new UsageError(`${flagLabel(flag)}: expected ${expected}, got ${shown}`);
}

function raise(error: Error): never {
  throw error;
}

/** A time in ms, or with a unit (`500ms`, `2s`, `5m`, `1h`); undefined when it is none. */
function toMs(value: string): number | undefined {
  const match = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(value);
  const ms = match ? Number(match[1]) * (UNITS[match[2] ?? ''] ?? NaN) : NaN;
  return Number.isFinite(ms) ? ms : undefined;
}

/** Turns one text value into what the option takes; throws a UsageError naming flag and value. */
export function convert(flag: Flag, value: string): unknown {
  switch (flag.kind) {
    case 'count':
      if (!/^[1-9]\d*$/.test(value) || !Number.isSafeInteger(Number(value))) throw bad(flag, value, 'a whole number >= 1');
      return Number(value);
    case 'ms': {
      const ms = toMs(value);
      if (ms === undefined) throw bad(flag, value, 'a time >= 0 in ms, or with a unit: 500ms, 2s, 5m, 1h');
      return ms;
    }
    case 'ready':
      return readyFromText(value) ?? raise(bad(flag, value, 'message, notify, an http:// URL, tcp:host:port, or JSON'));
    case 'health':
      return healthFromText(value, toMs) ??
        raise(bad(flag, value, 'a probe (an http:// URL, tcp:host:port, exec:./check.sh, heartbeat) and name=time words, or JSON'));
    case 'text':
      if (value === '') throw bad(flag, value, 'a value');
      return value;
    case 'signal':
      try {
        return parseSignal(flag.name, /^\d+$/.test(value) ? Number(value) : value);
      } catch {
        throw bad(flag, value, 'a signal name such as SIGTERM or SIGINT, or a signal number');
      }
    case 'codes':
      return value.split(',').map((code) => {
        if (!/^\d{1,3}$/.test(code) || Number(code) > 255) throw bad(flag, value, 'exit codes from 0 to 255, separated by commas');
        return Number(code);
      });
    case 'env': {
      const at = value.indexOf('=');
      // `--env production`: a pm2 file's stage (pm2's habit); `--env KEY=VALUE` sets a variable.
      if (at === -1 && /^[A-Za-z0-9_-]+$/.test(value)) return value;
      if (at <= 0) throw bad(flag, value, 'KEY=VALUE');
      return [value.slice(0, at), value.slice(at + 1)];
    }
    case 'name':
      if (!/^[^=\s]+$/.test(value)) throw bad(flag, value, 'a variable name');
      return value;
    case 'bool':
      return value;
  }
}

