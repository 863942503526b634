/**
 * ZlibLimiter: the process-wide cap on concurrent zlib jobs.
 */
import { DEFAULT_ZLIB_CONCURRENCY, ZlibLimiter, zlibLimiter } from '../../lib/compression/zlib-limiter.js';

describe('ZlibLimiter', () => {
  it('shares one limiter of 10 jobs across the process by default', () => {
    expect(DEFAULT_ZLIB_CONCURRENCY).toBe(10);
    expect(zlibLimiter.concurrency).toBe(10);
    expect(new ZlibLimiter().concurrency).toBe(10);
  });

  it.each([0, -1, 1.5, NaN])('throws a RangeError for concurrency %p', (concurrency) => {
    expect(() => new ZlibLimiter(concurrency)).toThrow(new RangeError(`invalid zlib concurrency ${concurrency}`));
  });

  it('runs at most `concurrency` jobs and starts the others in FIFO order as slots free up', () => {
    const limiter = new ZlibLimiter(2);
    const started: number[] = [];
    const releases: Array<() => void> = [];
    for (let i = 0; i < 5; i++) {
      limiter.run((release) => {
        started.push(i);
        releases.push(release);
      });
    }
    expect(started).toEqual([0, 1]);
    expect([limiter.running, limiter.pending]).toEqual([2, 3]);
    releases[1]!();
    expect(started).toEqual([0, 1, 2]);
    releases[0]!();
    releases[2]!();
    expect(started).toEqual([0, 1, 2, 3, 4]);
    expect([limiter.running, limiter.pending]).toEqual([2, 0]);
  });

  it('ignores a second release of the same job', () => {
    const limiter = new ZlibLimiter(1);
    let release: () => void = () => {};
    limiter.run((r) => (release = r));
    const second = jest.fn();
    const third = jest.fn();
    limiter.run(second);
    limiter.run(third);
    release();
    release();
    expect(second).toHaveBeenCalledTimes(1);
    expect(third).not.toHaveBeenCalled();
    expect(limiter.running).toBe(1);
  });

  it('drops a cancelled job that is still waiting', () => {
    const limiter = new ZlibLimiter(1);
    let release: () => void = () => {};
    limiter.run((r) => (release = r));
    const dropped = jest.fn();
    const ticket = limiter.run(dropped);
    const next = jest.fn();
    limiter.run(next);
    ticket.cancel();
    ticket.cancel();
    expect(limiter.pending).toBe(1);
    release();
    expect(dropped).not.toHaveBeenCalled();
    expect(next).toHaveBeenCalledTimes(1);
  });

  it('frees the slot of a cancelled running job (a closing connection)', () => {
    const limiter = new ZlibLimiter(1);
    const ticket = limiter.run(() => {});
    const next = jest.fn();
    limiter.run(next);
    ticket.cancel();
    expect(next).toHaveBeenCalledTimes(1);
    expect(limiter.running).toBe(1);
  });

  it('handles many jobs that release synchronously without deep recursion', () => {
    const limiter = new ZlibLimiter(1);
    let blocker: () => void = () => {};
    limiter.run((r) => (blocker = r));
    let count = 0;
    for (let i = 0; i < 100_000; i++) {
      limiter.run((release) => {
        count++;
        release();
      });
    }
    blocker();
    expect(count).toBe(100_000);
    expect([limiter.running, limiter.pending]).toEqual([0, 0]);
  });
});
