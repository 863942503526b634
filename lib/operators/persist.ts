/**
 * persist: keeps a connection alive. Whenever the source (a `connect$`
 * stream) completes or errors, it emits `back_off(delay)`, waits `delay` on
 * the scheduler, and subscribes again. Delays grow exponentially with full
 * jitter over consecutive attempts that did not stay `ready` for `minUptime`;
 * a `Retry-After` header on a `rejected` response sets the next delay.
 *
 * ```
 * source:  -a-f|  -a-f|        -a-b-r---d|  -a-b-r…     (f = connect_fail, r = ready, d = disconnected)
 * persist: -a-f(k)-a-f(k)------a-b-r---d(k)-a-b-r…      (k = back_off; waits 7.5 s, 12.5 s, … between)
 * ```
 */
import { Observable, asyncScheduler, type MonoTypeOperatorFunction, type SchedulerLike, type Subscription } from 'rxjs';
import { backoffDelay } from '../core/backoff.js';
import { parseRetryAfter } from '../core/retry-after.js';
import { events, type WebSocketEvent } from '../events/events.js';
import { checkDuration } from '../core/checks.js';

/** How {@link persist} waits between attempts. */
export interface PersistOptions {
  /** Shortest wait, ms (default 5000). */
  minWait?: number;
  /** Longest wait, ms (default 30000). */
  maxWait?: number;
  /** An attempt that stays `ready` this long (ms) resets the backoff (default 0: reaching `ready` is enough). */
  minUptime?: number;
  /** Honour `Retry-After` on a `rejected` response (default true). */
  retryAfter?: boolean;
  /** Jitter source in [0, 1) (default Math.random). */
  random?: () => number;
  /** Scheduler of the waits (default: RxJS's asyncScheduler). */
  scheduler?: SchedulerLike;
}

/**
 * Reconnects its source forever, with exponential backoff and jitter.
 *
 * @example
 * ```ts
 * import { connect$, persist, isText } from 'lomond';
 * import { filter } from 'rxjs';
 *
 * connect$('wss://example.org/feed')
 *   .pipe(persist({ minWait: 1000, maxWait: 60_000, minUptime: 10_000 }), filter(isText))
 *   .subscribe((e) => console.log(e.text));
 * // on every drop: BackOff(delay=…) then a new Connecting(…)
 * ```
 *
 * @param options - waits, jitter, scheduler
 * @returns an operator that never completes on its own; unsubscribe to stop (a live connection is closed)
 * @throws TypeError / RangeError for invalid options
 */
export function persist(options: PersistOptions = {}): MonoTypeOperatorFunction<WebSocketEvent> {
  if (options === null || typeof options !== 'object') throw new TypeError('persist options must be an object');
  checkDuration(options.minWait, 'minWait');
  checkDuration(options.maxWait, 'maxWait');
  checkDuration(options.minUptime, 'minUptime');
  const minWait = options.minWait ?? 5000;
  const maxWait = options.maxWait ?? Math.max(30000, minWait);
  if (minWait > maxWait) throw new RangeError(`minWait ${minWait} exceeds maxWait ${maxWait}`);
  if (options.random !== undefined && typeof options.random !== 'function') throw new TypeError('random must be a function');
  const minUptime = options.minUptime ?? 0;
  const honourRetryAfter = options.retryAfter ?? true;
  const random = options.random ?? Math.random;
  const scheduler = options.scheduler ?? asyncScheduler;

  return (source) =>
    new Observable<WebSocketEvent>((subscriber) => {
      let failures = 0;
      let attempt: Subscription | null = null;
      let wait: Subscription | null = null;
      let closed = false;

      const start = (): void => {
        let readyAt: number | null = null;
        let retryAfter: number | null = null;
        const next = (): void => {
          if (closed) return;
          // An attempt that stayed ready for minUptime resets the count: the next wait uses n = 1.
          const stayedUp = readyAt !== null && scheduler.now() - readyAt >= minUptime;
          failures = stayedUp ? 1 : failures + 1;
          const delay = retryAfter !== null ? Math.min(maxWait, retryAfter) : backoffDelay(failures, minWait, maxWait, random);
          subscriber.next(events.backOff(delay, scheduler.now()));
          wait = scheduler.schedule(() => {
            wait = null;
            start();
          }, delay);
        };
        attempt = source.subscribe({
          next: (event) => {
            if (event.name === 'ready') readyAt = scheduler.now();
            else if (event.name === 'rejected' && honourRetryAfter) {
              retryAfter = parseRetryAfter(event.response.get('retry-after'), scheduler.now());
            }
            subscriber.next(event);
          },
          error: next,
          complete: next,
        });
      };

      start();
      return () => {
        closed = true;
        wait?.unsubscribe();
        attempt?.unsubscribe();
      };
    });
}
