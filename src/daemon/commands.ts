import path from 'node:path';
import { deleteApp, reloadApp, restartApp, stopApp } from './control.js';
import { readFileSync } from 'node:fs';
import { mergeMetricsTexts } from '../output/metrics-text.js';
import { formatTable, listApps } from './list.js';
import { withUsage } from './usage.js';
import { logFiles, showLogs } from './logs.js';
import { check, homeFolder, metricsFolder, readRecord, recordNames, StateError, type Checked } from './state.js';

/** Where a command writes. */
export interface Output {
  out(text: string): void;
  err(text: string): void;
}

/** A name given by the user that has no record: exit status 1. */
const UNKNOWN = 1;

/** A record by name, checked, or an error line naming it. */
function find(home: string, name: string, io: Output): Checked | undefined {
  const record = readRecord(home, name);
  if (!record) {
    io.err(`keepalive: unknown name ${JSON.stringify(name)} (see keepalive list)\n`);
    return undefined;
  }
  return check(record);
}

/** Runs a command on the state folder; its errors are one line and exit status 1. */
async function guarded(io: Output, body: (home: string) => Promise<number>): Promise<number> {
  try {
    return await body(homeFolder());
  } catch (error) {
    if (!(error instanceof StateError)) throw error;
    io.err(`keepalive: ${error.message}\n`);
    return 1;
  }
}

export function runList(json: boolean, io: Output): Promise<number> {
  return guarded(io, async (home) => {
    const entries = await withUsage(listApps(home));
    io.out(json ? `${JSON.stringify(entries, null, 2)}\n` : formatTable(entries));
    return 0;
  });
}

/** `metrics`: the metrics files of every named app, in one text; an app whose watchdog is gone is down. */
export function runMetrics(io: Output): Promise<number> {
  return guarded(io, async (home) => {
    const texts: string[] = [];
    for (const name of recordNames(home)) {
      const record = readRecord(home, name);
      if (!record) continue;
      let text: string;
      try {
        text = readFileSync(record.metricsFile ?? path.join(metricsFolder(home), `${name}.prom`), 'utf8');
      } catch {
        continue; // An app from an older keepalive, or one that never ran: no metrics.
      }
      texts.push(check(record).watchdogAlive ? text : asDown(text));
    }
    io.out(mergeMetricsTexts(texts));
    return 0;
  });
}

