import { systemdWord } from './unit.js';

/** What `keepalive startup` prints: a service that runs `keepalive resurrect` at boot, or a crontab line. */
export interface StartupSettings {
  /** systemd runs this machine (`/run/systemd/system` exists); otherwise cron's `@reboot` does the work. */
  readonly systemd: boolean;
  /** `--user`: a user unit (`systemctl --user`), wanted by `default.target`. */
  readonly userUnit: boolean;
  /** The login name that runs the apps. */
  readonly user: string;
  readonly home: string;
  /** `node <bin>`: how to run keepalive. */
  readonly keepalive: readonly string[];
}

/** The text of `keepalive startup`: install notes (as comments), then the unit or the crontab line. */
export function startupText(settings: StartupSettings): string {
  const run = (command: string): string => [...settings.keepalive, command].map(systemdWord).join(' ');
  if (!settings.systemd) {
    const log = `${settings.home}/logs/resurrect.log`;
    const line = `@reboot KEEPALIVE_HOME=${shellWord(settings.home)} ${[...settings.keepalive, 'resurrect'].map(shellWord).join(' ')} >> ${shellWord(log)} 2>&1`;
    return [
      '# No systemd here: add this line to the crontab of the user who runs the apps, for example with',
      "#   (crontab -l 2>/dev/null; keepalive startup | grep -v '^#') | crontab -",
      line,
      '',
    ].join('\n');
  }
  const unitName = settings.userUnit ? 'keepalive.service' : `keepalive-${settings.user}.service`;
  const install = settings.userUnit
    ? [
      `#   keepalive startup --user > ~/.config/systemd/user/${unitName}`,
      `#   systemctl --user daemon-reload && systemctl --user enable ${unitName}`,
      '# A user unit starts when the user logs in; to start it at boot without a login:',
      `#   sudo loginctl enable-linger ${settings.user}`,
    ]
    : [
      `#   keepalive startup | sudo tee /etc/systemd/system/${unitName}`,
      `#   sudo systemctl daemon-reload && sudo systemctl enable ${unitName}`,
    ];
  return [
    `# Starts the apps saved by "keepalive save" at boot. Install it:`,
    ...install,
    '[Unit]',
    'Description=keepalive: the saved apps (keepalive resurrect)',
    'After=network.target',
    '',
    '[Service]',
    // resurrect returns once every watchdog runs; they stay in this unit until it stops.
    'Type=oneshot',
    'RemainAfterExit=yes',
    ...(settings.userUnit ? [] : [`User=${settings.user}`]),
    `Environment=${systemdWord(`KEEPALIVE_HOME=${settings.home}`)}`,
    `ExecStart=${run('resurrect')}`,
    `ExecStop=${[...settings.keepalive, 'stop', 'all'].map(systemdWord).join(' ')}`,
    'TimeoutStartSec=120',
    'TimeoutStopSec=120',
    '',
    '[Install]',
    `WantedBy=${settings.userUnit ? 'default.target' : 'multi-user.target'}`,
    '',
  ].join('\n');
}

/** One word for a POSIX shell: quoted unless it is plainly safe. */
function shellWord(word: string): string {
  return /^[A-Za-z0-9_\/.:,=+@%-]+$/.test(word) ? word : `'${word.replace(/'/g, "'\\''")}'`;
}
