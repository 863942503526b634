import { config, type SchedulerAction, type SchedulerLike, type Subscription } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { every } from '../../lib/scheduling/periodic-timers.js';

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
});
