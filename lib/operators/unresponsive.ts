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
import type { OperatorFunction, SchedulerAction, Subscriber, Subscription } from 'rxjs';
import { events } from '../events/events.js';
import type { Connection } from '../session/connection.js';
import { endWith, type Signals } from '../session/signals.js';
import { SignalSubscriber, signalOperator } from './signal-subscriber.js';

function checkTick(this: SchedulerAction<UnresponsiveSubscriber>, self?: UnresponsiveSubscriber): void {
  const delay = self!.check();
  if (delay > 0) this.schedule(self, delay);
}

class UnresponsiveSubscriber extends SignalSubscriber {
  private lastPong = 0;
  private timer: Subscription | null = null;

  constructor(
    out: Subscriber<Signals>,
    private readonly conn: Connection,
    private readonly pingTimeout: number,
  ) {
    super(out);
  }

  protected override _next(batch: Signals): void {
    for (let i = 0; i < batch.length; i++) {
      const name = batch[i]!.name;
      if (name === 'pong') this.lastPong = this.conn.now();
      else if (name === 'ready' && this.timer === null) {
        this.lastPong = this.conn.now();
        this.timer = this.conn.options.scheduler.schedule(checkTick, this.pingTimeout, this);
      }
    }
    this.out.next(batch);
  }

  /** Ends the session when the peer has been silent too long; else returns the ms left to wait. */
  check(): number {
    const now = this.conn.now();
    const silent = now - this.lastPong;
    if (silent < this.pingTimeout) return this.pingTimeout - silent;
    this.out.next([events.unresponsive(now), endWith(events.disconnected('unresponsive', false, now))]);
    return 0;
  }

  protected override teardown(): void {
    this.timer?.unsubscribe();
  }
}

/**
 * Operator: watches pongs and fires `unresponsive` after `pingTimeout` ms of silence.
 *
 * @param conn - the connection (its scheduler drives the timer)
 * @param pingTimeout - ms without a pong; undefined disables the operator
 */
export function unresponsive(conn: Connection, pingTimeout: number | undefined): OperatorFunction<Signals, Signals> {
  if (pingTimeout === undefined) return (source) => source;
  return signalOperator((out) => new UnresponsiveSubscriber(out, conn, pingTimeout));
}
