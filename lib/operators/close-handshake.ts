/**
 * closeHandshake: bounds the close handshake in time. Once our close frame is
 * out (`@close-sent`: client close, protocol error, or the echo of the
 * server's close), the server has `closeTimeout` ms to end the TCP
 * connection; after that the session ends with
 * `disconnected('close timeout', graceful=false)` and the socket is destroyed.
 *
 * ```
 * input:   --r--@close-sent----------------    (closeTimeout 10)
 * output:  --r-------------------(d)|
 * ```
 */
import { Observable, type OperatorFunction, type Subscription } from 'rxjs';
import { events } from '../events/events.js';
import type { Connection } from '../session/connection.js';
import { endWith, type Signals } from '../session/signals.js';

/**
 * Operator: starts the close timer at the first `@close-sent`.
 *
 * @param conn - the connection (its scheduler drives the timer)
 * @param closeTimeout - ms to wait; 0 disables the timer
 */
export function closeHandshake(conn: Connection, closeTimeout: number): OperatorFunction<Signals, Signals> {
  if (closeTimeout === 0) return (source) => source;
  return (source) =>
    new Observable<Signals>((subscriber) => {
      let timer: Subscription | null = null;
      const subscription = source.subscribe({
        next: (batch) => {
          // O(1) per batch: the connection flags the close; `@close-sent` batches wake this operator up.
          if (timer === null && conn.closeStarted) {
            timer = conn.options.scheduler.schedule(() => {
              subscriber.next([endWith(events.disconnected('close timeout', false, conn.now()))]);
            }, closeTimeout);
          }
          subscriber.next(batch);
        },
        error: (error) => subscriber.error(error),
        complete: () => subscriber.complete(),
      });
      return () => {
        subscription.unsubscribe();
        timer?.unsubscribe();
      };
    });
}
