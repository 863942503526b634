/**
 * Counts timer wake-ups in this process, for the idle row: an async_hooks
 * `before` hook sees every timer callback Node runs (resource type
 * `Timeout`: setTimeout, setInterval — RxJS's async scheduler included —
 * and socket timeouts); the first one of an event-loop turn counts a
 * wake-up, and a setImmediate (which runs after the timers phase of the same
 * turn) ends the turn. So several timers due in the same millisecond are one
 * wake-up, as Node's shared timer lists make them; each distinct due time is
 * one. The hook costs CPU, so the idle row measures CPU in a window without
 * it and counts in another window with it.
 */
import { createHook, executionAsyncResource } from 'node:async_hooks';

/** Timer callbacks and wake-ups counted while enabled. */
export interface WakeUps {
  callbacks: number;
  wakeUps: number;
}

/** A counter: `enable()`, wait, `disable()` returns the counts. */
export function wakeUpCounter(): { enable(): void; disable(): WakeUps } {
  const counts: WakeUps = { callbacks: 0, wakeUps: 0 };
  let inTurn = false;
  const endTurn = (): void => {
    inTurn = false;
  };
  const hook = createHook({
    before() {
      const resource = executionAsyncResource() as { constructor?: { name?: string } } | undefined;
      if (resource?.constructor?.name !== 'Timeout') return;
      counts.callbacks++;
      if (!inTurn) {
        inTurn = true;
        counts.wakeUps++;
        setImmediate(endTurn);
      }
    },
  });
  return {
    enable: () => void hook.enable(),
    disable: () => {
      hook.disable();
      return { ...counts };
    },
  };
}
