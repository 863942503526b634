/** @test {exponentialBackoff} — the persist formula as a delay function for RxJS's retry and repeat. */
import { defer, of, repeat, retry, throwError } from 'rxjs';
import { exponentialBackoff } from '../../lib/operators/exponential-backoff.js';
import { backoffDelay } from '../../lib/core/backoff.js';
import { newScheduler } from '../helpers/marbles.js';

const half = (): number => 0.5;

describe('exponentialBackoff', () => {
  it('spaces retry({ delay }) resubscriptions 75, 125, 175 ms apart (random 0.5, minWait 50, maxWait 300)', () => {
    const scheduler = newScheduler();
    scheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
      const source = cold('#', undefined, new Error('503'));
      const retried = source.pipe(retry({ count: 3, delay: exponentialBackoff({ minWait: 50, maxWait: 300, random: half, scheduler }) }));
      expectObservable(retried).toBe('375ms #', undefined, new Error('503'));
      expectSubscriptions(source.subscriptions).toBe(['(^!)', '75ms (^!)', '200ms (^!)', '375ms (^!)']);
    });
  });

  it('spaces repeat({ delay }) resubscriptions the same way, counting completions', () => {
    const scheduler = newScheduler();
    scheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
      const source = cold('a|');
      const repeated = source.pipe(repeat({ count: 3, delay: exponentialBackoff({ minWait: 50, maxWait: 300, random: half, scheduler }) }));
      // a at 0, completes at 1; resubscribed at 1 + 75 = 76, completes at 77; then at 77 + 125 = 202
      expectObservable(repeated).toBe('a 75ms a 125ms a|');
      expectSubscriptions(source.subscriptions).toBe(['^!', '76ms ^!', '202ms ^!']);
    });
  });

  it('uses the SPEC formula of persist, in whole ms, capped at maxWait', () => {
    const scheduler = newScheduler();
    const random = (): number => 0.123456;
    const delay = exponentialBackoff({ minWait: 1000, maxWait: 4000, random, scheduler });
    const expected = [1, 2, 3, 4, 10].map((n) => backoffDelay(n, 1000, 4000, random));
    expect(expected).toEqual([1123, 1370, 1370, 1370, 1370]); // upper: 2000, then 4000 = maxWait
    scheduler.run(({ expectObservable }) => {
      for (const [i, n] of [1, 2, 3, 4, 10].entries()) {
        expectObservable(delay(n)).toBe(`${expected[i]}ms (x|)`, { x: 0 }); // repeat's (count)
        expectObservable(delay(new Error('any'), n)).toBe(`${expected[i]}ms (x|)`, { x: 0 }); // retry's (error, retryCount)
      }
    });
  });

  it('lets a token refresh retry on its own with lomond-style waits', () => {
    const scheduler = newScheduler();
    scheduler.run(({ expectObservable }) => {
      let calls = 0;
      const token$ = defer(() => (++calls < 3 ? throwError(() => new Error('401')) : of('token-3')));
      expectObservable(token$.pipe(retry({ delay: exponentialBackoff({ minWait: 100, maxWait: 100, scheduler }) }))).toBe('200ms (t|)', { t: 'token-3' });
    });
  });

  it('keeps 5000 / 30000 ms as its default waits', () => {
    const scheduler = newScheduler();
    scheduler.run(({ expectObservable }) => {
      const delay = exponentialBackoff({ random: () => 0.999, scheduler });
      expectObservable(delay(1)).toBe('9995ms (x|)', { x: 0 });
      expectObservable(delay(9)).toBe('29975ms (x|)', { x: 0 });
    });
  });

  it('validates its options at the call, and the count at each wait', () => {
    expect(() => exponentialBackoff({ minWait: -1 })).toThrow(new RangeError('minWait must be a finite number >= 0 and <= 2147483647, got -1'));
    expect(() => exponentialBackoff({ minWait: 10, maxWait: 5 })).toThrow(new RangeError('minWait 10 exceeds maxWait 5'));
    expect(() => exponentialBackoff({ random: 0.5 as never })).toThrow(new TypeError('random must be a function, got number'));
    expect(() => exponentialBackoff({ scheduler: 'async' as never })).toThrow(new TypeError('scheduler must be an RxJS SchedulerLike'));
    expect(() => exponentialBackoff(7 as never)).toThrow(new TypeError('exponentialBackoff options must be an object, got number'));
    const delay = exponentialBackoff();
    expect(() => delay(0)).toThrow(new RangeError('invalid backoff attempt 0'));
    expect(() => delay(new Error('x'), 1.5)).toThrow(new RangeError('invalid backoff attempt 1.5'));
  });
});
