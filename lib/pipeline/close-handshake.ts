/**
 * The close handshake, bounded in time (not a stage of its own: the session's
 * sink creates it when the close starts, see {@link CloseHandshake}). Once our close frame is
 * out (`@close-sent`: client close, protocol error, or the echo of the
 * server's close), the server has `closeTimeout` ms to end the TCP
 * connection; after that the session ends with
 * `disconnected('close timeout', graceful=false)` and the socket is destroyed.
 * The time counts from when the close frame was handed to the transport
 * (`sentCloseTime`): a close that waits behind compressed messages, or behind
 * messages still being inflated before a fault is reported, has not reached
 * the server yet, so the server's time has not started. The timer is then
 * parked until `@close-sent` says the frame is out. That wait is finite: what
 * the close waits behind is bounded (the application's earlier sends; the
 * messages read before a fault, each within maxMessageSize, and no more read
 * once the pipeline is behind), and nothing is parsed after a fault. Once the
 * subscriber is gone, nobody waits for those: the socket is torn down within
 * closeTimeout of the close's start at most (SPEC: unsubscribing), sent or not.
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
import type { Downstream } from './stage.js';

/** `bits`: the timer fell due while the close frame still waited to be handed over: it waits for `@close-sent`. */
const PARKED = 1;
/** `bits`: the transport was asked to half-close. */
const HALF_CLOSED = 2;

function timeoutTick(this: SchedulerAction<CloseHandshake>, self?: CloseHandshake): void {
  self!.expire();
}

/**
 * One connection's close handshake in time: created by the pipeline's last stage at the first batch after the
 * close started (an open connection that never closes holds none), it ends the session through `end` when the
 * server keeps TCP open too long.
 */
export class CloseHandshake {
  private timer: Subscription | null;
  private bits = 0;

  constructor(
    private readonly conn: Connection,
    private readonly end: Downstream<Signals> & { readonly attached?: boolean },
  ) {
    this.timer = conn.options.scheduler.schedule(timeoutTick, conn.options.closeTimeout, this);
  }

  /**
   * A batch passed while closing, or `@close-sent` (O(1)): the parked timer counts from the close frame's
   * hand-over; the transport half-closes once both close frames are through.
   */
  passed(): void {
    // RFC 6455 §7.1.1: the client "MAY close the connection at any time after sending and receiving a Close
    // message". A transport that can half-close (an HTTP/2 stream's END_STREAM, RFC 8441 §5) does, once both
    // Close frames are through: peers that wait for it (hypercorn) then end theirs instead of a closeTimeout.
    // Only once our close frame left the outbox: ending the stream earlier would cut what still waits there.
    const conn = this.conn;
    const sent = conn.sentCloseTime;
    if ((this.bits & PARKED) !== 0 && sent !== null) {
      this.bits &= ~PARKED;
      this.timer = conn.options.scheduler.schedule(timeoutTick, Math.max(0, this.left(sent)), this);
    }
    if ((this.bits & HALF_CLOSED) === 0 && conn.closeExchanged) {
      this.bits |= HALF_CLOSED;
      conn.transport?.end?.();
    }
  }

  expire(): void {
    const conn = this.conn;
    try {
      const sent = conn.sentCloseTime;
      if (conn.phase === 'ended') return;
      if (sent === null && this.end.attached !== false) {
        // Not handed over yet: the server's time has not started (see the file's comment).
        this.timer = null;
        this.bits |= PARKED;
        return;
      }
      const left = sent === null ? 0 : this.left(sent);
      if (left > 0) {
        this.timer = conn.options.scheduler.schedule(timeoutTick, left, this);
        return;
      }
      // SPEC: a server that does not end TCP within closeTimeout is cut off: `disconnected(graceful=false)`,
      // even after both close frames were exchanged.
      this.end.next([endWith(events.disconnected('close timeout', false, conn.now()))]);
    } catch (error) {
      conn.internalError(error);
    }
  }

  /** What is left of the server's closeTimeout, counted from when our close frame was handed over (`sent`). */
  private left(sent: number): number {
    return sent + this.conn.options.closeTimeout - this.conn.now();
  }

  /** The subscriber is gone: a timer parked for a close frame still waiting ends the session now. */
  detached(): void {
    if ((this.bits & PARKED) === 0) return;
    this.bits &= ~PARKED;
    this.expire();
  }

  /** The session ended: the timer is cancelled. */
  stop(): void {
    this.timer?.unsubscribe();
    this.timer = null;
  }
}
