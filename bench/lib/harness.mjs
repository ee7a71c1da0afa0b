// The harness's side of a run: a temporary folder, the drivers it starts, and a cleanup that
// leaves no process and no file behind, even when a scenario fails.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { isAlive, killAll } from './util.mjs';

export const benchDir = fileURLToPath(new URL('..', import.meta.url));
export const root = path.dirname(benchDir.replace(/\/$/, ''));
const driverPath = path.join(benchDir, 'lib', 'driver.mjs');

/** Every process the bench starts carries this variable, so that cleanup can find it in /proc. */
export const RUN_VARIABLE = 'KEEPALIVE_BENCH_RUN';

export class Run {
  constructor() {
    this.id = randomBytes(6).toString('hex');
    this.dir = mkdtempSync(path.join(tmpdir(), 'keepalive-bench-'));
    this.env = { ...process.env, [RUN_VARIABLE]: this.id };
    this.count = 0;
  }

  /** A fresh path (file or folder name) inside the run's folder. */
  path(name) {
    this.count += 1;
    return path.join(this.dir, `${this.count}-${name}`);
  }

  /** A fresh folder inside the run's folder. */
  folder(name) {
    const dir = this.path(name);
    mkdirSync(dir);
    return dir;
  }

  /** Pids of live processes started by this run (the variable is in their environment). */
  processes() {
    const needle = `${RUN_VARIABLE}=${this.id}`;
    const pids = [];
    for (const entry of readdirSync('/proc')) {
      if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
      try {
        if (readFileSync(`/proc/${entry}/environ`, 'latin1').includes(needle) && isAlive(Number(entry))) {
          pids.push(Number(entry));
        }
      } catch {}
    }
    return pids;
  }

  /** Kills everything this run started. */
  killAll() {
    for (let round = 0; round < 5; round += 1) {
      const pids = this.processes();
      if (pids.length === 0) return;
      killAll(pids, 'SIGKILL');
    }
  }

  cleanup() {
    this.killAll();
    rmSync(this.dir, { recursive: true, force: true });
  }

  /**
   * Starts a driver for `system` with `task`. `stdout` is where the watchdog's own stdout goes
   * (a file descriptor, or 'ignore').
   */
  drive(system, task, { stdout = 'ignore', nodeArgs = [] } = {}) {
    const env = { ...this.env };
    if (system === 'pm2') env.PM2_HOME = this.folder('pm2-home');
    const child = spawn(process.execPath, [...nodeArgs, driverPath], {
      cwd: root,
      env,
      stdio: ['ignore', stdout, 'pipe', 'ipc'],
    });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (text) => {
      stderr = (stderr + text).slice(-4000);
    });
    const messages = [];
    const waiting = [];
    child.on('message', (message) => {
      const index = waiting.findIndex((wait) => wait.type === message.type || message.type === 'error');
      if (index >= 0) waiting.splice(index, 1)[0].resolve(message);
      else messages.push(message);
    });
    const exit = new Promise((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
    exit.then(({ code, signal }) => {
      for (const wait of waiting.splice(0)) {
        wait.resolve({ type: 'error', message: `driver exited (${signal ?? code}) ${stderr.trim()}` });
      }
    });
    child.send({ system, task });
    return {
      pid: child.pid,
      exit,
      send: (message) => child.connected && child.send(message),
      /** The next message of `type` (or an error); an error message rejects. */
      async next(type) {
        const index = messages.findIndex((message) => message.type === type || message.type === 'error');
        const message =
          index >= 0
            ? messages.splice(index, 1)[0]
            : await new Promise((resolve) => waiting.push({ type, resolve }));
        if (message.type === 'error') throw new Error(`${system}: ${message.message}`);
        return message;
      },
      get stderr() {
        return stderr;
      },
    };
  }
}

/** Runs one driver task to its result; a crash or timeout becomes `{ error }`. Never leaves the driver running. */
export async function driveToResult(run, system, task, { stdout, timeout = 600_000 } = {}) {
  const driver = run.drive(system, task, { stdout });
  let timer;
  const timedOut = new Promise((resolve) => {
    timer = setTimeout(() => resolve({ type: 'error', message: `no result after ${timeout} ms` }), timeout);
  });
  try {
    return await Promise.race([driver.next('result'), timedOut.then((m) => Promise.reject(new Error(m.message)))]);
  } catch (error) {
    return { error: String(error.message ?? error).split('\n')[0].slice(0, 300) };
  } finally {
    clearTimeout(timer);
    await finishDriver(driver);
  }
}

/** Waits a little for a driver to exit by itself, then kills it by pid. */
export async function finishDriver(driver, grace = 5000) {
  let timer;
  const exited = await Promise.race([
    driver.exit.then(() => true),
    new Promise((resolve) => {
      timer = setTimeout(() => resolve(false), grace);
    }),
  ]);
  clearTimeout(timer);
  if (!exited) {
    killAll([driver.pid]);
    await driver.exit;
  }
}

/**
 * Starts a `hold` task for each system at once and waits until every child is ready. Returns the
 * drivers with the watchdog pid each reported (or the error), and `release()`, which stops them all.
 */
export async function holdAll(run, entries, timeout = 120_000) {
  const held = entries.map(({ system, task, nodeArgs }) => {
    const driver = run.drive(system, { kind: 'hold', timeout, ...task }, { nodeArgs });
    return { system, driver };
  });
  await Promise.all(
    held.map(async (entry) => {
      try {
        const ready = await entry.driver.next('ready');
        Object.assign(entry, ready);
      } catch (error) {
        entry.error = String(error.message ?? error).split('\n')[0].slice(0, 300);
      }
    }),
  );
  const release = async () => {
    await Promise.all(
      held.map(async (entry) => {
        if (!entry.error) {
          entry.driver.send({ type: 'stop' });
          try {
            entry.stopped = await entry.driver.next('result');
          } catch (error) {
            entry.stopError = String(error.message ?? error);
          }
        }
        await finishDriver(entry.driver);
      }),
    );
  };
  return { held, release };
}
