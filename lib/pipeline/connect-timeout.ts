/**
 * connectTimeout: TCP, TLS, the proxy tunnel and the HTTP upgrade must
 * complete within `connectTimeout` ms of subscription, else the session ends
 * with `connect_fail`. `ready` or `rejected` stops the timer. At expiry the
 * timeout enters the pipeline's head as a signal, so that the handshake stage
 * can turn a refusal whose body is still arriving into `rejected` (with the
 * body so far); a timeout that comes back here unanswered is `connect_fail`.
 *
 * ```
 * input:   -c------------------    (connectTimeout 10, server silent)
 * output:  -c---------(f)|
 * ```
 */
import type { SchedulerAction, Subscription } from 'rxjs';
import { events } from '../events/events.js';
import type { Connection } from '../connection/connection.js';
import { CONNECT_TIMEOUT, endWith, type Signals } from '../connection/signals.js';
import { Stage, type Downstream, type StageFactory } from './stage.js';

function timeoutTick(this: SchedulerAction<ConnectTimeoutStage>, self?: ConnectTimeoutStage): void {
  self!.expire();
}

class ConnectTimeoutStage extends Stage {
  private timer: Subscription | null;

  constructor(
    out: Downstream<Signals>,
    private readonly conn: Connection,
    private readonly connectTimeout: number,
  ) {
    super(out);
    this.timer = conn.options.scheduler.schedule(timeoutTick, connectTimeout, this);
  }

  override next(batch: Signals): void {
    const out = this.out;
    if (batch.includes(CONNECT_TIMEOUT)) {
      this.fail();
      return;
    }
    if (this.timer !== null && batch.some((signal) => signal.name === 'ready' || signal.name === 'rejected')) {
      this.leave(this.conn.input); // nothing left to time (leaving stops the timer): later batches skip this stage
    }
    out.next(batch);
  }

  /** The timer fired: the timeout goes through the pipeline from its head (see the file's comment). */
  expire(): void {
    this.timer = null;
    const input = this.conn.input;
    try {
      if (input === null) this.fail();
      else input.next([CONNECT_TIMEOUT]);
    } catch (error) {
      this.conn.internalError(error);
    }
  }

  private fail(): void {
    this.out.next([endWith(events.connectFail(`connect timeout after ${this.connectTimeout} ms`, this.conn.now()))]);
  }

  protected override stop(): void {
    this.timer?.unsubscribe();
    this.timer = null;
  }
}

/**
 * Stage: ends a session that is not `ready` (or `rejected`) in time.
 *
 * @param conn - the connection (its scheduler drives the timer)
 * @param connectTimeout - ms from subscription
 */
export function connectTimeout(conn: Connection, connectTimeout: number): StageFactory {
  return (out) => new ConnectTimeoutStage(out, conn, connectTimeout);
}
