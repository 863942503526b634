import { config, type SchedulerAction, type SchedulerLike, type Subscription } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { PeriodicTask, every, repeat } from '../../lib/scheduling/periodic-timers.js';

const newScheduler = (): TestScheduler => new TestScheduler((actual, expected) => expect(actual).toEqual(expected));

describe('every (shared periodic timers)', () => {
  it('fires each timer at its own start + k × period, in start order when due together', () => {
    const scheduler = newScheduler();
    const log: string[] = [];
    const fire = (name: string): void => void log.push(`${scheduler.now()} ${name}`);
    scheduler.run(({ flush }) => {
      const a = every(scheduler, 10, fire, 'a');
      scheduler.schedule(() => {
        const b = every(scheduler, 10, fire, 'b');
        scheduler.schedule(() => b.unsubscribe(), 21); // b fires at 13 and 23, not 33
      }, 3);
      scheduler.schedule(() => a.unsubscribe(), 35);
      flush();
    });
    expect(log).toEqual(['10 a', '13 b', '20 a', '23 b', '30 a']);
  });

  it('keeps firing the other timers when one throws: the thrower is removed and its error reported on its own', () => {
    const scheduler = newScheduler();
    const log: string[] = [];
    const errors: unknown[] = [];
    scheduler.run(({ flush }) => {
      const fire = (name: string): void => {
        log.push(`${scheduler.now()} ${name}`);
        if (name === 'bad') throw new Error('boom');
      };
      const a = every(scheduler, 10, fire, 'a');
      const bad = every(scheduler, 10, fire, 'bad');
      const c = every(scheduler, 10, fire, 'c');
      scheduler.schedule(() => {
        a.unsubscribe();
        bad.unsubscribe();
        c.unsubscribe();
      }, 35);
      config.onUnhandledError = (error) => errors.push(error);
      try {
        flush();
      } finally {
        config.onUnhandledError = null;
      }
    });
    expect(errors).toEqual([new Error('boom')]);
    expect(log).toEqual(['10 a', '10 bad', '10 c', '20 a', '20 c', '30 a', '30 c']);
  });

  it('without config.onUnhandledError, rethrows from an action of its own after the others fired', () => {
    const scheduler = newScheduler();
    const log: string[] = [];
    expect(() =>
      scheduler.run(({ flush }) => {
        const a = every(scheduler, 10, (name: string) => log.push(name), 'a');
        every(scheduler, 10, () => {
          throw new Error('boom');
        }, 'bad');
        const c = every(scheduler, 10, (name: string) => log.push(name), 'c');
        scheduler.schedule(() => (a.unsubscribe(), c.unsubscribe()), 15);
        flush();
      }),
    ).toThrow('boom');
    expect(log).toEqual(['a', 'c']);
  });

  it('keeps timers of different periods and schedulers apart', () => {
    const scheduler = newScheduler();
    const other = newScheduler();
    const log: string[] = [];
    scheduler.run(({ flush }) => {
      const fast = every(scheduler, 4, (n: string) => log.push(`${scheduler.now()} ${n}`), 'fast');
      const slow = every(scheduler, 10, (n: string) => log.push(`${scheduler.now()} ${n}`), 'slow');
      const elsewhere = every(other, 4, (n: string) => log.push(n), 'other scheduler');
      scheduler.schedule(() => {
        fast.unsubscribe();
        slow.unsubscribe();
        elsewhere.unsubscribe();
      }, 13);
      flush();
    });
    expect(log).toEqual(['4 fast', '8 fast', '10 slow', '12 fast']);
  });

  it('lets a firing timer stop itself or others, and start new ones', () => {
    const scheduler = newScheduler();
    const log: string[] = [];
    scheduler.run(({ flush }) => {
      const timers: Record<string, { unsubscribe(): void }> = {};
      const fire = (name: string): void => {
        log.push(`${scheduler.now()} ${name}`);
        if (name === 'a') {
          timers.a!.unsubscribe();
          timers.b!.unsubscribe(); // due at the same time, after a: never fires
          timers.c = every(scheduler, 5, fire, 'c');
        } else if (name === 'c' && scheduler.now() >= 15) timers.c!.unsubscribe();
      };
      timers.a = every(scheduler, 5, fire, 'a');
      timers.b = every(scheduler, 5, fire, 'b');
      flush();
    });
    expect(log).toEqual(['5 a', '10 c', '15 c']);
  });

  it('holds no scheduled action once the last timer is gone (nothing keeps the process alive)', () => {
    const scheduler = newScheduler();
    scheduler.run(() => {
      const timer = every(scheduler, 7, () => undefined, null);
      expect(scheduler.actions.length).toBe(1);
      timer.unsubscribe();
      timer.unsubscribe(); // twice is harmless
      expect(scheduler.actions.filter((action) => !action.closed)).toHaveLength(0);
    });
  });

  it('repeats a task object of its own (repeat): in due order with the others, moved by a second repeat, stopped by unsubscribe', () => {
    const scheduler = newScheduler();
    const log: string[] = [];
    class Beat extends PeriodicTask {
      constructor(private readonly name: string) {
        super();
      }
      fire(): void {
        log.push(`${scheduler.now()} ${this.name}`);
      }
    }
    scheduler.run(({ flush }) => {
      const beat = new Beat('beat');
      repeat(scheduler, 10, beat);
      const other = every(scheduler, 10, (name: string) => void log.push(`${scheduler.now()} ${name}`), 'other');
      // At 25 the task moves to a period of 4 from then (29, 33); stopped at 35, the other timer too.
      scheduler.schedule(() => repeat(scheduler, 4, beat), 25);
      scheduler.schedule(() => {
        beat.unsubscribe();
        beat.unsubscribe(); // twice is harmless
        other.unsubscribe();
      }, 35);
      flush();
      expect(scheduler.actions.filter((action) => !action.closed)).toHaveLength(0);
    });
    expect(log).toEqual(['10 beat', '10 other', '20 beat', '20 other', '29 beat', '30 other', '33 beat']);
  });

  it('after a stall, ticks once and continues from now instead of catching up', () => {
    // A scheduler whose clock the test moves: the action runs late, as after a suspended process.
    let now = 0;
    let pending: { work: () => void; at: number } | null = null;
    const stalling: SchedulerLike = {
      now: () => now,
      schedule<T>(work: (this: SchedulerAction<T>, state?: T) => void, delay = 0, state?: T): Subscription {
        const action = {
          closed: false,
          schedule: (nextState?: T, nextDelay = 0) => {
            pending = { work: () => work.call(action as unknown as SchedulerAction<T>, nextState), at: now + nextDelay };
            return action as unknown as Subscription;
          },
          unsubscribe: () => {
            action.closed = true;
            pending = null;
          },
        };
        return action.schedule(state, delay);
      },
    };
    const fired: number[] = [];
    const timer = every(stalling, 10, () => fired.push(now), null);
    now = 95; // nine periods late
    pending!.work();
    expect(fired).toEqual([95]);
    expect(pending!.at).toBe(105);
    now = 105;
    pending!.work();
    expect(fired).toEqual([95, 105]);
    timer.unsubscribe();
    expect(pending).toBeNull();
  });

  it('serves every period of a scheduler from one scheduled action', () => {
    const scheduler = newScheduler();
    scheduler.run(() => {
      const timers = [every(scheduler, 5000, () => undefined, null), every(scheduler, 30_000, () => undefined, null), every(scheduler, 7, () => undefined, null)];
      expect(scheduler.actions.filter((action) => !action.closed)).toHaveLength(1);
      for (const timer of timers) timer.unsubscribe();
    });
  });
});

