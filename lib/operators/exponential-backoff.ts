/**
 * exponentialBackoff: the wait that `persist` takes between attempts, as a
 * delay function for RxJS's own `retry({ delay })` and `repeat({ delay })`,
 * so that any Observable (an HTTP call, a token refresh) backs off the way
 * lomond's reconnects do (SPEC "persist"). The formula is `backoffDelay` of
 * core/backoff; the timer runs on the injected scheduler.
 */
import { asyncScheduler, timer, type Observable, type SchedulerLike } from 'rxjs';
import { backoffDelay } from '../core/backoff.js';
import { checkDuration } from '../core/checks.js';

/** The waits of {@link exponentialBackoff} (and of `persist`). */
export interface ExponentialBackoffOptions {
  /** Shortest wait, ms (default 5000). */
  minWait?: number;
  /** Longest wait, ms (default 30000, or `minWait` when that is longer). */
  maxWait?: number;
  /** Jitter source in [0, 1) (default Math.random). */
  random?: () => number;
  /** Scheduler of the waits (default: RxJS's asyncScheduler). */
  scheduler?: SchedulerLike;
}

/** Validated waits with their defaults, and the formula over them. */
export interface Backoff {
  readonly minWait: number;
  readonly maxWait: number;
  readonly scheduler: SchedulerLike;
  /** The wait after the n-th consecutive failure (n ≥ 1): whole ms within [minWait, maxWait]. */
  delay(n: number): number;
}

/**
 * Validates the wait options (shared with `persist`) and applies the defaults.
 *
 * @param name - the caller, for the message of a non-object
 * @throws TypeError / RangeError for invalid options, with the offending value
 */
export function resolveBackoff(options: ExponentialBackoffOptions, name: string): Backoff {
  if (options === null || typeof options !== 'object') throw new TypeError(`${name} options must be an object, got ${options === null ? 'null' : typeof options}`);
  checkDuration(options.minWait, 'minWait');
  checkDuration(options.maxWait, 'maxWait');
  const minWait = options.minWait ?? 5000;
  const maxWait = options.maxWait ?? Math.max(30000, minWait);
  if (minWait > maxWait) throw new RangeError(`minWait ${minWait} exceeds maxWait ${maxWait}`);
  const random = options.random ?? Math.random;
  if (typeof random !== 'function') throw new TypeError(`random must be a function, got ${typeof random}`);
  const scheduler = options.scheduler ?? asyncScheduler;
  if (scheduler === null || typeof scheduler !== 'object' || typeof scheduler.schedule !== 'function') {
    throw new TypeError('scheduler must be an RxJS SchedulerLike');
  }
  return { minWait, maxWait, scheduler, delay: (n) => backoffDelay(n, minWait, maxWait, random) };
}

/**
 * A delay function for `retry({ delay })` (called with `(error, retryCount)`) and `repeat({ delay })`
 * (called with `(count)`): a timer that fires once after the n-th wait.
 */
export interface BackoffDelay {
  /** `repeat({ delay })`: waits after the `count`-th completion (count ≥ 1). */
  (count: number): Observable<0>;
  /** `retry({ delay })`: waits after the `retryCount`-th error (retryCount ≥ 1); the error is not looked at. */
  (error: unknown, retryCount: number): Observable<0>;
}

/**
 * Exponential backoff with jitter, as a delay function for RxJS's `retry` and `repeat`.
 *
 * Gist: the n-th wait is `minWait + random() · (min(maxWait, minWait · 2ⁿ) − minWait)`, rounded down to a
 * whole ms; the same formula as `persist`'s `back_off.delay`.
 *
 * ```
 * source:      -#         -#          -#           -a|
 * retry:       -(wait 1)--(wait 2)----(wait 3)------a|      (waits grow: 7.5 s, 12.5 s, 17.5 s with random 0.5)
 * ```
 *
 * @example
 * ```ts
 * import { exponentialBackoff } from 'lomond';
 * import { defer, retry, repeat } from 'rxjs';
 *
 * const token$ = defer(() => fetch('/token').then((r) => r.json()));
 * token$.pipe(retry({ count: 5, delay: exponentialBackoff({ minWait: 500, maxWait: 8000 }) })).subscribe(console.log);
 * // a failing fetch is retried after ~750 ms, ~1250 ms, ~2250 ms, … (at most 8 s), five times at most
 *
 * poll$.pipe(repeat({ delay: exponentialBackoff({ minWait: 1000, maxWait: 1000 }) }));
 * // resubscribes 1 s after each completion
 * ```
 *
 * @param options - waits, jitter and scheduler (inject `random` and a TestScheduler for exact marble tests)
 * @returns a function to pass as `delay` to `retry` or `repeat`
 * @throws TypeError / RangeError for invalid options (at the call); the returned function throws RangeError
 *   for a count that is not an integer ≥ 1
 */
export function exponentialBackoff(options: ExponentialBackoffOptions = {}): BackoffDelay {
  const backoff = resolveBackoff(options, 'exponentialBackoff');
  // retry passes (error, retryCount), repeat passes (count): the count is the last argument.
  return ((...args: unknown[]): Observable<0> => timer(backoff.delay(args[args.length - 1] as number), backoff.scheduler)) as BackoffDelay;
}
