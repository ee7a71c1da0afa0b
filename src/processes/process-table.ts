import { readdirSync, readFileSync } from 'node:fs';

/** A process as /proc shows it; `startTime` tells a process from a later one with the same pid. */
export interface ProcessEntry {
  readonly pid: number;
  readonly ppid: number;
  readonly pgid: number;
  readonly startTime: string;
  readonly zombie: boolean;
  /** The command name (`comm`, at most 15 characters). */
  readonly name: string;
  /** Resident memory, in pages (field 24). */
  readonly rssPages: number;
  /** CPU time in clock ticks: its own and that of its reaped children (fields 14 to 17). */
  readonly cpuTicks: number;
}

/** True where /proc lists processes (Linux); elsewhere the callers fall back to tree-kill. */
export const hasProcTable = process.platform === 'linux';

/** Parses /proc/<pid>/stat. The command name may hold spaces and parentheses, so fields start after the last ')'. */
function parseStat(pid: number, stat: string): ProcessEntry | undefined {
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const [state, ppid, pgid] = fields;
  const startTime = fields[19];
  if (state === undefined || ppid === undefined || pgid === undefined || startTime === undefined) return undefined;
  const name = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
  const cpuTicks = Number(fields[11]) + Number(fields[12]) + Number(fields[13]) + Number(fields[14]);
  return {
    pid, ppid: Number(ppid), pgid: Number(pgid), startTime, zombie: state === 'Z' || state === 'X', name,
    rssPages: Number(fields[21]), cpuTicks,
  };
}

/** One process, or undefined if it is gone. */
export function readProcess(pid: number): ProcessEntry | undefined {
  try {
    return parseStat(pid, readFileSync(`/proc/${pid}/stat`, 'latin1'));
  } catch {
    return undefined;
  }
}

/** Every process on the machine, read once. */
export function readProcessTable(): ProcessEntry[] {
  const entries: ProcessEntry[] = [];
  for (const name of readdirSync('/proc')) {
    const pid = Number(name);
    if (!Number.isInteger(pid)) continue;
    const entry = readProcess(pid);
    if (entry) entries.push(entry);
  }
  return entries;
}

/** The living descendants of `pid` (children, their children, ...), wherever their process group is. */
export function descendantsOf(pid: number, table: readonly ProcessEntry[] = readProcessTable()): ProcessEntry[] {
  const byParent = new Map<number, ProcessEntry[]>();
  for (const entry of table) {
    const siblings = byParent.get(entry.ppid);
    if (siblings) siblings.push(entry);
    else byParent.set(entry.ppid, [entry]);
  }
  const found: ProcessEntry[] = [];
  const queue = [pid];
  for (let next = queue.shift(); next !== undefined; next = queue.shift()) {
    for (const child of byParent.get(next) ?? []) {
      if (!child.zombie) found.push(child);
      queue.push(child.pid);
    }
  }
  return found;
}

/** The living members of a process group. Zombies do not count: they are dead, only unreaped. */
export function groupMembers(pgid: number, table: readonly ProcessEntry[] = readProcessTable()): ProcessEntry[] {
  return table.filter((entry) => entry.pgid === pgid && !entry.zombie);
}

/** True if `entry` still runs: same pid, same start time (not a later process given its pid), not a zombie. */
export function isAlive(entry: Pick<ProcessEntry, 'pid' | 'startTime'>): boolean {
  const now = readProcess(entry.pid);
  return now !== undefined && now.startTime === entry.startTime && !now.zombie;
}

/** `isAlive` for a pid and start time that a record may lack. */
export function isSameProcess(pid: number | null | undefined, startTime: string | null | undefined): boolean {
  return !!pid && !!startTime && isAlive({ pid, startTime });
}

/** The start time of a living process, to tell it later from another given its pid; undefined if it is gone. */
export function startTimeOf(pid: number): string | undefined {
  const entry = readProcess(pid);
  return entry && !entry.zombie ? entry.startTime : undefined;
}

/** Above this many, listing /proc is cheaper than trying each pid. */
const MAX_PIDS_TO_TRY = 512;

/**
 * Pids given out after `pid`, some of them gone already. Pids grow until they wrap around; the
 * kernel's last pid usually says that few or none came since, which spares listing /proc.
 */
function pidsNewerThan(pid: number): number[] {
  let last = NaN;
  try {
    last = Number(readFileSync('/proc/sys/kernel/ns_last_pid', 'latin1'));
  } catch {
    // An older kernel: list /proc.
  }
  if (Number.isInteger(last) && last >= pid && last - pid <= MAX_PIDS_TO_TRY) {
    return Array.from({ length: last - pid }, (_, index) => pid + 1 + index);
  }
  const wrapped = Number.isInteger(last) && last < pid;
  return readdirSync('/proc')
    .map(Number)
    .filter((candidate) => Number.isInteger(candidate) && (wrapped || candidate > pid));
}

/**
 * The living processes whose environment carries `NAME=value`: descendants that left the tree
 * (a double fork, or setsid after their parent died) still inherit it, unless they clear it.
 * Only pids above `startedAfter` are read: a descendant of that process is newer. Other users'
 * environments cannot be read and are passed over.
 */
export function processesWithEnv(name: string, value: string, startedAfter: number): ProcessEntry[] {
  const needle = `${name}=${value}\0`;
  const found: ProcessEntry[] = [];
  for (const pid of pidsNewerThan(startedAfter)) {
    if (pid === process.pid) continue;
    let environ: string;
    try {
      environ = readFileSync(`/proc/${pid}/environ`, 'latin1');
    } catch {
      continue;
    }
    if (!environ.startsWith(needle) && !environ.includes(`\0${needle}`)) continue;
    const process_ = readProcess(pid);
    if (process_ && !process_.zombie) found.push(process_);
  }
  return found;
}

/** The value of one variable in a process's environment; undefined if it has none or cannot be read. */
export function environValue(pid: number, name: string): string | undefined {
  try {
    const environ = readFileSync(`/proc/${pid}/environ`, 'latin1');
    return environ.split('\0').find((entry) => entry.startsWith(`${name}=`))?.slice(name.length + 1);
  } catch {
    return undefined;
  }
}
