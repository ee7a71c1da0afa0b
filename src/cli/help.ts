// The usage text of `keepalive --help` and `keepalive help start`; the flags come from the options table.
import { flagLines, GROUP_TITLES, type FlagLine } from './flags.js';

const WIDTH = 80;
/** Where the meanings start: after two spaces and the flag. */
const INDENT = 30;

/** `text` in lines of at most `width` characters, broken between words. */
function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    if (line !== '' && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else {
      line = line === '' ? word : `${line} ${word}`;
    }
  }
  return [...lines, line];
}

/** One flag as the terminal shows it: code without its backticks, a value's default at the end. */
function helpLine({ forms, flag, help, default: shown }: FlagLine): string {
  const label = `  ${forms.length > 1 ? '' : '    '}${forms.join(', ')}`;
  const notes = [...(flag.repeatable ? ['repeatable'] : []), ...(shown === undefined || flag.kind === 'bool' ? [] : [`default ${shown}`])];
  const text = notes.length > 0 ? `${help} (${notes.join('; ')})` : help;
  const [first, ...rest] = wrap(text.replace(/`/g, ''), WIDTH - INDENT).map((line) => ' '.repeat(INDENT) + line);
  const head = label.length < INDENT ? label + (first as string).slice(label.length) : `${label}\n${first as string}`;
  return [head, ...rest].join('\n');
}

/** Every flag of start, part by part. */
function flagsHelp(): string {
  return flagLines()
    .map(({ group, lines }) => [GROUP_TITLES[group], ...lines.map(helpLine)].join('\n'))
    .join('\n\n');
}

const USAGE = 'keepalive start [options] <script | config.json> [script args...]';

export const GENERAL_HELP = `Usage: ${USAGE}
       keepalive start -d [--name <name>] [options] <script> [script args...]
       keepalive start <name> | restart <name> | reload <name> | stop <name|all> | delete <name|all>
       keepalive list [--json] | logs <name> [-n N] [-f] | metrics
       keepalive unit [--user <user>] [options] <script> [script args...]
       keepalive start|stop|restart|delete <pm2 file> [--only <names>] [--env <stage>]
       keepalive save | resurrect | startup [--user]
       keepalive help start | --help | --version

Keeps one process running in the foreground: restarts it by forever's rules, stops it like
systemd (SIGTERM, then SIGKILL to what is left) and loses none of its output.

Commands:
  start      run a script (or the script of a JSON config file) until stopped or given up;
             "start <name>" starts a named app that is not running again, in the background,
             with the command line it was started with
  list, ls   named apps: status, pids, uptime, CPU and memory, restarts (--json for an array)
  metrics    every named app's Prometheus metrics, in one text
  stop       stop a named app (or all), waiting until its watchdog and child are gone
  restart    restart a named app's script (or start it again if it is not running)
  reload     start a new child beside the running one, then stop the old one once the new
             one is ready (with --listen, no connection is refused or lost)
  delete     forget a named app that is not running (or all such apps); its logs are kept
  logs       the last lines of a named app's logs (-n N, default 20; -f to follow)
  unit       print a systemd service that runs this start in the foreground
  save       remember the running named apps, for resurrect
  resurrect  start the saved apps that are not running
  startup    print the systemd unit (or crontab line) that runs resurrect at boot
  help       this text; "help start" lists every option of start

Each named app has its own watchdog (no central daemon); their records are in
$KEEPALIVE_HOME (default ~/.keepalive). A pm2 file (ecosystem.config.js, or a JSON
file with "apps") starts every app in it that way.

Run "keepalive help start" for the options, signals and exit statuses.
`;

export const START_HELP = `Usage: ${USAGE}

Options come before the script; everything after the script is passed to it
("--" may also separate them). Times are in ms, or with a unit: 500ms, 2s, 5m,
1h.

${flagsHelp()}

Config file: "keepalive start app.json" reads a JSON object with "script",
"args" and any library option (max, outFile, env, ...). Relative paths in it are
relative to its folder. Options on the command line override it. A pm2 file
(ecosystem.config.js, or JSON with "apps") starts each app in the background;
--env <stage> picks its env_<stage>, --only <names> some apps.

Signals: SIGINT or SIGTERM stops the script and exits 0 (a second one: SIGKILL
at once); SIGHUP reopens the log files (after logrotate renamed them); SIGUSR2
restarts the script.

Exit status: 0 after a requested stop; when keepalive gives up, the script's
last status (its exit code, or 128 + signal number); 1 when it cannot start
(missing script, a log file that cannot be written, a bad config file); 2 for a
usage error.
`;
