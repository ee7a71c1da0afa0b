import { KeepaliveError } from '../vocabulary/errors.js';
import type { HealthCheckSetting, HealthProbe, HealthTiming, ReadySetting } from './types.js';
import { httpUrl, invalid, milliseconds, positiveMilliseconds, showValue, splitCommand, textList } from './values.js';

// The checks of `ready` and `healthCheck`, and their one-line form for flags: `http://...`,
// `tcp:host:port`, `message`, `notify`, `heartbeat`, `exec:./check.sh`, then `period=5s` words.

/** A health check with every timing field filled in (Kubernetes' defaults). */
export type HealthCheck = Required<HealthTiming> & HealthProbe;

export const HEALTH_DEFAULTS: Required<HealthTiming> = { initialDelay: 0, period: 10_000, timeout: 1000, failureThreshold: 3 };
const KINDS = ['http', 'tcp', 'exec', 'heartbeat'] as const;

/** `host:port` (`[::1]:3000` for IPv6), with a port from 1 to 65535. */
export function splitAddress(address: string): { host: string; port: number } | undefined {
  const match = /^(?:\[([^\]]+)\]|([^:\s]+)):(\d{1,5})$/.exec(address);
  const port = Number(match?.[3]);
  if (!match || !(port >= 1 && port <= 65_535)) return undefined;
  return { host: (match[1] ?? match[2]) as string, port };
}

function tcpAddress(name: string, value: unknown): string {
  if (typeof value !== 'string' || !splitAddress(value)) throw invalid(name, value, 'a "host:port" with a port from 1 to 65535');
  return value;
}

function plainObject(name: string, value: unknown, expected: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw invalid(name, value, expected);
  return value as Record<string, unknown>;
}

/** `ready`: 'message', 'notify', { http: url } or { tcp: 'host:port' }. */
export function readySetting(name: string, value: unknown): ReadySetting {
  const expected = '"message", "notify", { http: url } or { tcp: "host:port" }';
  if (value === 'message' || value === 'notify') return value;
  const given = plainObject(name, value, expected);
  const keys = Object.keys(given);
  if (keys.length !== 1) throw invalid(name, value, expected);
  if ('http' in given) return { http: httpUrl(`${name}.http`, given.http) };
  if ('tcp' in given) return { tcp: tcpAddress(`${name}.tcp`, given.tcp) };
  throw invalid(name, value, expected);
}

/** `healthCheck`: one kind of probe and its timing, checked together, with the defaults filled in. */
export function healthCheckSetting(name: string, value: unknown): HealthCheck {
  const given = plainObject(name, value, 'an object such as { http: "http://127.0.0.1:3000/healthz", period: 5000 }');
  const kinds = KINDS.filter((kind) => kind in given);
  if (kinds.length !== 1) {
    throw new KeepaliveError('INVALID_OPTION', `option ${name}: expected exactly one of http, tcp, exec, heartbeat, got ${showValue(value)}`);
  }
  for (const key of Object.keys(given)) {
    if (!(KINDS as readonly string[]).includes(key) && !(key in HEALTH_DEFAULTS)) {
      throw new KeepaliveError('INVALID_OPTION', `option ${name}: unknown field ${JSON.stringify(key)} (allowed: ${[...KINDS, ...Object.keys(HEALTH_DEFAULTS)].join(', ')})`);
    }
  }
  const field = (key: keyof HealthTiming, check: (name: string, value: unknown) => number): number =>
    given[key] === undefined ? HEALTH_DEFAULTS[key] : check(`${name}.${key}`, given[key]);
  const timing = {
    initialDelay: field('initialDelay', milliseconds),
    period: field('period', positiveMilliseconds),
    timeout: field('timeout', positiveMilliseconds),
    failureThreshold: field('failureThreshold', (key, item) => {
      if (!Number.isInteger(item) || (item as number) < 1) throw invalid(key, item, 'a whole number >= 1');
      return item as number;
    }),
  };
  const [kind] = kinds as [(typeof KINDS)[number]];
  if (kind !== 'heartbeat' && timing.period < timing.timeout) {
    throw invalid(`${name}.period`, timing.period, `a period >= the timeout (${timing.timeout} ms): probes never overlap`);
  }
  switch (kind) {
    case 'http':
      return { http: httpUrl(`${name}.http`, given.http), ...timing };
    case 'tcp':
      return { tcp: tcpAddress(`${name}.tcp`, given.tcp), ...timing };
    case 'exec': {
      const command = textList(`${name}.exec`, given.exec);
      if (command.length === 0 || command[0] === '') throw invalid(`${name}.exec`, given.exec, 'a command as an array [program, ...args]');
      return { exec: command, ...timing };
    }
    case 'heartbeat':
      if (given.heartbeat !== true) throw invalid(`${name}.heartbeat`, given.heartbeat, 'true');
      return { heartbeat: true, ...timing };
  }
}

