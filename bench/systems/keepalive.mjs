// keepalive's library, as a user would drive it.
const { Monitor } = await import(new URL('../../dist/esm/index.js', import.meta.url).href);
const { compressionsFinished } = await import(new URL('../../dist/esm/output/compress.js', import.meta.url).href);

export const label = 'keepalive';

/** Starts `spec.command` under a Monitor; `done` settles when the monitor gives up or is stopped. */
export async function start(spec) {
  const monitor = new Monitor(spec.command, {
    max: spec.max ?? Infinity,
    spinSleepTime: 0,
    silent: !spec.echo,
    ...(spec.outFile && { outFile: spec.outFile }),
    ...(spec.errFile && { errFile: spec.errFile }),
    ...(spec.timestamp && { timestamp: true }),
    ...(spec.unmovableLogs && { unmovableLogs: true }),
    ...(spec.maxLogSize && { maxLogSize: spec.maxLogSize, maxLogFiles: spec.maxLogFiles ?? 10 }),
    ...(spec.compressLogs && { compressLogs: true }),
    ...(spec.killTTL !== undefined && { killTTL: spec.killTTL }),
    ...(spec.env && { env: spec.env }),
    ...(spec.listen && { listen: spec.listen }),
    ...(spec.ready && { ready: spec.ready }),
    ...(spec.healthCheck && { healthCheck: spec.healthCheck }),
  });
  monitor.on('error', () => {});
  // Done once the archives are compressed too, as a foreground keepalive exits.
  const done = new Promise((resolve) => monitor.once('exit', () => void compressionsFinished().then(() => resolve({ runs: monitor.times }))));
  monitor.start();
  return { watchdogPid: process.pid, done, stop: () => monitor.stop(), reload: () => monitor.reload(), restart: () => monitor.restart() };
}
