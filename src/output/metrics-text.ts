import type { CountedRestartReason } from '../vocabulary/events.js';

/** What the metrics say about one app at one moment. */
export interface AppMetrics {
  readonly app: string;
  readonly up: boolean;
  readonly restarts: Readonly<Partial<Record<CountedRestartReason | string, number>>>;
  /** Resident memory of the child's tree; undefined when no child runs or it cannot be read. */
  readonly memoryBytes: number | undefined;
  /** CPU time of the child's tree over all runs. */
  readonly cpuSeconds: number;
  readonly lastExitStatus: number | undefined;
  /** When the current child started, in seconds since the epoch. */
  readonly startTimeSeconds: number | undefined;
}

/** The reasons always listed, at 0 until they happen, so that a rate() has a series from the start. */
export const RESTART_REASONS = ['crash', 'memory-limit', 'unhealthy', 'requested', 'watch'] as const;

interface Family {
  readonly name: string;
  readonly type: 'gauge' | 'counter';
  readonly help: string;
  samples(app: AppMetrics): [labels: Record<string, string>, value: number][];
}

const FAMILIES: readonly Family[] = [
  { name: 'keepalive_up', type: 'gauge', help: "Whether the app's child is running (1) or not (0).", samples: (m) => [[{}, m.up ? 1 : 0]] },
  {
    name: 'keepalive_restarts_total', type: 'counter', help: "Restarts of the app's child, by reason.",
    samples: (m) => [...new Set([...RESTART_REASONS, ...Object.keys(m.restarts)])].map((reason) => [{ reason }, m.restarts[reason] ?? 0]),
  },
  {
    name: 'keepalive_child_memory_bytes', type: 'gauge', help: "Resident memory of the child's whole process tree, in bytes.",
    samples: (m) => (m.memoryBytes === undefined ? [] : [[{}, m.memoryBytes]]),
  },
  {
    name: 'keepalive_child_cpu_seconds_total', type: 'counter', help: "CPU time of the child's process tree over all its runs, in seconds.",
    samples: (m) => [[{}, m.cpuSeconds]],
  },
  {
    name: 'keepalive_last_exit_status', type: 'gauge', help: "The last child's exit status (128 + the signal's number for a signal).",
    samples: (m) => (m.lastExitStatus === undefined ? [] : [[{}, m.lastExitStatus]]),
  },
  {
    name: 'keepalive_start_time_seconds', type: 'gauge', help: 'When the current child started, in seconds since the epoch.',
    samples: (m) => (m.startTimeSeconds === undefined ? [] : [[{}, m.startTimeSeconds]]),
  },
];

/** A label value as the text format wants it: backslash, double quote and newline escaped. */
function labelValue(text: string): string {
  return text.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

/** The Prometheus text format (0.0.4) of some apps: each family once, with a sample per app. */
export function metricsText(apps: readonly AppMetrics[]): string {
  const lines: string[] = [];
  for (const family of FAMILIES) {
    lines.push(`# HELP ${family.name} ${family.help}`, `# TYPE ${family.name} ${family.type}`);
    for (const app of apps) {
      for (const [labels, value] of family.samples(app)) {
        const pairs = Object.entries({ app: app.app, ...labels }).map(([key, text]) => `${key}="${labelValue(text)}"`);
        lines.push(`${family.name}{${pairs.join(',')}} ${Number.isInteger(value) ? value : value.toFixed(2)}`);
      }
    }
  }
  return `${lines.join('\n')}\n`;
}

/** The samples of metrics files written by metricsText, merged into one text with each family once. */
export function mergeMetricsTexts(texts: readonly string[]): string {
  const samples = new Map<string, string[]>(FAMILIES.map((family) => [family.name, []]));
  for (const text of texts) {
    for (const line of text.split('\n')) {
      if (line === '' || line.startsWith('#')) continue;
      samples.get(line.slice(0, line.search(/[{ ]/)))?.push(line);
    }
  }
  const lines = FAMILIES.flatMap((family) => [
    `# HELP ${family.name} ${family.help}`, `# TYPE ${family.name} ${family.type}`, ...(samples.get(family.name) ?? []),
  ]);
  return `${lines.join('\n')}\n`;
}