/** A scheduler on a fake wall clock (epoch milliseconds): actions run when the test advances the clock, and their delays are recorded. */
function wallClock(start = 1_700_000_000_000): { scheduler: SchedulerLike; advance(to: number): void; delays: number[]; wakeUps: number; readonly now: number; pending: number } {
  let now = start;
  let queue: Array<{ at: number; run: () => void; id: number }> = [];
  let ids = 0;
  const state = {
    delays: [] as number[],
    wakeUps: 0,
    get now() {
      return now;
    },
    get pending() {
      return queue.length;
    },
    scheduler: {
      now: () => now,
      schedule<T>(work: (this: SchedulerAction<T>, state?: T) => void, delay = 0, initial?: T): Subscription {
        let entry: { at: number; run: () => void; id: number } | null = null;
        const action = {
          closed: false,
          schedule(next?: T, nextDelay = 0) {
            state.delays.push(nextDelay);
            if (entry !== null) queue = queue.filter((e) => e !== entry);
            entry = { at: now + nextDelay, id: ids++, run: () => work.call(action as unknown as SchedulerAction<T>, next) };
            queue.push(entry);
            return action as unknown as Subscription;
          },
          unsubscribe() {
            action.closed = true;
            if (entry !== null) queue = queue.filter((e) => e !== entry);
          },
        };
        return action.schedule(initial, delay);
      },
    } as SchedulerLike,
    advance(to: number) {
      for (;;) {
        const next = queue.filter((e) => e.at <= to).sort((a, b) => a.at - b.at || a.id - b.id)[0];
        if (next === undefined) break;
        queue = queue.filter((e) => e !== next);
        now = next.at;
        state.wakeUps++;
        next.run();
      }
      now = to;
    },
  };
  return state;
}