/** A probe's target from its one-word form; undefined when the word is none of them. */
function probeWord(word: string): Record<string, unknown> | undefined {
  if (word.startsWith('{')) return JSON.parse(word) as Record<string, unknown>;
  if (/^https?:\/\//i.test(word)) return { http: word };
  if (word.startsWith('tcp:')) return { tcp: word.slice(4) };
  if (word.startsWith('exec:')) return { exec: splitCommand(word.slice(5)) };
  if (word === 'heartbeat') return { heartbeat: true };
  return undefined;
}

/** The text of `--ready`: `message`, `notify`, an http(s) URL, `tcp:host:port`, or JSON. Undefined when unknown. */
export function readyFromText(text: string): unknown {
  if (text === 'message' || text === 'notify') return text;
  try {
    const probe = probeWord(text.trim());
    return probe && ('http' in probe || 'tcp' in probe || text.trim().startsWith('{')) ? probe : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The text of `--healthCheck`: the probe (an http(s) URL, `tcp:host:port`, `exec:./check.sh`,
 * `heartbeat`), then timing fields as `name=time` words (`period=5s timeout=2s failureThreshold=3`);
 * or JSON. Times take the units of other time flags (`toMs`). Undefined when it cannot be read.
 */
export function healthFromText(text: string, toMs: (value: string) => number | undefined): unknown {
  const trimmed = text.trim();
  let probe: Record<string, unknown> | undefined;
  try {
    probe = probeWord(trimmed.startsWith('{') ? trimmed : trimmed.split(/\s+/)[0] ?? '');
  } catch {
    return undefined;
  }
  if (!probe || trimmed.startsWith('{')) return probe;
  for (const word of trimmed.split(/\s+/).slice(1)) {
    const [key = '', item = ''] = word.split('=', 2);
    const number = key === 'failureThreshold' ? (/^\d+$/.test(item) ? Number(item) : undefined) : toMs(item);
    if (!(key in HEALTH_DEFAULTS) || number === undefined) return undefined;
    probe[key] = number;
  }
  return probe;
}

/** What a probe is, in a status line: the URL, `tcp 127.0.0.1:3000`, `exec ./check.sh`, `heartbeat`. */
export function describeProbe(probe: ReadySetting | HealthCheck): string {
  if (probe === 'message') return "the message 'ready'";
  if (probe === 'notify') return 'READY=1 on the notification pipe';
  if ('http' in probe) return probe.http;
  if ('tcp' in probe) return `tcp ${probe.tcp}`;
  if ('exec' in probe) return `exec ${probe.exec.join(' ')}`;
  return 'heartbeat';
}

/** The one-line form of a setting, as `--ready` and `--healthCheck` read it (for `keepalive unit`); JSON when none fits. */
export function probeText(value: ReadySetting | HealthCheckSetting): string {
  if (typeof value === 'string') return value;
  const [program, ...args] = 'exec' in value ? value.exec : [];
  const word = 'http' in value ? value.http
    : 'tcp' in value ? `tcp:${value.tcp}`
    : 'heartbeat' in value ? 'heartbeat'
    : args.length === 0 && program !== undefined && !/[\\\s]/.test(program) ? `exec:${program}` : undefined;
  if (word === undefined || /\s/.test(word)) return JSON.stringify(value);
  const timing = Object.entries(value).filter(([key]) => key in HEALTH_DEFAULTS).map(([key, item]) => `${key}=${String(item)}`);
  return [word, ...timing].join(' ');
}
