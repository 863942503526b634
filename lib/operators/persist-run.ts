/**
 * PersistRun: the state of one `persist` subscription. It watches each
 * attempt's events (ready, Retry-After, the server's close code, the last
 * event), and at the attempt's end decides: re-throw a programming error,
 * stop (complete), or emit `back_off` and wait. The waiting itself is RxJS's
 * `repeat({ delay })` (see persist.ts), handed {@link PersistRun.wait}.
 */
import { EMPTY, Observable, merge, take, timer, type Subject, type Subscriber } from 'rxjs';
import { clampDelay } from '../core/backoff.js';
import { WebSocketUnavailableError } from '../core/errors.js';
import { isAppClose } from '../events/app-close.js';
import { retryAfterOf } from '../events/retry-after-mark.js';
import { events, type WebSocketEvent } from '../events/events.js';
import type { Backoff } from './exponential-backoff.js';

/** What `shouldRetry` learns about an attempt that just ended (SPEC `PersistEnd`). */
export interface PersistEnd {
  /**
   * The n of the backoff formula for this attempt, which the next `back_off` carries: 1 for the first
   * attempt, one more for each attempt after one that did not stay `ready` for `minUptime`, back to 1 for
   * an attempt that did.
   */
  readonly attempt: number;
  /** The attempt's last event when it was `disconnected` or `connect_fail`, else undefined. */
  readonly last?: WebSocketEvent;
  /** The code of the server's close frame (from `closing` or `closed`), if one arrived. */
  readonly closeCode?: number;
  /** What the source errored with, if it errored. */
  readonly error?: unknown;
}

/** Validated `persist` options. */
export interface PersistConfig {
  readonly backoff: Backoff;
  readonly minUptime: number;
  readonly retryAfter: boolean;
  readonly maxAttempts: number;
  readonly shouldRetry: ((end: PersistEnd) => boolean) | undefined;
}

/** SPEC: TypeError, RangeError and WebSocketUnavailableError from the source are re-thrown, not retried. */
const isProgrammingError = (error: unknown): boolean =>
  error instanceof TypeError || error instanceof RangeError || error instanceof WebSocketUnavailableError;

/** One persist subscription's counters and its current attempt's observations. */
export class PersistRun {
  /** n of the formula (see {@link PersistEnd.attempt}). */
  private n = 0;
  /** Consecutive attempts that did not stay ready for minUptime (for maxAttempts). */
  private failures = 0;
  /** The wait chosen at the last attempt's end, or null to stop. */
  private delay: number | null = null;

  // The current attempt.
  private readyAt: number | null = null;
  private retryAfter: number | null = null;
  private closeCode: number | undefined = undefined;
  private last: WebSocketEvent | undefined = undefined;

  /** @param wake - emits when `retryNow$` does (observed only during a wait), or null without `retryNow$` */
  constructor(
    private readonly config: PersistConfig,
    private readonly wake: Subject<unknown> | null,
  ) {}

  /** One attempt: the source's events, then `back_off` and completion, or completion alone to stop. */
  attempt$(source: Observable<WebSocketEvent>): Observable<WebSocketEvent> {
    return new Observable<WebSocketEvent>((out) => {
      // Unsubscribed from inside a handler while a resubscription was on its way: open nothing.
      if (out.closed) return undefined;
      this.readyAt = this.retryAfter = null;
      this.closeCode = this.last = undefined;
      return source.subscribe({
        next: (event) => {
          this.observe(event);
          out.next(event);
        },
        error: (error: unknown) => this.end(out, { error }),
        complete: () => this.end(out, null),
      });
    });
  }

  /** The wait before the next attempt (`repeat`'s delay notifier): EMPTY completes the whole stream. */
  wait(): Observable<unknown> {
    const delay = this.delay;
    if (delay === null) return EMPTY;
    const timer$ = timer(delay, this.config.backoff.scheduler);
    // merge, not race: a retryNow$ that completes at once (no window to watch) must not end the wait.
    return this.wake === null ? timer$ : merge(timer$, this.wake).pipe(take(1));
  }

  private observe(event: WebSocketEvent): void {
    this.last = event;
    switch (event.name) {
      case 'ready':
        this.readyAt = this.config.backoff.scheduler.now();
        break;
      case 'rejected':
        // The session parsed the header when it built the event (Node only: browsers see no rejected upgrade).
        if (this.config.retryAfter) this.retryAfter = retryAfterOf(event);
        break;
      case 'closing':
      case 'closed':
        this.closeCode = event.code;
        break;
    }
  }

  /** The attempt ended (`failed` holds the source's error, or is null when it completed): decide what follows. */
  private end(out: Subscriber<WebSocketEvent>, failed: { error: unknown } | null): void {
    this.delay = null;
    if (out.closed) return; // unsubscribed from inside a handler (disconnected, connect_fail…): stop at once
    if (failed !== null && isProgrammingError(failed.error)) {
      out.error(failed.error);
      return;
    }
    const last = this.last;
    // The application closed this connection itself (ws.close()): done, not a fault to recover from.
    if (last !== undefined && isAppClose(last)) {
      out.complete();
      return;
    }
    const { backoff, minUptime, maxAttempts, shouldRetry } = this.config;
    const now = backoff.scheduler.now();
    // An attempt that stayed ready for minUptime resets the count: the next wait uses n = 1.
    const stayedUp = this.readyAt !== null && now - this.readyAt >= minUptime;
    this.n = stayedUp ? 1 : this.n + 1;
    this.failures = stayedUp ? 0 : this.failures + 1;
    if (this.failures >= maxAttempts) {
      out.complete();
      return;
    }
    if (shouldRetry !== undefined) {
      const final = last?.name === 'disconnected' || last?.name === 'connect_fail' ? last : undefined;
      let retry: boolean;
      try {
        retry = shouldRetry({ attempt: this.n, last: final, closeCode: this.closeCode, error: failed?.error });
      } catch (error) {
        out.error(error);
        return;
      }
      if (!retry) {
        out.complete();
        return;
      }
      if (out.closed) return; // shouldRetry unsubscribed
    }
    // SPEC: a Retry-After delay is clamped to [minWait, maxWait]: a server can make a client neither spin nor stall.
    const delay = this.retryAfter !== null ? clampDelay(this.retryAfter, backoff.minWait, backoff.maxWait) : backoff.delay(this.n);
    this.delay = delay;
    out.next(events.backOff(delay, this.n, now));
    out.complete();
  }
}
