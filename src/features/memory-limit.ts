import { sizeInBytes } from '../options/size.js';
import { treeUsage, type TreeUsage } from '../processes/tree-usage.js';
import type { FeatureFactory } from './feature.js';

/**
 * The rule of the memory limit, as plain data: how many measures in a row have been over the
 * limit after this one, and whether that is enough for a restart. A measure at or under the
 * limit starts the count again, so a start-up spike shorter than `checks` measures is forgiven.
 */
export function afterMeasure(overBefore: number, bytes: number, limit: number, checks: number): { over: number; restart: boolean } {
  const over = bytes > limit ? overBefore + 1 : 0;
  return { over, restart: over >= checks };
}

/**
 * `maxMemory`: the resident memory of the child's whole tree (its group and descendants, as a
 * stop finds them) is measured every `memoryCheckInterval`; over the limit for `memoryChecks`
 * measures in a row, the child is stopped gracefully and the restart rule counts it as a crash
 * with the reason `memory-limit`.
 */
export const memoryLimitFeature: FeatureFactory = (host) => {
  const { maxMemory, memoryCheckInterval, memoryChecks } = host.options;
  if (maxMemory === undefined) return undefined;
  const limit = sizeInBytes(maxMemory) as number;
  return {
    attachRun({ pid }) {
      let over = 0;
      let failed = false;
      const measure = (): void => {
        if (failed) return;
        const usage: TreeUsage | undefined = treeUsage(pid);
        if (!usage) return;
        const next = afterMeasure(over, usage.bytes, limit, memoryChecks);
        over = next.over;
        if (!next.restart) return;
        failed = true;
        host.status({ type: 'memory-limit', bytes: usage.bytes, limit, checks: over, largest: usage.largest });
        host.fail('memory-limit');
      };
      // The child keeps the watchdog's loop alive; the timer need not.
      const timer = setInterval(measure, memoryCheckInterval).unref();
      return () => clearInterval(timer);
    },
    close() {},
  };
};
