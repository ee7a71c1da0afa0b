import { spawn } from 'node:child_process';
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import { splitAddress } from '../options/probes.js';

/** What a probe looks at: an HTTP URL, a TCP address, or a command. */
export type ProbeTarget = { readonly http: string } | { readonly tcp: string } | { readonly exec: readonly string[] };

/**
 * One probe, never longer than `timeout`: resolves with undefined when it passed, or with why it
 * failed, in a few words (`status 500`, `timed out after 1000 ms`, `refused`, `exit code 2`).
 * Every probe opens a fresh connection; a run's end aborts it (`signal`).
 */
export function probe(target: ProbeTarget, timeout: number, cwd: string, signal: AbortSignal): Promise<string | undefined> {
  return new Promise((resolve) => {
    let done = false;
    const cleanups: (() => void)[] = [];
    const finish = (failure: string | undefined): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      signal.removeEventListener('abort', onAbort);
      for (const cleanup of cleanups) cleanup();
      resolve(failure);
    };
    const timer = setTimeout(() => finish(`timed out after ${timeout} ms`), timeout);
    const onAbort = (): void => finish('stopped');
    signal.addEventListener('abort', onAbort);
    if ('http' in target) httpProbe(target.http, finish, cleanups);
    else if ('tcp' in target) tcpProbe(target.tcp, finish, cleanups);
    else execProbe(target.exec, cwd, finish, cleanups);
  });
}

function why(error: NodeJS.ErrnoException): string {
  if (error.code === 'ECONNREFUSED') return 'refused';
  if (error.code === 'ENOENT' && error.syscall?.startsWith('spawn')) return `cannot run: ${error.message}`;
  return error.code ?? error.message;
}

function httpProbe(url: string, finish: (failure: string | undefined) => void, cleanups: (() => void)[]): void {
  const get = url.startsWith('https:') ? https.get : http.get;
  // No agent: a fresh connection per probe, as a new client would open.
  const request = get(url, { agent: false }, (response) => {
    const status = response.statusCode ?? 0;
    response.resume();
    finish(status >= 200 && status < 400 ? undefined : `status ${status}`);
  });
  request.on('error', (error) => finish(why(error)));
  cleanups.push(() => request.destroy());
}

function tcpProbe(address: string, finish: (failure: string | undefined) => void, cleanups: (() => void)[]): void {
  const { host, port } = splitAddress(address) as { host: string; port: number };
  const socket = net.connect({ host, port }, () => finish(undefined));
  socket.on('error', (error) => finish(why(error)));
  cleanups.push(() => socket.destroy());
}

function execProbe(command: readonly string[], cwd: string, finish: (failure: string | undefined) => void, cleanups: (() => void)[]): void {
  const [program, ...args] = command as [string, ...string[]];
  // Its own group, so that a timed-out check is killed with whatever it started.
  const child = spawn(program, args, { cwd, stdio: 'ignore', detached: true });
  child.on('error', (error) => finish(why(error)));
  child.on('exit', (code, signal) => finish(code === 0 ? undefined : signal ? `killed by ${signal}` : `exit code ${code}`));
  cleanups.push(() => {
    if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return;
    try {
      process.kill(-child.pid, 'SIGKILL');
    } catch {
      // Gone already.
    }
  });
}
