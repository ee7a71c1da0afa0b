// forever-monitor 3.x, configured as close to keepalive as it allows.
import forever from 'forever-monitor';

export const label = 'forever-monitor';

export async function start(spec) {
  const monitor = new forever.Monitor(spec.command, {
    max: spec.max ?? undefined,
    minUptime: 0,
    silent: !spec.echo,
    append: true,
    ...(spec.outFile && { outFile: spec.outFile }),
    ...(spec.errFile && { errFile: spec.errFile }),
    // Its default is SIGKILL; SIGTERM then killTTL is the same request keepalive gets.
    killSignal: 'SIGTERM',
    ...(spec.killTTL !== undefined && { killTTL: spec.killTTL }),
    ...(spec.env && { env: spec.env }),
  });
  monitor.on('error', () => {});
  const done = new Promise((resolve) => monitor.once('exit', () => resolve({ runs: monitor.times })));
  monitor.start();
  return {
    watchdogPid: process.pid,
    done,
    stop: () =>
      new Promise((resolve) => {
        monitor.once('stop', resolve);
        monitor.stop();
      }),
  };
}
