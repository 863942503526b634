import fc from 'fast-check';
import { parseRetryAfter } from '../../lib/core/retry-after.js';

/** 1994-11-06T08:49:37Z, the RFC 9110 §5.6.7 example date. */
const EXAMPLE = Date.UTC(1994, 10, 6, 8, 49, 37);
const TEN_S_BEFORE = EXAMPLE - 10_000;

describe('parseRetryAfter', () => {
  describe('RFC 9110 §10.2.3 delay-seconds', () => {
    it.each([
      ['0', 0],
      ['7', 7000],
      ['120', 120_000],
      ['007', 7000],
      [' 30 ', 30_000],
    ])('reads %p as %p ms', (value, ms) => {
      expect(parseRetryAfter(value, 123_456)).toBe(ms);
    });

    it('does not depend on now', () => {
      expect(parseRetryAfter('5', 0)).toBe(parseRetryAfter('5', EXAMPLE));
    });

    it.each(['-1', '+5', '1.5', '1e3', '0x10', '5 s', '', '   ', '7, 7'])('rejects %p, which is not a non-negative decimal integer', (value) => {
      expect(parseRetryAfter(value, 0)).toBeNull();
    });

    it('returns null when the header is absent', () => {
      expect(parseRetryAfter(undefined, 0)).toBeNull();
    });
  });

  describe('RFC 9110 §5.6.7 HTTP-date: all three formats', () => {
    it.each([
      ['IMF-fixdate', 'Sun, 06 Nov 1994 08:49:37 GMT'],
      ['obsolete RFC 850 format', 'Sunday, 06-Nov-94 08:49:37 GMT'],
      ['ANSI C asctime() format', 'Sun Nov  6 08:49:37 1994'],
    ])('reads the %s as the distance from now', (_, value) => {
      expect(parseRetryAfter(value, TEN_S_BEFORE)).toBe(10_000);
    });

    it('reads an asctime date with a two-digit day', () => {
      expect(parseRetryAfter('Thu Nov 17 08:49:37 1994', Date.UTC(1994, 10, 17, 8, 49, 36))).toBe(1000);
    });

    it('counts from now, which may be a virtual clock starting at 0', () => {
      expect(parseRetryAfter('Thu, 01 Jan 1970 00:00:12 GMT', 0)).toBe(12_000);
      expect(parseRetryAfter('Thu, 01 Jan 1970 00:00:12 GMT', 2000)).toBe(10_000);
    });

    it('returns 0 for a date in the past', () => {
      expect(parseRetryAfter('Sun, 06 Nov 1994 08:49:37 GMT', EXAMPLE + 60_000)).toBe(0);
      expect(parseRetryAfter('Sun, 06 Nov 1994 08:49:37 GMT', EXAMPLE)).toBe(0);
    });

    it('accepts a leap second, which epoch time folds into the next second', () => {
      expect(parseRetryAfter('Sat, 31 Dec 2016 23:59:60 GMT', Date.UTC(2016, 11, 31, 23, 59, 59))).toBe(1000);
    });

    it('reads four-digit years below 100 as they are', () => {
      expect(parseRetryAfter('Mon, 01 Jan 0001 00:00:10 GMT', new Date('0001-01-01T00:00:00Z').getTime())).toBe(10_000);
    });

    it('agrees with Date.prototype.toUTCString for any date', () => {
      fc.assert(
        fc.property(fc.integer({ min: 0, max: 4_102_444_800_000 }), fc.integer({ min: 0, max: 3_600_000 }), (target, ahead) => {
          const date = Math.floor(target / 1000) * 1000;
          return parseRetryAfter(new Date(date).toUTCString(), date - ahead) === ahead;
        }),
      );
    });
  });

  describe('RFC 9110 §5.6.7 two-digit years of the RFC 850 format', () => {
    const now = Date.UTC(2025, 5, 1);

    it('reads a year up to 50 years ahead as in the future', () => {
      expect(parseRetryAfter('Thursday, 01-Jun-34 00:00:00 GMT', now)).toBe(Date.UTC(2034, 5, 1) - now);
      expect(parseRetryAfter('Wednesday, 01-Jun-75 00:00:00 GMT', now)).toBe(Date.UTC(2075, 5, 1) - now);
    });

    it('reads a year more than 50 years ahead as the most recent past year with the same last two digits', () => {
      // "MUST interpret a timestamp that appears to be more than 50 years in the future as representing the most recent year in the past"
      expect(parseRetryAfter('Friday, 06-Nov-76 08:49:37 GMT', now)).toBe(0); // 1976, not 2076
      expect(parseRetryAfter('Sunday, 06-Nov-94 08:49:37 GMT', Date.UTC(1994, 10, 6, 8, 49, 27))).toBe(10_000);
    });

    it('crosses a century boundary', () => {
      const late = Date.UTC(2099, 11, 31, 23, 59, 50);
      expect(parseRetryAfter('Friday, 01-Jan-00 00:00:00 GMT', late)).toBe(10_000); // 2100
    });
  });

  describe('invalid dates', () => {
    it.each([
      ['lower-case names ("HTTP-date is case sensitive")', 'sun, 06 nov 1994 08:49:37 gmt'],
      ['another zone than GMT', 'Sun, 06 Nov 1994 08:49:37 UTC'],
      ['a numeric offset', 'Sun, 06 Nov 1994 08:49:37 +0000'],
      ['a one-digit day in IMF-fixdate', 'Sun, 6 Nov 1994 08:49:37 GMT'],
      ['a two-digit year in IMF-fixdate', 'Sun, 06 Nov 94 08:49:37 GMT'],
      ['a short day name in the RFC 850 format', 'Sun, 06-Nov-94 08:49:37 GMT'],
      ['an unknown month', 'Sun, 06 Foo 1994 08:49:37 GMT'],
      ['31 February', 'Tue, 31 Feb 2015 08:49:37 GMT'],
      ['day 00', 'Tue, 00 Feb 2015 08:49:37 GMT'],
      ['hour 24', 'Sun, 06 Nov 1994 24:00:00 GMT'],
      ['minute 60', 'Sun, 06 Nov 1994 08:60:00 GMT'],
      ['second 61', 'Sun, 06 Nov 1994 08:49:61 GMT'],
      ['an ISO 8601 date', '1994-11-06T08:49:37Z'],
      ['trailing text', 'Sun, 06 Nov 1994 08:49:37 GMT later'],
      ['a word', 'soon'],
      ['something Date.parse would accept', 'Nov 6 1994'],
    ])('returns null for %s', (_, value) => {
      expect(parseRetryAfter(value, 0)).toBeNull();
    });
  });
});
