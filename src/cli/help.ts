/** The usage text of `keepalive --help` and `keepalive help start`. */

const USAGE = 'keepalive start [options] <script | config.json> [script args...]';

export const GENERAL_HELP = `Usage: ${USAGE}
       keepalive start -d [--name <name>] [options] <script> [script args...]
       keepalive start <name> | restart <name> | stop <name|all> | delete <name|all>
       keepalive list [--json] | logs <name> [-n N] [-f]
       keepalive unit [--user <user>] [options] <script> [script args...]
       keepalive help start | --help | --version

Keeps one process running in the foreground: restarts it by forever's rules, stops it like
systemd (SIGTERM, then SIGKILL to what is left) and loses none of its output.

Commands:
  start      run a script (or the script of a JSON config file) until stopped or given up;
             "start <name>" starts a named app that is not running again, in the background,
             with the command line it was started with
  list, ls   named apps: status, pids, uptime, restarts (--json for an array)
  stop       stop a named app (or all), waiting until its watchdog and child are gone
  restart    restart a named app's script (or start it again if it is not running)
  delete     forget a named app that is not running (or all such apps); its logs are kept
  logs       the last lines of a named app's logs (-n N, default 20; -f to follow)
  unit       print a systemd service that runs this start in the foreground
  help       this text; "help start" lists every option of start

Each named app has its own watchdog (no central daemon); their records are in
$KEEPALIVE_HOME (default ~/.keepalive).

Run "keepalive help start" for the options, signals and exit statuses.
`;

export const START_HELP = `Usage: ${USAGE}

Options come before the script; everything after the script is passed to it ("--" may also
separate them). Times are in ms, or with a unit: 500ms, 2s, 5m, 1h.

Restarts
  -m, --max <n>               give up after n runs that ended on their own (default: never)
      --minUptime <time>      a run shorter than this is spinning (default 1000)
      --spinSleepTime <time>  wait before restarting a spinning script (default 1000)
      --maxSpinSleepTime <time>
                              back off: double the wait per spin in a row, up to this
      --restartWindow <time>  --max counts only the exits within this window
      --stopExitCodes <codes> exit codes that end keepalive instead of a restart: 0,143

Output (a stream without a file goes to keepalive's own stdout or stderr, as in the shell)
  -o, --outFile <file>        append the script's stdout to this file
  -e, --errFile <file>        append the script's stderr to this file
  -l, --logFile <file>        append both, and one line per restart, to this file
      --no-append             truncate the files once at start instead of appending
  -s, --silent                do not show the script's output
      --no-silent             show it on the console even when it goes to a file
  -t, --timestamp             prefix each line of output with an ISO time
      --unmovableLogs         the script holds its files itself: fastest, but SIGHUP cannot
                              move them (logrotate needs copytruncate)
  -q, --quiet                 do not print keepalive's own status lines on stderr

Process
  -c, --command <command>     the program that runs the script (default: this node)
      --sourceDir <dir>       the folder the script path is relative to
      --workingDir <dir>      the script's working directory
      --pidFile <file>        write the script's pid here; removed when keepalive ends
      --env <KEY=VALUE>       set a variable for the script (repeatable)
      --hideEnv <NAME>        remove a variable from the script's environment (repeatable)
      --fork                  open an IPC channel to the script

Named apps
  -d, --daemon                run detached; returns once the script runs (exit 0) or failed (1;
                              a script that crashed at once is retried in the background)
      --name <name>           the app's name for list, stop, restart, logs (default: the
                              script's base name); without -d, a named foreground run
      --user <user>           (unit only) the User= of the systemd service

Stopping
      --killSignal <signal>   the signal a stop sends first (default SIGTERM)
      --killTTL <time>        then SIGKILL after this long (default 5000)
      --no-killTree           signal only the script's process group, not every descendant

Watching
  -w, --watch                 restart the script when a file changes
      --watchDirectory <dir>  what to watch (repeatable; default the script's folder)
      --watchIgnore <glob>    ignore changes to matching files (repeatable); .foreverignore too
      --no-watchIgnoreDotFiles
                              also restart for files whose names start with a dot
      --usePolling            poll instead of file system events (network mounts)
      --pollingInterval <time>
                              how often to poll (default 100)

Config file: "keepalive start app.json" reads a JSON object with "script", "args" and any
library option (max, outFile, env, ...). Relative paths in it are relative to its folder.
Options on the command line override it.

Signals: SIGINT or SIGTERM stops the script and exits 0 (a second one: SIGKILL at once);
SIGHUP reopens the log files (after logrotate renamed them); SIGUSR2 restarts the script.

Exit status: 0 after a requested stop; when keepalive gives up, the script's last status (its
exit code, or 128 + signal number); 1 when it cannot start (missing script, a log file that
cannot be written, a bad config file); 2 for a usage error.
`;
