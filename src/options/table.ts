import { healthCheckSetting, readySetting } from './probes.js';
import { size } from './size.js';
import type { OptionTable, ResolvedValue } from './spec.js';
import { cronExpression, timeZone } from './cron.js';
import {
  argumentList, commandParser, count, environment, exitCodes, flag, logAge, logFormat, milliseconds, parseSignal, positiveMilliseconds,
  httpUrl, spawnSettings, stdioSetting, text, textList, textOrList,
} from './values.js';
import { hookCommand, memoryLimit } from './alarm-values.js';
import { listenAddresses } from './listen-address.js';

/**
 * Every option of MonitorOptions, once: how it is checked, its default, whether it is a path,
 * its CLI flag and help line. Validation (resolve.ts), the known option names, the config
 * file's path keys, the CLI's flags and `keepalive help start` are all made from this table; a
 * test checks the README's options and flags tables against it. Leaving an option out (or
 * adding one that MonitorOptions lacks) does not compile. The order is the order of the docs.
 */
export const OPTIONS = {
  max: {
    check: count, default: Infinity,
    flag: { short: 'm', kind: 'count', group: 'restarts', help: 'give up after n runs that ended on their own', default: 'never' },
  },
  minUptime: {
    check: milliseconds, default: 0, cliDefault: 1000,
    flag: { kind: 'ms', group: 'restarts', help: 'a run shorter than this is spinning' },
  },
  spinSleepTime: {
    check: milliseconds, cliDefault: 1000,
    flag: { kind: 'ms', group: 'restarts', help: 'wait before restarting a spinning script' },
  },
  maxSpinSleepTime: {
    check: milliseconds,
    flag: { kind: 'ms', group: 'restarts', help: 'back off: double the wait per spin in a row, up to this' },
  },
  restartWindow: {
    check: positiveMilliseconds,
    flag: { kind: 'ms', group: 'restarts', help: '`--max` counts only the exits within this window' },
  },
  stopExitCodes: {
    check: exitCodes, default: [],
    flag: {
      kind: 'codes', repeatable: true, group: 'restarts',
      help: 'exit statuses that end keepalive instead of a restart: `0,143`',
    },
  },
  cronRestart: {
    check: cronExpression,
    flag: {
      kind: 'text', value: 'cron', group: 'restarts',
      help: 'restart the script gracefully on this schedule: `"0 3 * * *"` (seconds first with six fields); counts towards neither `--max` nor the backoff',
    },
  },
  cronTimezone: {
    check: timeZone,
    flag: { kind: 'text', value: 'zone', group: 'restarts', help: 'the time zone of `--cronRestart`: `Europe/Paris`', default: "the system's" },
  },

  outFile: {
    check: text, path: true,
    flag: { short: 'o', kind: 'text', value: 'file', group: 'output', help: "append the script's stdout to this file" },
  },
  errFile: {
    check: text, path: true,
    flag: { short: 'e', kind: 'text', value: 'file', group: 'output', help: "append the script's stderr to this file" },
  },
  logFile: {
    check: text, path: true,
    flag: {
      short: 'l', kind: 'text', value: 'file', group: 'output', help: 'append both, and one line per lifecycle event, to this file',
    },
  },
  append: {
    check: flag, default: true,
    flag: { kind: 'bool', group: 'output', help: 'truncate the files once at start instead of appending', default: 'append' },
  },
  silent: {
    check: flag, default: false,
    flag: {
      short: 's', kind: 'bool', group: 'output', help: "do not show the script's output",
      negated: { help: 'show it on the console even when it goes to a file', default: 'a stream with a file goes only there' },
    },
  },
  echoFileOutput: { check: flag, default: true },
  timestamp: {
    check: flag, default: false,
    flag: { short: 't', kind: 'bool', group: 'output', help: 'prefix each line of output with an ISO time' },
  },
  unmovableLogs: {
    check: flag, default: false,
    flag: {
      kind: 'bool', group: 'output',
      help: 'the script holds its files itself: fastest, but SIGHUP cannot move them (logrotate needs `copytruncate`)',
    },
  },
  maxLogSize: {
    check: size,
    flag: { kind: 'text', value: 'size', group: 'output', help: 'rotate each log file before it passes this size: `10M`, `512K`, `1G`' },
  },
  maxLogFiles: {
    check: count, default: 10,
    flag: { kind: 'count', group: 'output', help: 'archives kept per log file, with `--maxLogSize`' },
  },
  maxLogAge: {
    check: logAge,
    flag: { kind: 'text', value: 'age', group: 'output', help: 'remove archives older than this: `7d`, `12h`, `30m`', default: 'kept' },
  },
  compressLogs: {
    check: flag, default: false,
    flag: { kind: 'bool', group: 'output', help: 'gzip the archives, beside the output' },
  },
  logFormat: {
    check: logFormat, default: 'text',
    flag: { kind: 'text', value: 'format', group: 'output', help: "`json`: one object per line, as Docker's json-file driver writes" },
  },

  command: {
    check: text, computed: '`process.execPath`',
    flag: {
      short: 'c', kind: 'text', value: 'command', group: 'process', default: 'this node',
      help: 'the program that runs the script; may carry flags: `-c "node --expose-gc"`',
    },
  },
  args: { check: argumentList, default: [] },
  options: { check: argumentList },
  parser: { check: commandParser },
  sourceDir: {
    check: text, path: true,
    flag: { kind: 'text', value: 'dir', group: 'process', help: 'the folder the script path is relative to' },
  },
  cwd: {
    check: text, path: true, computed: '`process.cwd()`',
    flag: {
      name: 'workingDir', kind: 'text', value: 'dir', group: 'process', help: "the script's working directory", default: "keepalive's",
    },
  },
  pidFile: {
    check: text, path: true,
    flag: {
      kind: 'text', value: 'file', group: 'process', help: "write the script's pid here at each start; removed when keepalive ends",
    },
  },
  env: {
    check: environment, default: {},
    flag: { kind: 'env', repeatable: true, group: 'process', help: "set a variable for the script; with a pm2 file, `--env <stage>` picks its apps' `env_<stage>`" },
  },
  envFile: {
    check: text, path: true,
    flag: {
      kind: 'text', value: 'file', group: 'process',
      help: 'a dotenv file of variables for the script, read again at each start; `--env` goes over it',
    },
  },
  hideEnv: {
    check: textList, default: [],
    flag: { kind: 'name', repeatable: true, group: 'process', help: "remove a variable from the script's environment" },
  },
  fork: {
    check: flag, default: false,
    flag: { kind: 'bool', group: 'process', help: 'open an IPC channel to the script' },
  },
  spawnWith: { check: spawnSettings, default: {} },
  stdio: { check: stdioSetting },
  listen: {
    check: listenAddresses,
    flag: { kind: 'text', value: 'address', repeatable: true, group: 'process', help: 'hold this socket and pass it to each run: `3000`, `127.0.0.1:3000`, `/run/app.sock`' },
  },
  uid: { check: text, computed: 'a random string' },
  id: { check: text },
  checkFile: { check: flag, default: true },

  shutdownMessage: {
    check: text,
    flag: { kind: 'text', value: 'message', group: 'stopping', help: 'stop with this IPC message instead of a signal (opens IPC)' },
  },
  killSignal: {
    check: parseSignal, default: 'SIGTERM',
    flag: { kind: 'signal', group: 'stopping', help: 'the signal a stop sends first: `SIGINT`, `int`, `2`' },
  },
  killTTL: {
    check: milliseconds, default: 5000,
    flag: { kind: 'ms', group: 'stopping', help: 'then SIGKILL to what is left after this long' },
  },
  killTree: {
    check: flag, default: true,
    flag: { kind: 'bool', group: 'stopping', help: "signal only the script's process group, not every descendant", default: 'tree' },
  },

  ready: {
    check: readySetting,
    flag: {
      kind: 'ready', value: 'how', group: 'health',
      help: 'wait until the script says it is ready: `message` (`process.send(\'ready\')`), `notify` (`READY=1` on fd `$NOTIFY_FD`), an `http://` URL or `tcp:host:port`',
    },
  },
  readyTimeout: {
    check: positiveMilliseconds, default: 30_000,
    flag: { kind: 'ms', group: 'health', help: 'not ready by then: a failed start, stopped and restarted by the rules' },
  },
  healthCheck: {
    check: healthCheckSetting,
    flag: {
      kind: 'health', value: 'probe', group: 'health',
      help: 'restart the script when it fails this check `failureThreshold` times in a row: `"http://127.0.0.1:3000/healthz period=5s timeout=1s failureThreshold=3 initialDelay=0"`, `tcp:host:port`, `exec:./check.sh`, `heartbeat`, or JSON',
    },
  },

  watch: {
    check: flag, default: false,
    flag: { short: 'w', kind: 'bool', group: 'watching', help: 'restart the script when a watched file changes' },
  },
  watchDirectory: {
    check: textOrList, path: true, computed: "the script's folder",
    flag: { kind: 'text', value: 'dir', repeatable: true, group: 'watching', help: 'what to watch' },
  },
  watchIgnorePatterns: {
    check: textList, default: [],
    flag: {
      name: 'watchIgnore', kind: 'text', value: 'glob', repeatable: true, group: 'watching',
      help: 'ignore changes to matching files; `.foreverignore` files too',
    },
  },
  watchIgnoreDotFiles: {
    check: flag, default: true,
    flag: { kind: 'bool', group: 'watching', help: 'also restart for files whose names start with a dot', default: 'dot files ignored' },
  },
  usePolling: {
    check: flag, default: false,
    flag: { kind: 'bool', group: 'watching', help: 'poll instead of file system events (network mounts)' },
  },
  pollingInterval: {
    check: milliseconds, default: 100,
    flag: { kind: 'ms', group: 'watching', help: 'how often to poll' },
  },
  watchDelay: {
    check: milliseconds, default: 200,
    flag: { kind: 'ms', group: 'watching', help: 'restart once nothing has changed for this long: one restart per burst of changes' },
  },

  maxMemory: {
    check: memoryLimit,
    flag: {
      kind: 'text', value: 'size', group: 'resources',
      help: 'restart the script when its whole tree uses more resident memory than this: `512M`, `1.5G`',
    },
  },
  memoryCheckInterval: {
    check: positiveMilliseconds, default: 1000,
    flag: { kind: 'ms', group: 'resources', help: "how often the tree's memory is measured, with `--maxMemory`" },
  },
  memoryChecks: {
    check: count, default: 3,
    flag: { kind: 'count', group: 'resources', help: 'restart after this many measures in a row over `--maxMemory`' },
  },
  metricsFile: {
    check: text, path: true,
    flag: { kind: 'text', value: 'file', group: 'resources', help: "keep Prometheus metrics of the script in this file (node_exporter's textfile format)" },
  },
  onRestart: {
    check: hookCommand,
    flag: { kind: 'text', value: 'command', group: 'hooks', help: 'run this command at each restart, with the event in `KEEPALIVE_*` variables' },
  },
  onGiveUp: {
    check: hookCommand,
    flag: { kind: 'text', value: 'command', group: 'hooks', help: 'run this command when keepalive gives up' },
  },
  onUnhealthy: {
    check: hookCommand,
    flag: { kind: 'text', value: 'command', group: 'hooks', help: 'run this command when the script is restarted as unhealthy' },
  },
  onMemoryLimit: {
    check: hookCommand,
    flag: { kind: 'text', value: 'command', group: 'hooks', help: 'run this command when the script is restarted over `--maxMemory`' },
  },
  hookTimeout: {
    check: positiveMilliseconds, default: 30_000,
    flag: { kind: 'ms', group: 'hooks', help: "SIGKILL a hook's process group after this long" },
  },
  notifyUrl: {
    check: httpUrl,
    flag: { kind: 'text', value: 'url', group: 'hooks', help: 'POST each hook event as JSON to this URL' },
  },
} satisfies OptionTable;

export type OptionName = keyof typeof OPTIONS;

/** Every option name, in the table's order. */
export const OPTION_NAMES = Object.keys(OPTIONS) as OptionName[];

/** The options after validation, with every default filled in and every array copied. */
export type ResolvedOptions = { readonly [K in OptionName]: ResolvedValue<(typeof OPTIONS)[K]> } & {
  /** The script as given (after `sourceDir`), or undefined when `script` was an array. */
  readonly file: string | undefined;
  /** The program as given, flags and all (`'node --expose-gc'`), or `script[0]`: forever-monitor's `command`. */
  readonly commandAsGiven: string;
  /** The script and its arguments (or `script` after its first word), as forever-monitor's `args` holds them. */
  readonly scriptArgs: readonly string[];
};
