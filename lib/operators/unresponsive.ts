/**
 * unresponsive: dead-peer detection. From `ready` on, when no pong arrived for
 * `pingTimeout` ms (counted from the last pong, or from `ready`), it emits
 * `unresponsive` and ends the session with `disconnected(graceful=false)`.
 *
 * ```
 * input:   --r----P------------------|   (pingTimeout 10; P = pong)
 * output:  --r----P---------(u,d)|
 * ```
 */
import { Observable, type OperatorFunction, type Subscription } from 'rxjs';
import { events } from '../events/events.js';
import type { Connection } from '../session/connection.js';
import { endWith, type Signals } from '../session/signals.js';

/**
 * Operator: watches pongs and fires `unresponsive` after `pingTimeout` ms of silence.
 *
 * @param conn - the connection (its scheduler drives the timer)
 * @param pingTimeout - ms without a pong; undefined disables the operator
 */
export function unresponsive(conn: Connection, pingTimeout: number | undefined): OperatorFunction<Signals, Signals> {
  if (pingTimeout === undefined) return (source) => source;
  return (source) =>
    new Observable<Signals>((subscriber) => {
      const scheduler = conn.options.scheduler;
      let lastPong = 0;
      let check: Subscription | null = null;

      const schedule = (delay: number): void => {
        check = scheduler.schedule(() => {
          const silent = conn.now() - lastPong;
          if (silent < pingTimeout) {
            schedule(pingTimeout - silent);
            return;
          }
          const now = conn.now();
          subscriber.next([events.unresponsive(now), endWith(events.disconnected('unresponsive', false, now))]);
        }, delay);
      };

      const subscription = source.subscribe({
        next: (batch) => {
          for (const signal of batch) {
            if (signal.name === 'pong') lastPong = conn.now();
            else if (signal.name === 'ready' && check === null) {
              lastPong = conn.now();
              schedule(pingTimeout);
            }
          }
          subscriber.next(batch);
        },
        error: (error) => subscriber.error(error),
        complete: () => subscriber.complete(),
      });
      return () => {
        subscription.unsubscribe();
        check?.unsubscribe();
      };
    });
}
