/**
 * Argument checks shared by every layer that takes options from users
 * (SPEC: "bad argument types throw TypeError", out-of-range values
 * RangeError, at the call, with the offending value in the message).
 */

/**
 * The longest duration any timer option accepts: 2^31 − 1 ms (about 24.8 days). Node's timers (and the
 * browsers') fire a longer delay after 1 ms instead, with a TimeoutOverflowWarning, so a longer value is
 * refused at the call rather than silently turned into a busy loop.
 */
export const MAX_DURATION = 2 ** 31 - 1;

/** Throws unless `value` is undefined or an object (not null). */
export function checkObject(value: unknown, name: string): void {
  if (value !== undefined && (value === null || typeof value !== 'object')) {
    throw new TypeError(`${name} must be an object, got ${value === null ? 'null' : typeof value}`);
  }
}

/** Throws unless `value` is undefined or a finite number in [`min`, `max`]. */
export function checkNumber(value: unknown, name: string, min = 0, max = Infinity): void {
  if (value === undefined) return;
  if (typeof value !== 'number') throw new TypeError(`${name} must be a number, got ${typeof value}`);
  if (Number.isNaN(value)) throw new TypeError(`${name} must be a number, got NaN`);
  if (!Number.isFinite(value) || value < min || value > max) {
    throw new RangeError(`${name} must be a finite number >= ${min}${max === Infinity ? '' : ` and <= ${max}`}, got ${value}`);
  }
}

/** Throws unless `value` is undefined or a duration in ms in [`min`, {@link MAX_DURATION}]. */
export function checkDuration(value: unknown, name: string, min = 0): void {
  checkNumber(value, name, min, MAX_DURATION);
}

/** Throws unless `value` is undefined or a boolean. */
export function checkBoolean(value: unknown, name: string): void {
  if (value !== undefined && typeof value !== 'boolean') throw new TypeError(`${name} must be a boolean, got ${typeof value}`);
}
