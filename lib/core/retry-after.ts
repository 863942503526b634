/**
 * Retry-After (RFC 9110 §10.2.3): `delay-seconds` or an HTTP-date, turned
 * into milliseconds from `now` (injected: the core reads no clock).
 *
 * @see https://www.rfc-editor.org/rfc/rfc9110#section-10.2.3
 */

/** Milliseconds to wait, or null when the value is absent or unreadable. Past dates give 0. */
export function parseRetryAfter(value: string | undefined, now: number): number | null {
  if (value === undefined) return null;
  const text = value.trim();
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  // HTTP-date: IMF-fixdate, or the obsolete RFC 850 / asctime forms, which Date.parse reads.
  if (!/^[A-Za-z]{3}/.test(text)) return null;
  const date = Date.parse(text);
  if (Number.isNaN(date)) return null;
  return Math.max(0, date - now);
}
