/**
 * closeHandshake: bounds the close handshake in time. Once our close frame is
 * out (`@close-sent`: client close, protocol error, or the echo of the
 * server's close), the server has `closeTimeout` ms to end the TCP
 * connection; after that the session ends with
 * `disconnected('close timeout', graceful=false)` and the socket is destroyed.
 * The time counts from when the close frame was handed to the transport
 * (`sentCloseTime`): a close that waits behind compressed messages, or behind
 * messages still being inflated before a fault is reported, has not reached
 * the server yet, so the server's time has not started.
 *
 * ```
 * input:   --r--@close-sent----------------    (closeTimeout 10)
 * output:  --r-------------------(d)|
 * ```
 */
import type { SchedulerAction, Subscription } from 'rxjs';
import { events } from '../events/events.js';
import type { Connection } from '../connection/connection.js';
import { endWith, type Signals } from '../connection/signals.js';
import { STAGE_BIT, Stage, type Downstream, type StageFactory } from './stage.js';

/** `bits`: the timer was extended because the close frame still waited to be handed over. */
const EXTENDED = STAGE_BIT;
/** `bits`: the transport was asked to half-close. */
const HALF_CLOSED = STAGE_BIT * 2;

function timeoutTick(this: SchedulerAction<CloseHandshakeStage>, self?: CloseHandshakeStage): void {
  self!.expire();
}

class CloseHandshakeStage extends Stage {
  private timer: Subscription | null = null;

  constructor(
    out: Downstream<Signals>,
    private readonly conn: Connection,
  ) {
    super(out);
  }

  override next(batch: Signals): void {
    // O(1) per batch: the connection flags the close; `@close-sent` batches wake this stage up.
    const conn = this.conn;
    if (conn.closeStarted) {
      if (this.timer === null) this.timer = conn.options.scheduler.schedule(timeoutTick, conn.options.closeTimeout, this);
      // RFC 6455 §7.1.1: the client "MAY close the connection at any time after sending and receiving a Close
      // message". A transport that can half-close (an HTTP/2 stream's END_STREAM, RFC 8441 §5) does, once both
      // Close frames are through: peers that wait for it (hypercorn) then end theirs instead of a closeTimeout.
      // Only once our close frame left the outbox: ending the stream earlier would cut what still waits there.
      if ((this.bits & HALF_CLOSED) === 0 && conn.protocol?.state === 'closed' && conn.sentCloseTime !== null) {
        this.bits |= HALF_CLOSED;
        conn.transport?.end?.();
      }
    }
    this.out.next(batch);
  }

  expire(): void {
    const conn = this.conn;
    try {
      const sent = conn.sentCloseTime;
      // Not handed over yet: one more closeTimeout at most (zlib may be slow, never endless).
      const closeTimeout = conn.options.closeTimeout;
      const left = sent === null ? ((this.bits & EXTENDED) !== 0 ? 0 : Math.max(closeTimeout, 1)) : sent + closeTimeout - conn.now();
      if (left > 0 && conn.phase !== 'ended') {
        if (sent === null) this.bits |= EXTENDED;
        this.timer = conn.options.scheduler.schedule(timeoutTick, left, this);
        return;
      }
      // SPEC: a server that does not end TCP within closeTimeout is cut off: `disconnected(graceful=false)`,
      // even after both close frames were exchanged.
      this.out.next([endWith(events.disconnected('close timeout', false, conn.now()))]);
    } catch (error) {
      conn.internalError(error);
    }
  }

  protected override stop(): void {
    this.timer?.unsubscribe();
  }
}

/**
 * Stage: starts the close timer at the first `@close-sent`.
 *
 * @param conn - the connection (its scheduler drives the timer); its `closeTimeout` setting is the ms to wait
 *   for the server to end TCP; 0 does not wait (the session ends as soon as the close frame was handed to the
 *   socket, on the scheduler's next turn)
 */
export function closeHandshake(conn: Connection): StageFactory {
  return (out) => new CloseHandshakeStage(out, conn);
}
