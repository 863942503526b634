/**
 * keepalive: pings and polls on the scheduler. At `ready` it sends a ping and
 * emits `poll`; then it pings every `pingRate` ms (0 disables) and polls every
 * `poll` ms until the session ends. Pings stop once the close handshake starts.
 *
 * ```
 * input:   --r---------------------------|
 * pings:   --p-----p-----p-----p---------   (pingRate 6)
 * output:  --(rP)----P----P----P----P----|  (poll 5)
 * ```
 */
import { Observable, timer, type OperatorFunction, type Subscription } from 'rxjs';
import { events } from '../events/events.js';
import type { Connection } from '../session/connection.js';
import type { Signals } from '../session/signals.js';

/** Timing of {@link keepalive}. */
export interface KeepaliveConfig {
  /** Ping interval in ms; 0 disables pings. */
  readonly pingRate: number;
  /** Poll interval in ms. */
  readonly poll: number;
}

/**
 * Operator: adds `poll` events and sends pings, starting at `ready`.
 *
 * @param conn - the connection to ping through (its scheduler drives the timers)
 * @param config - intervals
 */
export function keepalive(conn: Connection, config: KeepaliveConfig): OperatorFunction<Signals, Signals> {
  return (source) =>
    new Observable<Signals>((subscriber) => {
      const scheduler = conn.options.scheduler;
      let timers: Subscription | null = null;

      const ping = (): void => {
        if (conn.isActive) conn.protocol!.sendPing();
      };

      const start = (): void => {
        timers = timer(config.poll, config.poll, scheduler).subscribe(() => subscriber.next([events.poll(conn.now())]));
        if (config.pingRate > 0) timers.add(timer(config.pingRate, config.pingRate, scheduler).subscribe(ping));
      };

      const subscription = source.subscribe({
        next: (batch) => {
          const at = timers === null ? batch.findIndex((signal) => signal.name === 'ready') : -1;
          if (at < 0) {
            subscriber.next(batch);
            return;
          }
          const out = batch.slice();
          out.splice(at + 1, 0, events.poll(conn.now()));
          if (config.pingRate > 0) ping();
          start();
          subscriber.next(out);
        },
        error: (error) => subscriber.error(error),
        complete: () => subscriber.complete(),
      });
      return () => {
        subscription.unsubscribe();
        timers?.unsubscribe();
      };
    });
}
