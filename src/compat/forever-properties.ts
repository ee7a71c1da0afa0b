import type { StdioOptions } from 'node:child_process';
import cluster from 'node:cluster';
import { EventEmitter } from 'node:events';
import { foreverIgnorePatterns } from '../features/watch.js';
import { splitCommand, type ResolvedOptions } from '../options/options.js';
import type { CommandParser, SpawnWithOptions } from '../options/types.js';

/** The constraint of EventEmitter's event map, as @types/node spells it. */
type EventMap<T> = Record<keyof T, unknown[]>;

/**
 * forever-monitor's default `parser`: the command split around unescaped spaces, its flags
 * before the script's arguments (`'node --expose-gc'` runs node with one flag).
 */
export function parseCommand(command: string, args: readonly string[]): { command: string; args: string[] } {
  const [program = command, ...flags] = splitCommand(command);
  return { command: program, args: [...flags, ...args] };
}

/**
 * The options as forever-monitor 3 keeps them, as properties of the monitor (`child.max`,
 * `child.args`, ...), with forever's names and meanings. They are read-only: the options are
 * checked once, when the monitor is made, and writing one could change nothing. Arrays and
 * objects are copies. Where keepalive's default differs, the property says keepalive's.
 */
export abstract class ForeverProperties<Events extends EventMap<Events>> extends EventEmitter<Events> {
  /** forever-monitor's `Monitor.parseCommand`, the default `parser`. */
  static parseCommand = parseCommand;

  /** The options in force, with every default filled in. */
  abstract get options(): ResolvedOptions;

  /** The program as given, flags and all (`'node --expose-gc'`, `'perl'`); for an array script, its first word. */
  get command(): string {
    return this.options.commandAsGiven;
  }
  /** The script (after `sourceDir`) and its arguments; for an array script, the words after the first. */
  get args(): readonly string[] {
    return [...this.options.scriptArgs];
  }
  /** The `parser` given, or the default split of `command` (`Monitor.parseCommand`). */
  get parser(): CommandParser {
    return this.options.parser ?? parseCommand;
  }
  get sourceDir(): string | undefined {
    return this.options.sourceDir;
  }
  /** The child's working directory, absolute. */
  get cwd(): string {
    return this.options.cwd;
  }
  get hideEnv(): readonly string[] {
    return [...this.options.hideEnv];
  }
  get fork(): boolean {
    return this.options.fork;
  }
  get stdio(): StdioOptions | undefined {
    return this.options.stdio;
  }
  /** The settings passed on to `child_process.spawn` (forever's ignored keys left out). */
  get spawnWith(): SpawnWithOptions {
    return { ...this.options.spawnWith };
  }
  get uid(): string {
    return this.options.uid;
  }
  get id(): string | undefined {
    return this.options.id;
  }
  get checkFile(): boolean {
    return this.options.checkFile;
  }
  /** `cluster.isPrimary`, under forever's name. */
  get isMaster(): boolean {
    return cluster.isPrimary;
  }

  get max(): number {
    return this.options.max;
  }
  get minUptime(): number {
    return this.options.minUptime;
  }
  /** undefined when unset: a spinning child is then not restarted (forever-monitor says `null`). */
  get spinSleepTime(): number | undefined {
    return this.options.spinSleepTime;
  }

  get silent(): boolean {
    return this.options.silent;
  }
  get append(): boolean {
    return this.options.append;
  }
  get outFile(): string | undefined {
    return this.options.outFile;
  }
  get errFile(): string | undefined {
    return this.options.errFile;
  }
  get logFile(): string | undefined {
    return this.options.logFile;
  }
  get pidFile(): string | undefined {
    return this.options.pidFile;
  }

  get killSignal(): NodeJS.Signals | number {
    return this.options.killSignal;
  }
  get killTTL(): number {
    return this.options.killTTL;
  }
  get killTree(): boolean {
    return this.options.killTree;
  }

  /** One folder as a string, several as an array, as forever-monitor keeps `watchDirectory`. */
  get watchDirectory(): string | readonly string[] {
    const folders = this.options.watchDirectory;
    return folders.length === 1 ? (folders[0] as string) : [...folders];
  }
  /** The patterns given and, in watch mode, those of the `.foreverignore` files of the watched folders (read now). */
  get watchIgnorePatterns(): readonly string[] {
    const { watch, watchIgnorePatterns, watchDirectory } = this.options;
    return [...watchIgnorePatterns, ...(watch ? watchDirectory.flatMap(foreverIgnorePatterns) : [])];
  }
  get watchIgnoreDotFiles(): boolean {
    return this.options.watchIgnoreDotFiles;
  }
  get usePolling(): boolean {
    return this.options.usePolling;
  }
  get pollingInterval(): number {
    return this.options.pollingInterval;
  }
}
