// The shell: `cmd >> out 2>> err`, or a `while` loop around it. The watchdog is `sh` itself.
// Two more ways to the file, as references for keepalive's piped output: `cmd | cat >> out`
// (what a pipe costs, read by a program that adds nothing) and `cmd | tee -a out` (the shell's
// way to see the output and keep it).
import { spawn } from 'node:child_process';
import { once } from 'node:events';

export const label = 'shell';

const LOOP = `
cmd_out=\${OUT:-/dev/null}; cmd_err=\${ERR:-/dev/null}
run() {
  case "$MODE" in
    pipe) "$@" 2>>"$cmd_err" | cat >>"$cmd_out" ;;
    tee) "$@" 2>>"$cmd_err" | tee -a "$cmd_out" ;;
    *) "$@" >>"$cmd_out" 2>>"$cmd_err" ;;
  esac
}
if [ -z "$RUNS" ]; then
  while true; do run "$@"; done
else
  i=0
  while [ "$i" -lt "$RUNS" ]; do run "$@"; i=$((i + 1)); done
fi`;

export async function start(spec) {
  if (spec.timestamp) throw new Error('the shell has no timestamp mode here');
  const mode = spec.echo ? 'tee' : spec.pipe ? 'pipe' : 'file';
  const env = { ...process.env, ...spec.env, OUT: spec.outFile ?? '', ERR: spec.errFile ?? '', MODE: mode };
  if (spec.max != null) env.RUNS = String(spec.max);
  // Its own process group, so that a stop can signal the loop and what it runs, as a terminal would.
  const sh = spawn('/bin/sh', ['-c', LOOP, 'sh', ...spec.command], { env, stdio: ['ignore', spec.echo ? 'inherit' : 'ignore', 'ignore'], detached: true });
  await once(sh, 'spawn');
  const exited = once(sh, 'exit');
  const done = exited.then(() => ({ runs: spec.max ?? NaN }));
  return {
    watchdogPid: sh.pid,
    done,
    stop: async () => {
      try {
        process.kill(-sh.pid, 'SIGTERM');
      } catch {}
      await exited;
    },
  };
}