describe('every on a wall clock (real timers): coalesced wake-ups', () => {
  it('wakes on a grid of 100 ms for 2,000 timers spread over the period, each at most 100 ms late and never drifting', () => {
    const clock = wallClock();
    const start = clock.now;
    const late: number[] = [];
    const fires = new Map<number, number[]>();
    const timers = [];
    for (let i = 0; i < 2000; i++) {
      // Opened evenly over one poll period, as clients arrive.
      clock.advance(start + Math.floor((i * 5) / 2));
      const due0 = clock.now + 5000;
      timers.push(
        every(clock.scheduler, 5000, (n: number) => {
          const list = fires.get(n) ?? [];
          list.push(clock.now);
          fires.set(n, list);
          late.push((clock.now - due0) % 5000);
        }, i),
      );
    }
    const wakeUpsBefore = clock.wakeUps;
    clock.advance(start + 30_000);
    const wakeUps = clock.wakeUps - wakeUpsBefore;
    // 25 s of steady state at most 10 wake-ups a second, instead of one per distinct due time (2,000 per period).
    expect(wakeUps).toBeLessThanOrEqual(25 * 10 + 60);
    expect(Math.max(...late)).toBeLessThan(100);
    expect(Math.min(...late)).toBeGreaterThanOrEqual(0);
    // Every timer fired once per period: no drift, no catch-up bursts.
    for (const times of fires.values()) {
      for (let k = 1; k < times.length; k++) expect(Math.abs(times[k]! - times[k - 1]! - 5000)).toBeLessThan(100);
    }
    // A busy clock re-arms with the same delay every time (RxJS then keeps its interval).
    const steady = clock.delays.slice(-100);
    expect(new Set(steady)).toEqual(new Set([100]));
    for (const timer of timers) timer.unsubscribe();
    expect(clock.pending).toBe(0);
  });

  it('keeps a short period precise: the grid is 1/32 of the shortest period', () => {
    const clock = wallClock();
    const start = clock.now;
    const times: number[] = [];
    const timer = every(clock.scheduler, 64, () => times.push(clock.now - start), null);
    clock.advance(start + 64 * 5 + 1);
    timer.unsubscribe();
    expect(times).toEqual([64, 128, 192, 256, 320]);
    for (const delay of clock.delays) expect(delay % 2).toBe(0);
  });

  it('wakes once for timers of different periods due in the same grid step', () => {
    const clock = wallClock();
    const start = clock.now;
    const log: string[] = [];
    const poll = every(clock.scheduler, 5000, (n: string) => log.push(`${clock.now - start} ${n}`), 'poll');
    clock.advance(start + 30);
    const ping = every(clock.scheduler, 4970, (n: string) => log.push(`${clock.now - start} ${n}`), 'ping');
    clock.advance(start + 5100);
    expect(log).toEqual(['5000 poll', '5000 ping']);
    expect(clock.wakeUps).toBe(1);
    poll.unsubscribe();
    ping.unsubscribe();
  });
});
