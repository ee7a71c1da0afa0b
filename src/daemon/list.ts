import type { AppStatus, Health } from '../vocabulary/app-status.js';
import { formatBytes } from '../vocabulary/events.js';
import { check, readRecord, recordNames, StateError, type Checked } from './state.js';

/** One line of `list --json`. Pids are those of living processes only; uptime is in ms. */
export interface ListEntry {
  readonly name: string;
  readonly status: AppStatus | 'unreadable';
  /** With `ready` or `healthCheck`, while the child runs: `starting`, `healthy`, `unhealthy 2/3`. */
  readonly health: Health | null;
  readonly watchdogPid: number | null;
  readonly childPid: number | null;
  /** While a reload runs, the new child beside `childPid`: the one time an app has two. */
  readonly reloadingPid: number | null;
  readonly uptime: number | null;
  readonly restarts: number;
  /** `restarts` by reason: `crash`, `memory-limit`, `unhealthy`, `requested`, `watch`, ... */
  readonly restartsByReason: Readonly<Record<string, number>>;
  /** The child's whole tree: CPU in percent of one core over a short window, resident memory in bytes (see usage.ts). */
  readonly cpuPercent?: number | null;
  readonly memoryBytes?: number | null;
  readonly script: string | readonly string[];
  readonly args: readonly string[];
  readonly cwd: string;
  readonly logs: Readonly<Record<string, string | undefined>>;
  readonly reason?: string;
}

/** Every record, checked against /proc. A record that cannot be read is listed as such. */
export function listApps(home: string, now = Date.now()): ListEntry[] {
  return recordNames(home).flatMap((name): ListEntry[] => {
    let checked: Checked;
    try {
      const record = readRecord(home, name);
      if (!record) return []; // Removed since the folder was read.
      checked = check(record);
    } catch (error) {
      if (!(error instanceof StateError)) throw error;
      return [{
        name, status: 'unreadable', health: null, watchdogPid: null, childPid: null, reloadingPid: null, uptime: null, restarts: 0, restartsByReason: {}, script: '', args: [],
        cwd: '', logs: {}, reason: error.message,
      }];
    }
    const { record, childAlive, watchdogAlive } = checked;
    return [{
      name,
      status: checked.status,
      health: childAlive && watchdogAlive ? record.health ?? null : null,
      watchdogPid: watchdogAlive ? record.watchdogPid : null,
      childPid: childAlive ? record.childPid : null,
      reloadingPid: watchdogAlive ? (record.reloadingPid ?? null) : null,
      uptime: childAlive && record.childStartedAt !== null ? Math.max(0, now - record.childStartedAt) : null,
      restarts: record.restarts,
      restartsByReason: { crash: 0, 'memory-limit': 0, unhealthy: 0, requested: 0, watch: 0, ...record.restartsByReason },
      script: record.script,
      args: record.args,
      cwd: record.cwd,
      logs: record.logs,
      ...(record.reason === undefined ? {} : { reason: record.reason }),
    }];
  });
}

/** `3d 4h`, `2h 5m`, `4m 10s`, `12s`. */
export function formatUptime(ms: number): string {
  const s = Math.floor(ms / 1000);
  const [d, h, m] = [Math.floor(s / 86_400), Math.floor((s % 86_400) / 3600), Math.floor((s % 3600) / 60)];
  if (d > 0) return `${d}d ${h}h`;
  if (h > 0) return `${h}h ${m}m`;
  if (m > 0) return `${m}m ${s % 60}s`;
  return `${s}s`;
}

function scriptText(entry: ListEntry): string {
  const script = typeof entry.script === 'string' ? entry.script : entry.script.join(' ');
  return [script, ...entry.args].join(' ');
}

/** The table of `keepalive list`, or a line saying there is nothing. */
export function formatTable(entries: readonly ListEntry[]): string {
  if (entries.length === 0) return 'no apps (start one with keepalive start -d --name <name> <script>)\n';
  const rows = [
    ['NAME', 'STATUS', 'HEALTH', 'WATCHDOG', 'CHILD', 'UPTIME', 'CPU', 'MEM', 'RESTARTS', 'SCRIPT'],
    ...entries.map((entry) => [
      entry.name,
      entry.status,
      entry.health ?? '-',
      entry.watchdogPid === null ? '-' : String(entry.watchdogPid),
      (entry.childPid === null ? '-' : String(entry.childPid)) + (entry.reloadingPid === null ? '' : ` (reloading: ${entry.reloadingPid})`),
      entry.uptime === null ? '-' : formatUptime(entry.uptime),
      entry.cpuPercent == null ? '-' : `${entry.cpuPercent.toFixed(1)}%`,
      entry.memoryBytes == null ? '-' : formatBytes(entry.memoryBytes),
      String(entry.restarts),
      scriptText(entry),
    ]),
  ];
  const widths = rows[0]!.map((_, column) => Math.max(...rows.map((row) => row[column]!.length)));
  return rows.map((row) => row.map((cell, column) => (column === row.length - 1 ? cell : cell.padEnd(widths[column]!))).join('  ')).join('\n') + '\n';
}
