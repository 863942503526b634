import fc from 'fast-check';
import { backoffDelay, clampDelay } from '../../lib/core/backoff.js';

const half = (): number => 0.5;

/** Asserts both the class and the exact message. */
function expectRangeError(fn: () => unknown, message: string): void {
  expect(fn).toThrow(RangeError);
  expect(fn).toThrow(new RangeError(message));
}

describe('backoffDelay', () => {
  describe('SPEC formula: upper = min(maxWait, minWait · 2ⁿ), delay = minWait + random() · (upper − minWait)', () => {
    it('waits 7500, 12500, 17500 ms for n = 1, 2, 3 with random 0.5 and the default waits', () => {
      expect([1, 2, 3].map((n) => backoffDelay(n, 5000, 30000, half))).toEqual([7500, 12500, 17500]);
    });

    it('stops growing once minWait · 2ⁿ passes maxWait', () => {
      expect([4, 5, 50, 5000].map((n) => backoffDelay(n, 5000, 30000, half))).toEqual([17500, 17500, 17500, 17500]);
    });

    it('waits minWait when random() is 0', () => {
      expect([1, 2, 10].map((n) => backoffDelay(n, 5000, 30000, () => 0))).toEqual([5000, 5000, 5000]);
    });

    it('approaches the window ceiling when random() is just under 1, rounding down so as to stay under it', () => {
      const r = (): number => 0.999999;
      expect([1, 2, 3].map((n) => backoffDelay(n, 5000, 30000, r))).toEqual([9999, 19999, 29999]);
    });

    it('returns whole milliseconds, rounded down (SPEC: back_off.delay is an integer)', () => {
      expect(backoffDelay(1, 5000, 30000, () => 0.123456)).toBe(5617); // 5617.28
      expect(backoffDelay(1, 250, 1000, () => 0.0362)).toBe(259); // 259.05
    });

    it('waits exactly minWait when minWait equals maxWait', () => {
      expect(backoffDelay(7, 250, 250, Math.random)).toBe(250);
    });

    it('waits 0 when both waits are 0, even for a huge n', () => {
      expect(backoffDelay(1, 0, 0, half)).toBe(0);
      expect(backoffDelay(100_000, 0, 0, half)).toBe(0);
      expect(backoffDelay(100_000, 0, 1000, half)).toBe(0);
    });
  });

  describe('out-of-range jitter', () => {
    it('clamps random() values above 1 to the top of the window', () => {
      expect(backoffDelay(1, 5000, 30000, () => 7)).toBe(10000);
    });

    it('treats negative and NaN random() values as 0', () => {
      expect(backoffDelay(2, 5000, 30000, () => -3)).toBe(5000);
      expect(backoffDelay(2, 5000, 30000, () => Number.NaN)).toBe(5000);
    });
  });

  describe('misuse by the caller', () => {
    it.each([0, -1, 1.5, Number.NaN, Number.POSITIVE_INFINITY])('throws RangeError for attempt %p', (n) => {
      expectRangeError(() => backoffDelay(n, 5000, 30000, half), `invalid backoff attempt ${n}`);
    });

    it('throws RangeError when minWait is negative or not finite', () => {
      expectRangeError(() => backoffDelay(1, -1, 30000, half), 'invalid minWait -1');
      expectRangeError(() => backoffDelay(1, Number.NaN, 30000, half), 'invalid minWait NaN');
    });

    it('throws RangeError when minWait exceeds maxWait or maxWait is not finite', () => {
      expectRangeError(() => backoffDelay(1, 10, 5, half), 'minWait 10 exceeds maxWait 5');
      expectRangeError(() => backoffDelay(1, 10, Number.POSITIVE_INFINITY, half), 'invalid maxWait Infinity');
    });
  });

  describe('clampDelay (a server\'s Retry-After)', () => {
    it('moves a delay into [minWait, maxWait]', () => {
      expect([0, 7000, 3_600_000, Infinity].map((ms) => clampDelay(ms, 5000, 30000))).toEqual([5000, 7000, 30000, 30000]);
    });

    it('rounds down to a whole ms, and maps NaN to minWait', () => {
      expect(clampDelay(268.17, 0, 1000)).toBe(268);
      expect(clampDelay(Number.NaN, 5000, 30000)).toBe(5000);
    });

    it('stays an integer for fractional waits, inside the window when it holds one', () => {
      expect(clampDelay(1, 2.5, 10.5)).toBe(3);
      expect(clampDelay(99, 2.5, 10.5)).toBe(10);
      expect(clampDelay(2.6, 2.5, 2.7)).toBe(2);
    });
  });

  describe('properties', () => {
    const waits = fc
      .tuple(fc.nat({ max: 1e9 }), fc.nat({ max: 1e9 }))
      .map(([a, b]) => (a <= b ? { minWait: a, maxWait: b } : { minWait: b, maxWait: a }));
    const jitter = fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true });

    it('always returns a whole delay within [minWait, maxWait] for any n ≥ 1 and random() in [0, 1)', () => {
      fc.assert(
        fc.property(fc.integer({ min: 1, max: 10_000 }), waits, jitter, (n, { minWait, maxWait }, r) => {
          const delay = backoffDelay(n, minWait, maxWait, () => r);
          return Number.isInteger(delay) && delay >= minWait && delay <= maxWait;
        }),
      );
    });

    it('never shrinks as n grows, for a fixed random()', () => {
      fc.assert(
        fc.property(fc.integer({ min: 1, max: 100 }), waits, jitter, (n, { minWait, maxWait }, r) => {
          return backoffDelay(n + 1, minWait, maxWait, () => r) >= backoffDelay(n, minWait, maxWait, () => r);
        }),
      );
    });

    it('stays within the window [minWait, min(maxWait, minWait · 2ⁿ)]', () => {
      fc.assert(
        fc.property(fc.integer({ min: 1, max: 60 }), waits, jitter, (n, { minWait, maxWait }, r) => {
          return backoffDelay(n, minWait, maxWait, () => r) <= Math.min(maxWait, minWait * 2 ** n);
        }),
      );
    });
  });
});
