import { countedReason, type StatusEvent } from '../vocabulary/events.js';
import type { FeatureFactory } from './feature.js';
import { appName } from './metrics.js';
import { OneAtATime, postHookEvent, runHookCommand, type HookEvent, type HookKind } from './hook-run.js';

/** The hook option of each kind of event. */
const HOOK_OPTIONS = { restart: 'onRestart', 'give-up': 'onGiveUp', unhealthy: 'onUnhealthy', 'memory-limit': 'onMemoryLimit' } as const;

/** The kinds of hook event a status event is, given what the monitor said before it. */
export function hookKinds(event: StatusEvent): HookKind[] {
  if (event.type === 'gave-up') return ['give-up'];
  if (event.type !== 'restarting') return [];
  const reason = countedReason(event);
  return ['restart', ...(reason === 'unhealthy' || reason === 'memory-limit' ? [reason] : [])];
}

/**
 * `onRestart`, `onGiveUp`, `onUnhealthy`, `onMemoryLimit` and `notifyUrl`: tell someone, beside
 * the watchdog. A hook is started when the monitor says what happened, and is never waited for:
 * the restart goes on at once. One run at a time per hook and kind; a failure is a status line.
 */
export const hooksFeature: FeatureFactory = (host) => {
  const o = host.options;
  const commands = (Object.keys(HOOK_OPTIONS) as HookKind[]).filter((kind) => o[HOOK_OPTIONS[kind]] !== undefined);
  if (commands.length === 0 && o.notifyUrl === undefined) return undefined;
  const name = appName(o);

  const runners = new Map<string, OneAtATime>();
  const runner = (key: string, hook: string, run: (event: HookEvent) => Promise<string | undefined>): OneAtATime => {
    let found = runners.get(key);
    if (!found) {
      found = new OneAtATime(async (event) => {
        const error = await run(event);
        if (error) host.status({ type: 'hook-failed', hook, error });
      });
      runners.set(key, found);
    }
    return found;
  };

  let pid: number | null = null;
  let run = 0;
  let exit: Pick<HookEvent, 'exitCode' | 'signal' | 'uptimeMs'> = { exitCode: null, signal: null, uptimeMs: null };
  const onStatus = (event: StatusEvent): void => {
    if (event.type === 'started') [pid, run] = [event.pid, event.run];
    if (event.type === 'exited') exit = { exitCode: event.code, signal: event.signal, uptimeMs: event.uptime };
    for (const kind of hookKinds(event)) {
      const reason = event.type === 'restarting' ? countedReason(event) : event.type === 'gave-up' ? event.reason : '';
      const hookEvent: HookEvent = {
        event: kind, name, pid, ...exit, restarts: event.type === 'restarting' ? run : Math.max(0, run - 1), reason, coalesced: 0,
      };
      const option = HOOK_OPTIONS[kind];
      const command = o[option];
      const url = o.notifyUrl;
      // After the restart's spawn, which follows this event in the same tick: a hook never comes first.
      setImmediate(() => {
        if (command) runner(kind, option, (e) => runHookCommand(command, e, o.hookTimeout)).push(hookEvent);
        // One POST per event: a restart for memory is posted as `memory-limit`, not twice.
        if (url !== undefined && (kind !== 'restart' || hookKinds(event).length === 1)) {
          runner(`notify:${kind}`, 'notifyUrl', (e) => postHookEvent(url, e, o.hookTimeout)).push(hookEvent);
        }
      });
    }
  };
  const stop = host.onStatus(onStatus);
  return {
    // The monitor says it gave up just after it closes its features: listen until that is said.
    close: () => void queueMicrotask(stop),
  };
};
