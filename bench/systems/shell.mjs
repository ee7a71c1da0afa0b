// The shell: `cmd >> out 2>> err`, or a `while` loop around it. The watchdog is `sh` itself.
import { spawn } from 'node:child_process';
import { once } from 'node:events';

export const label = 'shell';

const LOOP = `
cmd_out=\${OUT:-/dev/null}; cmd_err=\${ERR:-/dev/null}
if [ -z "$RUNS" ]; then
  while true; do "$@" >>"$cmd_out" 2>>"$cmd_err"; done
else
  i=0
  while [ "$i" -lt "$RUNS" ]; do "$@" >>"$cmd_out" 2>>"$cmd_err"; i=$((i + 1)); done
fi`;

export async function start(spec) {
  if (spec.echo || spec.timestamp) throw new Error('the shell has no echo or timestamp mode here');
  const env = { ...process.env, ...spec.env, OUT: spec.outFile ?? '', ERR: spec.errFile ?? '' };
  if (spec.max != null) env.RUNS = String(spec.max);
  // Its own process group, so that a stop can signal the loop and what it runs, as a terminal would.
  const sh = spawn('/bin/sh', ['-c', LOOP, 'sh', ...spec.command], { env, stdio: 'ignore', detached: true });
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
