// Runs the leak host (test/fixtures/torture-leak-host.mjs) in a process of its own with --expose-gc.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import type { MonitorOptions } from '../../src/index.js';
import { fixture } from './paths.js';

export interface LeakReport {
  times: number;
  before: { heap: number; fds: number };
  warm: { heap: number; fds: number };
  end: { heap: number; fds: number };
  samples: number[];
  warnings: string[];
  errors: string[];
  bytes: number;
  listeners: Record<string, number>;
  processListeners: Record<string, number>;
}

export async function runLeakHost(script: string[], options: MonitorOptions, warmUp: number): Promise<LeakReport> {
  const { stdout } = await promisify(execFile)(
    process.execPath,
    ['--expose-gc', fixture('torture-leak-host.mjs'), JSON.stringify({ script, options, warmUp })],
    { maxBuffer: 1024 * 1024, timeout: 30 * 60 * 1000 },
  );
  return JSON.parse(stdout) as LeakReport;
}
