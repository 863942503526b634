/**
 * connectTimeout: TCP, TLS, the proxy tunnel and the HTTP upgrade must
 * complete within `connectTimeout` ms of subscription, else the session ends
 * with `connect_fail`. `ready` or `rejected` stops the timer.
 *
 * ```
 * input:   -c------------------    (connectTimeout 10, server silent)
 * output:  -c---------(f)|
 * ```
 */
import { Observable, type OperatorFunction } from 'rxjs';
import { events } from '../events/events.js';
import type { Connection } from '../session/connection.js';
import { endWith, type Signals } from '../session/signals.js';

/**
 * Operator: ends a session that is not `ready` (or `rejected`) in time.
 *
 * @param conn - the connection (its scheduler drives the timer)
 * @param connectTimeout - ms from subscription
 */
export function connectTimeout(conn: Connection, connectTimeout: number): OperatorFunction<Signals, Signals> {
  return (source) =>
    new Observable<Signals>((subscriber) => {
      const timer = conn.options.scheduler.schedule(() => {
        subscriber.next([endWith(events.connectFail(`connect timeout after ${connectTimeout} ms`, conn.now()))]);
      }, connectTimeout);
      const subscription = source.subscribe({
        next: (batch) => {
          if (!timer.closed && batch.some((signal) => signal.name === 'ready' || signal.name === 'rejected')) timer.unsubscribe();
          subscriber.next(batch);
        },
        error: (error) => subscriber.error(error),
        complete: () => subscriber.complete(),
      });
      return () => {
        subscription.unsubscribe();
        timer.unsubscribe();
      };
    });
}
