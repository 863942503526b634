/**
 * Exponential backoff with jitter (SPEC "persist"): after the n-th
 * consecutive attempt that did not stay up (n ≥ 1),
 * `upper = min(maxWait, minWait · 2ⁿ)` and
 * `delay = minWait + random() · (upper − minWait)`, always within [minWait, maxWait].
 */

/**
 * The wait before the next attempt.
 *
 * @param attempt - n ≥ 1, consecutive attempts that did not stay ready for minUptime
 * @param random - a value in [0, 1) (Math.random in production, fixed in tests)
 */
export function backoffDelay(attempt: number, minWait: number, maxWait: number, random: () => number): number {
  const n = Math.max(1, attempt);
  const upper = Math.min(maxWait, minWait * 2 ** Math.min(n, 52));
  const r = Math.min(Math.max(random(), 0), 1);
  const delay = minWait + r * Math.max(0, upper - minWait);
  return Math.min(maxWait, Math.max(minWait, delay));
}
