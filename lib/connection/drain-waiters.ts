/**
 * DrainWaiters: who waits in `drain$(lowWaterMark)` for a connection's
 * `bufferedAmount` to fall to a mark. They look again whenever bytes moved:
 * the outbox handed held frames to the transport, the transport drained, or
 * a flush marker came back (the transport's `flushed()`: everything written
 * before it went to the OS, which is how a mark under the transport's own
 * high-water mark is noticed without a timer). One marker at a time, armed
 * only while someone waits: a connection nobody waits on pays nothing.
 */
import type { Subscriber, TeardownLogic } from 'rxjs';
import { WebSocketClosedError } from '../core/errors.js';
import type { TransportConnection } from '../transports/transport.js';

/** What the waiters read: the amount, and the transport that can say when it flushed. */
export interface Buffered {
  readonly bufferedAmount: number;
  readonly transport: TransportConnection | null;
}

interface Waiter {
  readonly mark: number;
  readonly subscriber: Subscriber<void>;
}

/** The `drain$()` waiters of one connection. */
export class DrainWaiters {
  private waiters: Waiter[] = [];
  private markerArmed = false;
  private ended = false;

  constructor(private readonly source: Buffered) {}

  /** A new waiter: served at once when the amount is already at or below its mark. */
  add(mark: number, subscriber: Subscriber<void>): TeardownLogic {
    if (this.source.bufferedAmount <= mark || this.ended) {
      // Ended: nothing is buffered any more, and nothing waited (the amount reads 0).
      subscriber.next();
      subscriber.complete();
      return;
    }
    const waiter: Waiter = { mark, subscriber };
    this.waiters.push(waiter);
    this.armMarker();
    return () => {
      const at = this.waiters.indexOf(waiter);
      if (at >= 0) this.waiters.splice(at, 1);
    };
  }

  /** Bytes moved: serves every waiter whose mark is reached, and keeps watching for the others. */
  check(): void {
    if (this.waiters.length === 0) return;
    const amount = this.source.bufferedAmount;
    const served = this.waiters.filter((waiter) => amount <= waiter.mark);
    if (served.length > 0) {
      this.waiters = this.waiters.filter((waiter) => amount > waiter.mark);
      for (const { subscriber } of served) {
        subscriber.next();
        subscriber.complete();
      }
    }
    this.armMarker();
  }

  /** The connection ended with bytes still buffered: they will never leave, and the waiters learn it. */
  end(): void {
    this.ended = true;
    const waiters = this.waiters;
    this.waiters = [];
    for (const { subscriber } of waiters) subscriber.error(new WebSocketClosedError('websocket closed before its buffered data was sent'));
  }

  private armMarker(): void {
    const transport = this.source.transport;
    if (this.markerArmed || this.waiters.length === 0 || transport?.flushed === undefined || transport.bufferedAmount === 0) return;
    this.markerArmed = true;
    transport.flushed(() => {
      this.markerArmed = false;
      this.check();
    });
  }
}
