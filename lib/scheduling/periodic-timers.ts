/**
 * Periodic timers shared by all connections: one scheduler action per
 * scheduler and period, as Node's own timers share one list per duration.
 * A timer is a node in its list, kept in due order; the list's action wakes
 * up for the first node, fires every node that is due and rearms. An idle
 * connection's poll and ping then cost a small node each instead of an rxjs
 * action, a bound function and a Node Timeout, and virtual time
 * (TestScheduler) sees exactly the due times one action per timer would give.
 *
 * The scheduling layer: timer plumbing on RxJS's public, stable API only —
 * `SchedulerLike.schedule`, `SchedulerAction.schedule`, `Subscription`,
 * `Unsubscribable` and `config.onUnhandledError` (all in RxJS 7 and 8; no
 * `rxjs/internal/*`, no subclassing of RxJS classes). May import: rxjs only.
 */
import { config, type SchedulerAction, type SchedulerLike, type Subscription, type Unsubscribable } from 'rxjs';

/** One repeating timer: calls `fire(target)` every `period` ms of its list until unsubscribed. */
class PeriodicTimer implements Unsubscribable {
  prev: PeriodicTimer | null = null;
  next: PeriodicTimer | null = null;

  constructor(
    private readonly list: TimerList,
    public due: number,
    readonly fire: (target: unknown) => void,
    readonly target: unknown,
  ) {}

  unsubscribe(): void {
    this.list.remove(this);
  }
}

function rethrow(error?: unknown): void {
  throw error;
}

function runList(this: SchedulerAction<TimerList>, list?: TimerList): void {
  list!.run(this);
}

/** The timers of one scheduler and period, first due first. */
class TimerList {
  private head: PeriodicTimer | null = null;
  private tail: PeriodicTimer | null = null;
  private action: Subscription | null = null;
  /** True while `run` fires timers: it rearms once at the end. */
  private running = false;

  constructor(
    private readonly scheduler: SchedulerLike,
    private readonly period: number,
  ) {}

  add<T>(fire: (target: T) => void, target: T): PeriodicTimer {
    const timer = new PeriodicTimer(this, this.scheduler.now() + this.period, fire as (target: unknown) => void, target);
    this.insert(timer);
    return timer;
  }

  remove(timer: PeriodicTimer): void {
    if (timer.prev === null && this.head !== timer) return; // not in the list (already removed)
    this.unlink(timer);
    if (this.head === null) {
      // Nothing left to wait for: no pending action keeps the process alive.
      this.action?.unsubscribe();
      this.action = null;
    }
  }

  /**
   * The action fired: fires what is due, in due order, and rearms for the next. The timers belong to
   * different connections, so one that throws must not stop the others: it is removed, the rest fire, the
   * list rearms, and the error is reported as RxJS reports unhandled errors: to `config.onUnhandledError`
   * when set, else rethrown from an action of its own (rethrowing here would make the scheduler cancel this
   * list's action). lomond's own callers catch their errors themselves and end their connection, so this
   * only catches what escapes them.
   */
  run(action: SchedulerAction<TimerList>): void {
    this.action = null;
    this.running = true;
    let failure: { error: unknown } | null = null;
    try {
      const now = this.scheduler.now();
      let timer = this.head;
      while (timer !== null && timer.due <= now) {
        this.unlink(timer);
        // The next period from this one's due time (exact in virtual time); after a stall, from now: no burst of catch-up ticks.
        const due = timer.due + this.period;
        timer.due = due > now ? due : now + this.period;
        this.insert(timer);
        try {
          timer.fire(timer.target);
        } catch (error) {
          this.remove(timer);
          failure ??= { error };
        }
        timer = this.head;
      }
    } finally {
      this.running = false;
      if (this.head !== null) this.action = action.schedule(this, Math.max(0, this.head.due - this.scheduler.now()));
    }
    if (failure === null) return;
    if (config.onUnhandledError !== null) config.onUnhandledError(failure.error);
    else this.scheduler.schedule(rethrow, 0, failure.error);
  }

  /** Inserts in due order (after timers due at the same time); arms the action when it becomes the first. */
  private insert(timer: PeriodicTimer): void {
    let before = this.tail;
    while (before !== null && before.due > timer.due) before = before.prev;
    timer.prev = before;
    timer.next = before === null ? this.head : before.next;
    if (timer.next !== null) timer.next.prev = timer;
    else this.tail = timer;
    if (before !== null) before.next = timer;
    else this.head = timer;
    if (this.head === timer && this.action === null && !this.running) this.arm();
  }

  private unlink(timer: PeriodicTimer): void {
    if (timer.prev !== null) timer.prev.next = timer.next;
    else this.head = timer.next;
    if (timer.next !== null) timer.next.prev = timer.prev;
    else this.tail = timer.prev;
    timer.prev = null;
    timer.next = null;
  }

  private arm(): void {
    this.action = this.scheduler.schedule(runList, Math.max(0, this.head!.due - this.scheduler.now()), this);
  }
}

const lists = new WeakMap<SchedulerLike, Map<number, TimerList>>();

/**
 * Calls `fire(target)` every `period` ms on `scheduler`, from now, until the returned timer is
 * unsubscribed. `fire` should be a module-level function: the timer then needs no closure.
 *
 * @example
 * ```ts
 * const timer = every(asyncScheduler, 5000, (session) => session.poll(), session);
 * timer.unsubscribe();
 * ```
 */
export function every<T>(scheduler: SchedulerLike, period: number, fire: (target: T) => void, target: T): Unsubscribable {
  let byPeriod = lists.get(scheduler);
  if (byPeriod === undefined) lists.set(scheduler, (byPeriod = new Map()));
  let list = byPeriod.get(period);
  if (list === undefined) byPeriod.set(period, (list = new TimerList(scheduler, period)));
  return list.add(fire, target);
}
