/**
 * persist: keeps a connection alive. Whenever the source (a `connect$`
 * stream) completes or errors with a fault, it emits `back_off(delay)`, waits
 * `delay` on the scheduler, and subscribes again: RxJS's `repeat({ delay })`
 * over one attempt, whose end {@link PersistRun} turns into a decision.
 * Delays grow exponentially with jitter over consecutive attempts that did
 * not stay `ready` for `minUptime` (the formula of {@link exponentialBackoff});
 * a `Retry-After` header on a `rejected` response sets the next delay, within
 * [minWait, maxWait]. It stops after `maxAttempts` consecutive failures, when
 * `shouldRetry` says no, and after the application's own `ws.close()`.
 *
 * ```
 * source:  -a-f|  -a-f|        -a-b-r---d|  -a-b-r…     (f = connect_fail, r = ready, d = disconnected)
 * persist: -a-f(k)-a-f(k)------a-b-r---d(k)-a-b-r…      (k = back_off; waits 7.5 s, 12.5 s, … between)
 * app close:            -a-b-r--c-d|                    (ws.close(): closed, disconnected, then complete)
 * ```
 *
 * The operators layer: public RxJS operators over the events stream
 * (persist and its run, exponentialBackoff, json, multiplex, browserWake$),
 * built on RxJS's public API only. May import: scheduling/, events/, core/;
 * never connection/, pipeline/, session/ or the façade.
 */
import { Observable, Subject, Subscription, repeat, type MonoTypeOperatorFunction } from 'rxjs';
import { checkDuration } from '../core/checks.js';
import type { WebSocketEvent } from '../events/events.js';
import { resolveBackoff, type ExponentialBackoffOptions } from './exponential-backoff.js';
import { PersistRun, type PersistConfig, type PersistEnd } from './persist-run.js';

export type { PersistEnd } from './persist-run.js';

/** How {@link persist} waits between attempts, and when it stops. */
export interface PersistOptions extends ExponentialBackoffOptions {
  /** An attempt that stays `ready` this long (ms) resets the backoff (default 0: reaching `ready` is enough). */
  minUptime?: number;
  /** Honour `Retry-After` on a `rejected` response, clamped to [minWait, maxWait] (default true). */
  retryAfter?: boolean;
  /** Complete after this many consecutive attempts that did not stay `ready` for `minUptime` (default Infinity). */
  maxAttempts?: number;
  /** Called after each attempt that would be retried; returning false completes the stream (default: always retry). */
  shouldRetry?: (end: PersistEnd) => boolean;
  /** Each emission during a wait cuts it short and reconnects at once (e.g. `online` events); default: none. */
  retryNow$?: Observable<unknown>;
}

/** Validates everything beyond the waits. */
function resolvePersistOptions(options: PersistOptions): PersistConfig {
  const backoff = resolveBackoff(options, 'persist');
  checkDuration(options.minUptime, 'minUptime');
  const { retryAfter, maxAttempts = Infinity, shouldRetry, retryNow$ } = options;
  if (retryAfter !== undefined && typeof retryAfter !== 'boolean') throw new TypeError(`retryAfter must be a boolean, got ${typeof retryAfter}`);
  if (typeof maxAttempts !== 'number') throw new TypeError(`maxAttempts must be a number, got ${typeof maxAttempts}`);
  if (maxAttempts !== Infinity && !(Number.isInteger(maxAttempts) && maxAttempts >= 1)) {
    throw new RangeError(`maxAttempts must be an integer >= 1 or Infinity, got ${maxAttempts}`);
  }
  if (shouldRetry !== undefined && typeof shouldRetry !== 'function') throw new TypeError(`shouldRetry must be a function, got ${typeof shouldRetry}`);
  if (retryNow$ !== undefined && (retryNow$ === null || typeof (retryNow$ as Partial<Observable<unknown>>).subscribe !== 'function')) {
    throw new TypeError('retryNow$ must be an Observable');
  }
  return { backoff, minUptime: options.minUptime ?? 0, retryAfter: retryAfter ?? true, maxAttempts, shouldRetry };
}

/**
 * Reconnects its source with exponential backoff and jitter, until told to stop.
 *
 * Gist: on every end of the source, `back_off(delay, attempt)`, a wait, a new subscription; TypeError,
 * RangeError and WebSocketUnavailableError (programming errors) are re-thrown instead.
 *
 * @example
 * ```ts
 * import { connect$, persist, isText } from 'lomond';
 * import { filter } from 'rxjs';
 *
 * connect$('wss://example.org/feed')
 *   .pipe(
 *     persist({ minWait: 1000, maxWait: 60_000, minUptime: 10_000, shouldRetry: ({ closeCode }) => closeCode !== 4001 }),
 *     filter(isText),
 *   )
 *   .subscribe((e) => console.log(e.text));
 * // on every drop: BackOff(delay=…) then a new Connecting(…); completes after a close with code 4001
 * ```
 *
 * @param options - waits, jitter, stop conditions, wake-up signal, scheduler
 * @returns an operator that completes when it stops (maxAttempts, shouldRetry, the app's own close);
 *   unsubscribing stops it at once (a live connection is closed, no new one is opened)
 * @throws TypeError / RangeError for invalid options
 * @see {@link exponentialBackoff} for the same waits on any Observable
 */
export function persist(options: PersistOptions = {}): MonoTypeOperatorFunction<WebSocketEvent> {
  const config = resolvePersistOptions(options);
  const retryNow$ = options.retryNow$;
  return (source) =>
    new Observable<WebSocketEvent>((subscriber) => {
      const subscription = new Subscription();
      // The wake-up signal is watched for the whole subscription (an emission at subscription, as a
      // BehaviorSubject makes, finds no wait and is ignored); only a wait in progress listens to `wake`.
      let wake: Subject<unknown> | null = null;
      if (retryNow$ !== undefined) {
        const signal = (wake = new Subject<unknown>());
        subscription.add(retryNow$.subscribe({ next: (value) => signal.next(value), error: (error: unknown) => subscriber.error(error) }));
      }
      const run = new PersistRun(config, wake);
      if (!subscriber.closed) subscription.add(run.attempt$(source).pipe(repeat({ delay: () => run.wait() })).subscribe(subscriber));
      return subscription;
    });
}
