/**
 * Exponential backoff with jitter, the wait `persist` takes between
 * attempts (SPEC "persist"). Pure: the randomness is passed in.
 *
 * After the n-th consecutive attempt that did not stay ready (n ≥ 1):
 * `upper = min(maxWait, minWait · 2ⁿ)` and
 * `delay = minWait + random() · (upper − minWait)`, always within [minWait, maxWait],
 * rounded down to a whole millisecond (SPEC: `back_off.delay` is an integer).
 */

/** 2ⁿ overflows to Infinity past this, and `0 · Infinity` would be NaN. */
const MAX_EXPONENT = 1000;

/**
 * The wait in ms before the next attempt.
 *
 * Gist: the window `[minWait, upper]` doubles its ceiling with every failed
 * attempt until it reaches `maxWait`; `random()` picks a point in it.
 *
 * @example
 * ```ts
 * import { backoffDelay } from './backoff.js';
 *
 * backoffDelay(1, 5000, 30000, () => 0.5); // 7500  (upper 10000)
 * backoffDelay(2, 5000, 30000, () => 0.5); // 12500 (upper 20000)
 * backoffDelay(3, 5000, 30000, () => 0.5); // 17500 (upper 30000 = maxWait)
 * backoffDelay(1, 5000, 30000, () => 0.123456); // 5617 (not 5617.28)
 * ```
 *
 * @param attempt - n, an integer ≥ 1: consecutive attempts that did not stay ready for `minUptime`
 * @param minWait - shortest wait (ms), finite, ≥ 0
 * @param maxWait - longest wait (ms), finite, ≥ `minWait`
 * @param random - jitter in [0, 1) (Math.random in production, fixed in tests); values outside are clamped, NaN counts as 0
 * @returns a whole number of ms within [minWait, maxWait] (see {@link clampDelay} for fractional waits)
 * @throws RangeError when `attempt` is not an integer ≥ 1, or the waits are not finite with 0 ≤ minWait ≤ maxWait
 */
export function backoffDelay(attempt: number, minWait: number, maxWait: number, random: () => number): number {
  if (!Number.isInteger(attempt) || attempt < 1) throw new RangeError(`invalid backoff attempt ${attempt}`);
  if (!Number.isFinite(minWait) || minWait < 0) throw new RangeError(`invalid minWait ${minWait}`);
  if (!Number.isFinite(maxWait)) throw new RangeError(`invalid maxWait ${maxWait}`);
  if (maxWait < minWait) throw new RangeError(`minWait ${minWait} exceeds maxWait ${maxWait}`);
  const upper = Math.min(maxWait, minWait * 2 ** Math.min(attempt, MAX_EXPONENT));
  const r = random();
  const jitter = r > 0 ? Math.min(r, 1) : 0; // also maps NaN to 0
  return clampDelay(minWait + jitter * (upper - minWait), minWait, maxWait);
}

/**
 * A delay in whole ms within [minWait, maxWait]: rounded down (so that a jitter just under 1 stays under the
 * window's ceiling), then moved into the window. Also bounds a server's `Retry-After` (SPEC: clamped to
 * [minWait, maxWait], so that a server cannot make a client spin or stall).
 *
 * @example
 * ```ts
 * clampDelay(268.17, 0, 1000);   // 268
 * clampDelay(0, 5000, 30000);    // 5000
 * clampDelay(3.6e6, 5000, 30000); // 30000
 * ```
 *
 * @param delay - ms, any number (Infinity gives maxWait; NaN gives minWait)
 * @param minWait - shortest wait (ms), finite
 * @param maxWait - longest wait (ms), finite, ≥ minWait
 * @returns an integer; within [minWait, maxWait] whenever that window holds an integer
 */
export function clampDelay(delay: number, minWait: number, maxWait: number): number {
  const whole = Math.floor(delay);
  if (!(whole >= minWait)) return Math.min(Math.ceil(minWait), Math.floor(maxWait)); // also NaN
  return whole > maxWait ? Math.floor(maxWait) : whole;
}