/** The metrics of an app whose watchdog died: not up, and no current child to measure. */
function asDown(text: string): string {
  return text
    .split('\n')
    .filter((line) => !/^keepalive_(child_memory_bytes|start_time_seconds)\{/.test(line))
    .map((line) => (line.startsWith('keepalive_up{') ? line.replace(/ 1$/, ' 0') : line))
    .join('\n');
}

export function runStop(name: string, io: Output): Promise<number> {
  return guarded(io, async (home) => {
    const targets: Checked[] = [];
    if (name === 'all') {
      for (const each of recordNames(home)) {
        const record = readRecord(home, each);
        if (record) targets.push(check(record));
      }
    } else {
      const checked = find(home, name, io);
      if (!checked) return UNKNOWN;
      targets.push(checked);
    }
    if (targets.length === 0) io.out('no apps to stop\n');
    const outcomes = await Promise.all(targets.map(async (checked) => [checked, await stopApp(home, checked)] as const));
    let status = 0;
    for (const [checked, outcome] of outcomes) {
      const { name: each, childPid } = checked.record;
      if (outcome === 'stopped') io.out(`stopped ${each}\n`);
      else if (outcome === 'orphan-stopped') io.out(`stopped ${each} (its watchdog was gone; stopped the orphaned child pid ${childPid})\n`);
      else if (outcome === 'timed-out') {
        io.err(`keepalive: ${each}'s watchdog did not stop in time; killed it and its child\n`);
        status = 1;
      } else if (name !== 'all') io.out(`${each} was not running\n`);
    }
    return status;
  });
}

/** `reload <name>`: a running app's watchdog starts a new child, then stops the old one once the new one is ready. */
export function runReload(name: string, io: Output): Promise<number> {
  return guarded(io, async (home) => {
    const checked = find(home, name, io);
    if (!checked) return UNKNOWN;
    if (!checked.watchdogAlive || !checked.childAlive) {
      io.err(`keepalive: ${name} is not running: nothing to reload (start it with keepalive start ${name})\n`);
      return 1;
    }
    const { record, failed } = await reloadApp(home, checked);
    if (failed) io.err(`keepalive: ${name}: ${failed}\n`);
    else if (!record) io.err(`keepalive: ${name} did not reload in time (see keepalive logs ${name})\n`);
    else io.out(`reloaded ${name}: child pid ${record.childPid} (was ${checked.record.childPid})\n`);
    return record ? 0 : 1;
  });
}

/**
 * `restart <name>`: a running app's watchdog restarts its child; an app that is not running is
 * started from its record, by `start` (the CLI's start by name).
 */
export function runRestart(name: string, io: Output, start: (name: string) => Promise<number>): Promise<number> {
  return guarded(io, async (home) => {
    const checked = find(home, name, io);
    if (!checked) return UNKNOWN;
    if (!checked.watchdogAlive && checked.childAlive) {
      io.err(`keepalive: ${name} is not running (its child pid ${checked.record.childPid} is orphaned: stop it, then start it again)\n`);
      return 1;
    }
    if (!checked.watchdogAlive) return start(name);
    const record = await restartApp(home, checked);
    if (!record) {
      io.err(`keepalive: ${name} did not restart in time (see keepalive logs ${name})\n`);
      return 1;
    }
    io.out(`restarted ${name}: child pid ${record.childPid}\n`);
    return 0;
  });
}

/**
 * `delete <name|all>`: removes the records of apps that are not running, keeping their logs.
 * `all` skips the running ones and says so; a single running name is an error.
 */
export function runDelete(name: string, io: Output): Promise<number> {
  return guarded(io, async (home) => {
    const all = name === 'all';
    let status = 0;
    const names = all ? recordNames(home) : [name];
    if (names.length === 0) io.out('no apps to delete\n');
    for (const each of names) {
      const outcome = await deleteApp(home, each);
      switch (outcome.kind) {
        case 'deleted':
          io.out(`deleted ${each}${outcome.logs.length > 0 ? ` (kept its logs: ${outcome.logs.join(', ')})` : ''}\n`);
          break;
        case 'unknown':
          // With `all`: deleted by someone else since the folder was read.
          if (!all) {
            io.err(`keepalive: unknown name ${JSON.stringify(name)} (see keepalive list)\n`);
            status = UNKNOWN;
          }
          break;
        case 'running': {
          const { checked } = outcome;
          const how = !checked.watchdogAlive ? `orphaned (its child pid ${checked.record.childPid} still runs)`
            : checked.status === 'waiting to restart' ? 'waiting to restart' : 'running';
          if (all) io.out(`skipped ${each}: it is ${how}; stop it first\n`);
          else {
            io.err(`keepalive: ${each} is ${how}; stop it first\n`);
            status = 1;
          }
          break;
        }
        case 'busy':
          io.err(`keepalive: ${each} is being started or stopped by another keepalive; try again\n`);
          status = 1;
          break;
      }
    }
    return status;
  });
}

export function runLogs(name: string, lines: number, follow: boolean, io: Output): Promise<number> {
  return guarded(io, async (home) => {
    const checked = find(home, name, io);
    if (!checked) return UNKNOWN;
    const stop = new AbortController();
    const end = (): void => stop.abort();
    process.once('SIGINT', end);
    process.once('SIGTERM', end);
    try {
      await showLogs(logFiles(checked.record), lines, follow, (text) => io.out(text), stop.signal);
    } finally {
      process.removeListener('SIGINT', end);
      process.removeListener('SIGTERM', end);
    }
    return 0;
  });
}
