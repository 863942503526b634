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
import type { OperatorFunction, SchedulerAction, Subscriber, Subscription } from 'rxjs';
import { events } from '../events/events.js';
import type { Connection } from '../connection/connection.js';
import { endWith, type Signals } from '../connection/signals.js';
import { SignalSubscriber, signalOperator } from './stage.js';

function timeoutTick(this: SchedulerAction<ConnectTimeoutSubscriber>, self?: ConnectTimeoutSubscriber): void {
  self!.expire();
}

class ConnectTimeoutSubscriber extends SignalSubscriber {
  private timer: Subscription | null;

  constructor(
    out: Subscriber<Signals>,
    private readonly conn: Connection,
    private readonly connectTimeout: number,
  ) {
    super(out);
    this.timer = conn.options.scheduler.schedule(timeoutTick, connectTimeout, this);
  }

  protected override _next(batch: Signals): void {
    const out = this.out;
    if (this.timer !== null && batch.some((signal) => signal.name === 'ready' || signal.name === 'rejected')) {
      this.teardown();
      this.retire(); // nothing left to time: later batches skip this operator
    }
    out.next(batch);
  }

  expire(): void {
    try {
      this.out.next([endWith(events.connectFail(`connect timeout after ${this.connectTimeout} ms`, this.conn.now()))]);
    } catch (error) {
      this.conn.internalError(error);
    }
  }

  protected override teardown(): void {
    this.timer?.unsubscribe();
    this.timer = null;
  }
}

/**
 * Operator: ends a session that is not `ready` (or `rejected`) in time.
 *
 * @param conn - the connection (its scheduler drives the timer)
 * @param connectTimeout - ms from subscription
 */
export function connectTimeout(conn: Connection, connectTimeout: number): OperatorFunction<Signals, Signals> {
  return signalOperator((out) => new ConnectTimeoutSubscriber(out, conn, connectTimeout));
}
