/**
 * Retry-After (RFC 9110 §10.2.3): `delay-seconds` or an HTTP-date, turned
 * into milliseconds from `now`. Pure: the clock is passed in, and dates are
 * read with strict patterns of the three RFC 9110 §5.6.7 forms rather than
 * the lenient `Date.parse`.
 *
 * @see https://www.rfc-editor.org/rfc/rfc9110#section-10.2.3
 * @see https://www.rfc-editor.org/rfc/rfc9110#section-5.6.7
 */

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const DAY = '(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun)';
const DAY_L = '(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)';
const MONTH = `(${MONTHS.join('|')})`;
const TIME = '(\\d{2}):(\\d{2}):(\\d{2})';
// RFC 9110 §5.6.7: "HTTP-date is case sensitive." The patterns hold no `i` flag.
/** `Sun, 06 Nov 1994 08:49:37 GMT` */
const IMF_FIXDATE = new RegExp(`^${DAY}, (\\d{2}) ${MONTH} (\\d{4}) ${TIME} GMT$`);
/** `Sunday, 06-Nov-94 08:49:37 GMT` (obsolete) */
const RFC850_DATE = new RegExp(`^${DAY_L}, (\\d{2})-${MONTH}-(\\d{2}) ${TIME} GMT$`);
/** `Sun Nov  6 08:49:37 1994` (obsolete, ANSI C asctime) */
const ASCTIME_DATE = new RegExp(`^${DAY} ${MONTH} (\\d{2}| \\d) ${TIME} (\\d{4})$`);

/**
 * Milliseconds to wait according to a `Retry-After` header value.
 *
 * Gist: `"120"` → 120000; an HTTP-date → its distance from `now` (0 when past);
 * anything else → null, so the caller falls back to its own backoff.
 *
 * @example
 * ```ts
 * import { parseRetryAfter } from './retry-after.js';
 *
 * parseRetryAfter('7', 0);                                   // 7000
 * parseRetryAfter('Thu, 01 Jan 1970 00:00:12 GMT', 2000);    // 10000
 * parseRetryAfter('soon', 0);                                // null
 * ```
 *
 * @param value - the header value (surrounding whitespace is ignored), or undefined when absent
 * @param now - the current time, ms since the Unix epoch (the scheduler's `now()`)
 * @returns a delay ≥ 0 in ms (Infinity for an absurdly long delay-seconds), or null when the value is absent or invalid
 * @see https://www.rfc-editor.org/rfc/rfc9110#section-10.2.3
 */
export function parseRetryAfter(value: string | undefined, now: number): number | null {
  if (value === undefined) return null;
  const text = value.trim();
  // RFC 9110 §10.2.3: "A delay-seconds value is a non-negative decimal integer, representing time in seconds."
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  const date = parseHttpDate(text, now);
  return date === null ? null : Math.max(0, date - now);
}

/**
 * An HTTP-date in ms since the epoch, or null.
 * RFC 9110 §5.6.7: "A recipient that parses a timestamp value in an HTTP header field MUST accept all three HTTP-date formats."
 */
function parseHttpDate(text: string, now: number): number | null {
  let m = IMF_FIXDATE.exec(text);
  if (m) return toTime(Number(m[3]), m[2]!, m[1]!, m[4]!, m[5]!, m[6]!);
  m = RFC850_DATE.exec(text);
  if (m) return toTime(fullYear(Number(m[3]), now), m[2]!, m[1]!, m[4]!, m[5]!, m[6]!);
  m = ASCTIME_DATE.exec(text);
  if (m) return toTime(Number(m[6]), m[1]!, m[2]!, m[3]!, m[4]!, m[5]!);
  return null;
}

/**
 * The four-digit year of a two-digit rfc850-date year.
 * RFC 9110 §5.6.7: "Recipients of a timestamp value in rfc850-date format, which uses a two-digit year, MUST
 * interpret a timestamp that appears to be more than 50 years in the future as representing the most recent
 * year in the past that had the same last two digits."
 */
function fullYear(twoDigits: number, now: number): number {
  const current = new Date(now).getUTCFullYear();
  const ahead = (((twoDigits - current) % 100) + 100) % 100; // 0..99 years from now, same last two digits
  return ahead > 50 ? current + ahead - 100 : current + ahead;
}

/** Epoch ms of a UTC calendar time, or null when a field is out of range (31 Feb, 24:00:00). */
function toTime(year: number, monthName: string, day: string, hour: string, minute: string, second: string): number | null {
  const [d, h, min, s] = [Number(day), Number(hour), Number(minute), Number(second)];
  if (h > 23 || min > 59 || s > 60) return null; // 60: a leap second (RFC 5322 §3.3)
  const month = MONTHS.indexOf(monthName);
  const date = new Date(0);
  date.setUTCFullYear(year, month, d); // setUTCFullYear, unlike Date.UTC, keeps years 0–99 as they are
  if (date.getUTCDate() !== d || date.getUTCMonth() !== month) return null;
  return date.getTime() + ((h * 60 + min) * 60 + s) * 1000;
}
