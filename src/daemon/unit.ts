/** What `keepalive unit` puts in a systemd service unit. */
export interface UnitSettings {
  readonly description: string;
  /** The whole command line of ExecStart: node, the bin, `start`, flags, the script and its arguments. */
  readonly execStart: readonly string[];
  readonly workingDirectory: string;
  readonly user: string | undefined;
  /** The watchdog's killTTL in ms: systemd must wait longer than this before its own SIGKILL. */
  readonly killTTL: number;
  /** False with `unmovableLogs`: a reload (SIGHUP) cannot move the script's files, so none is offered. */
  readonly reopensLogs: boolean;
  /**
   * With `ready`: Type=notify, so that systemd counts the service started once the script is
   * ready (keepalive sends READY=1 through `systemd-notify`, another process: NotifyAccess=all).
   */
  readonly notify: boolean;
  /** `maxMemory` in bytes, if set: the kernel's `MemoryMax=` is put above it (see memoryBackstop). */
  readonly maxMemory?: number | undefined;
}

const MiB = 1024 * 1024;

/**
 * The kernel's limit for the whole service, above `maxMemory`: a quarter more, for a leak that
 * grows faster than the watchdog measures and stops it, plus 64 MiB for keepalive itself and
 * its hooks, which share the cgroup. In MiB, as `MemoryMax=` takes it.
 */
export function memoryBackstop(maxMemory: number): number {
  return Math.ceil((maxMemory * 1.25 + 64 * MiB) / MiB);
}

/**
 * One word of a unit file's command line: systemd splits on spaces and reads C-style escapes in
 * double quotes, and expands `%` specifiers and `$` variables, so both are doubled.
 */
export function systemdWord(word: string): string {
  const literal = word.replace(/%/g, '%%').replace(/\$/g, '$$$$');
  if (/^[A-Za-z0-9_\/.:,=+@%$-]+$/.test(literal)) return literal;
  return `"${literal.replace(/[\\"]/g, '\\$&').replace(/\n/g, '\\n').replace(/\t/g, '\\t')}"`;
}

/** A value on its own line (Description=, User=, WorkingDirectory=): no newlines, `%` doubled. */
function value(text: string): string {
  return text.replace(/[\r\n]+/g, ' ').replace(/%/g, '%%');
}

/**
 * A service that runs keepalive in the foreground. KillMode=mixed: SIGTERM to keepalive alone,
 * which stops the script its own way; SIGKILL to the whole cgroup only after TimeoutStopSec,
 * set above killTTL. Restart=on-failure restarts keepalive itself if it dies or gives up.
 */
export function systemdUnit(settings: UnitSettings): string {
  const timeout = Math.ceil(settings.killTTL / 1000) + 5;
  return [
    '[Unit]',
    `Description=${value(settings.description)}`,
    'After=network.target',
    '',
    '[Service]',
    ...(settings.notify ? ['Type=notify', 'NotifyAccess=all'] : ['Type=simple']),
    `ExecStart=${settings.execStart.map(systemdWord).join(' ')}`,
    ...(settings.reopensLogs
      ? ['ExecReload=/bin/kill -HUP $MAINPID']
      : ['# No ExecReload: with --unmovableLogs the script holds its log files, so a reload cannot', '# move them; rotate them with logrotate\'s copytruncate.']),
    `WorkingDirectory=${value(settings.workingDirectory)}`,
    ...(settings.user === undefined ? [] : [`User=${value(settings.user)}`]),
    'KillMode=mixed',
    `TimeoutStopSec=${timeout}`,
    ...(settings.maxMemory === undefined ? [] : [
      '# The kernel\'s backstop above --maxMemory, for a leak faster than the watchdog\'s measures:',
      `MemoryMax=${memoryBackstop(settings.maxMemory)}M`,
    ]),
    'Restart=on-failure',
    'RestartSec=1',
    '',
    '[Install]',
    'WantedBy=multi-user.target',
    '',
  ].join('\n');
}
