/**
 * Periodic timers shared by all connections: one scheduler action per
 * scheduler, whatever the periods, as Node's own timers share one list per
 * duration. A timer is a node in the list of its period, kept in due order;
 * the scheduler's clock wakes up for the first node of all its lists, fires
 * every node that is due, in due order, and rearms. An idle connection's poll
 * and ping then cost a small node each instead of an RxJS action, a bound
 * function and a Node Timeout.
 *
 * Coalescing. On real timers every distinct due millisecond would be a
 * wake-up of the process (10,000 connections opened over a poll period of
 * 5 s would wake it 2,000 times a second). So on a real scheduler
 * (`asyncScheduler` and the other RxJS schedulers outside `TestScheduler.run`)
 * the clock wakes on a grid instead: its delay is always
 * a multiple of the granularity G (the smallest period / 32 of its lists,
 * between 1 and 100 ms), so that a busy clock re-arms with the same delay
 * every time (RxJS then keeps its interval instead of re-creating it) and
 * wakes at most 1000 / G times a second; a timer fires at most G ms after its
 * due time (1/32 of a period at most), and its next due time still counts from
 * its own due time, so it never drifts. Virtual time (TestScheduler,
 * VirtualTimeScheduler) keeps exact due times: one
 * wake-up per distinct due time, costless there, and the same frames as one
 * action per timer would give.
 *
 * The scheduling layer: timer plumbing on RxJS's public, stable API only —
 * `SchedulerLike.schedule`, `SchedulerAction.schedule`, `VirtualTimeScheduler`, `Subscription`,
 * `Unsubscribable` and `config.onUnhandledError` (all in RxJS 7 and 8; no
 * `rxjs/internal/*`, no subclassing of RxJS classes). May import: rxjs only.
 */
import { VirtualTimeScheduler, config, type SchedulerAction, type SchedulerLike, type Subscription, type Unsubscribable } from 'rxjs';

/** A clock reading below this (2001-09-09 in epoch ms) counts virtual frames (see `Clock`). */
const EPOCH_CLOCK_FLOOR = 1e12;
/** The coalescing granularity is at most this many ms (≤ 10 wake-ups a second however many timers)… */
const MAX_GRANULARITY = 100;
/** …and at most this fraction of the shortest period of the clock's timers. */
const PERIOD_SHARE = 32;

/**
 * One repeating task, and its place in the list of its period (an intrusive list, as Node's own timers are: the
 * timed object is the node, so a connection's keepalive costs one object, not a node and a target). Subclasses
 * implement {@link fire}; {@link repeat} starts it, `unsubscribe` stops it. The list fields are the timer list's.
 */
export abstract class PeriodicTask implements Unsubscribable {
  /** @internal the timer list's links and due time (ms from the clock's origin) */
  prev: PeriodicTask | null = null;
  /** @internal */
  next: PeriodicTask | null = null;
  /** @internal */
  due = 0;
  /** The list of the task's period while it repeats, else null. */
  protected list: TimerList | null = null;

  /** Called every period while the task repeats. */
  abstract fire(): void;

  /** The task's period (ms), while it repeats; 0 otherwise. */
  protected get period(): number {
    return this.list?.period ?? 0;
  }

  /** @internal called by the list that takes the task */
  attach(list: TimerList): void {
    this.list = list;
  }

  /** Stops the task (it may be started again with {@link repeat}). */
  unsubscribe(): void {
    const list = this.list;
    if (list === null) return;
    this.list = null;
    list.remove(this);
  }
}

/** A task that calls `fire(target)`: what {@link every} makes. */
class PeriodicTimer extends PeriodicTask {
  constructor(
    private readonly call: (target: unknown) => void,
    private readonly target: unknown,
  ) {
    super();
  }

  fire(): void {
    this.call(this.target);
  }
}

function rethrow(error?: unknown): void {
  throw error;
}

function runClock(this: SchedulerAction<Clock>, clock?: Clock): void {
  clock!.run(this);
}

/** The timers of one clock and period, first due first (a new timer is due last: insertion is from the tail). */
class TimerList {
  head: PeriodicTask | null = null;
  private tail: PeriodicTask | null = null;
  /** The clock granularity this list allows (ms; 0 for exact due times). */
  readonly granularity: number;

  constructor(
    private readonly clock: Clock,
    readonly period: number,
  ) {
    this.granularity = clock.coalesce ? Math.max(1, Math.min(MAX_GRANULARITY, Math.floor(period / PERIOD_SHARE))) : 0;
  }

  add(task: PeriodicTask): void {
    task.unsubscribe();
    task.attach(this);
    task.due = this.clock.now() + this.period;
    this.insert(task);
    this.clock.added(this, task);
  }

  remove(timer: PeriodicTask): void {
    if (timer.prev === null && this.head !== timer) return; // not in the list (already removed)
    this.unlink(timer);
    this.clock.removed();
  }

  /** Moves a timer that fired to its next due time: from its own due time (exact in virtual time); after a stall, from now (no burst of catch-up ticks). */
  reschedule(timer: PeriodicTask, now: number): void {
    this.unlink(timer);
    const due = timer.due + this.period;
    timer.due = due > now ? due : now + this.period;
    this.insert(timer);
  }

  /** Inserts in due order, after timers due at the same time. */
  private insert(timer: PeriodicTask): void {
    let before = this.tail;
    while (before !== null && before.due > timer.due) before = before.prev;
    timer.prev = before;
    timer.next = before === null ? this.head : before.next;
    if (timer.next !== null) timer.next.prev = timer;
    else this.tail = timer;
    if (before !== null) before.next = timer;
    else this.head = timer;
  }

  private unlink(timer: PeriodicTask): void {
    if (timer.prev !== null) timer.prev.next = timer.next;
    else this.head = timer.next;
    if (timer.next !== null) timer.next.prev = timer.prev;
    else this.tail = timer.prev;
    timer.prev = null;
    timer.next = null;
  }
}

/** All periodic timers of one scheduler: one action, armed for the first due timer of all lists. */
class Clock {
  /** The lists, in creation order (ties between lists due at the same time fire in this order). */
  private readonly lists: TimerList[] = [];
  private readonly byPeriod = new Map<number, TimerList>();
  private action: Subscription | null = null;
  /** When the armed action runs (scheduler time), while one is armed. */
  private wakeAt = 0;
  /** Timers in all lists. */
  private count = 0;
  /** True while `run` fires timers: it rearms once at the end. */
  private running = false;
  /** True on a wall clock: wake-ups are coalesced (see the file comment). */
  readonly coalesce: boolean;
  /** The scheduler's time that due times count from (moved to now whenever the clock holds no timer). */
  private origin: number;

  constructor(readonly scheduler: SchedulerLike) {
    // Virtual time keeps exact due times: a VirtualTimeScheduler (TestScheduler extends it; both public RxJS
    // classes), or RxJS's own schedulers while `TestScheduler.run` patches them onto virtual frames (their
    // clock then reads frames from 0, never an epoch time). Every other scheduler runs on real timers.
    this.origin = scheduler.now();
    this.coalesce = !(scheduler instanceof VirtualTimeScheduler) && this.origin >= EPOCH_CLOCK_FLOOR;
  }

  /**
   * The scheduler's time since {@link origin}: what due times are measured in. An epoch reading (1.7e12 ms)
   * is a boxed double (16 bytes) in every timer that stores it; ms since the clock's origin are a small
   * integer (for 24 days), stored in the timer itself.
   */
  now(): number {
    const ms = this.scheduler.now() - this.origin;
    return ms === (ms | 0) ? ms | 0 : ms;
  }

  list(period: number): TimerList {
    // No timer holds a due time: the origin may move to now (the clock of a scheduler that `TestScheduler.run`
    // patches jumps between epoch time and virtual frames); not while `run` compares due times with its `now`.
    if (this.count === 0 && !this.running) this.origin = this.scheduler.now();
    let list = this.byPeriod.get(period);
    if (list === undefined) {
      this.byPeriod.set(period, (list = new TimerList(this, period)));
      this.lists.push(list);
    }
    return list;
  }

  added(list: TimerList, timer: PeriodicTask): void {
    this.count++;
    if (this.running) return;
    // A new timer is due last in its list; the clock only needs to wake earlier for a list's first timer.
    if (this.action === null || (list.head === timer && timer.due + list.granularity < this.wakeAt)) this.arm();
  }

  removed(): void {
    if (--this.count > 0 || this.action === null) return;
    // Nothing left to wait for: no pending action keeps the process alive.
    this.action.unsubscribe();
    this.action = null;
  }

  /**
   * The action fired: fires what is due, in due order across the lists, and rearms for the next. The timers belong
   * to different connections, so one that throws must not stop the others: it is removed, the rest fire, the
   * clock rearms, and the error is reported as RxJS reports unhandled errors: to `config.onUnhandledError` when
   * set, else rethrown from an action of its own (rethrowing here would make the scheduler cancel this clock's
   * action). lomond's own callers catch their errors themselves and end their connection, so this only catches
   * what escapes them.
   */
  run(action: SchedulerAction<Clock>): void {
    this.action = null;
    this.running = true;
    let failure: { error: unknown } | null = null;
    try {
      const now = this.now();
      const lists = this.lists;
      for (;;) {
        // The first due timer of all lists (the earliest list wins a tie).
        let first: TimerList | null = null;
        for (let i = 0; i < lists.length; i++) {
          const head = lists[i]!.head;
          if (head !== null && head.due <= now && (first === null || head.due < first.head!.due)) first = lists[i]!;
        }
        if (first === null) break;
        const timer = first.head!;
        first.reschedule(timer, now);
        try {
          timer.fire();
        } catch (error) {
          timer.unsubscribe();
          failure ??= { error };
        }
      }
    } finally {
      this.running = false;
      if (this.count > 0) this.arm(action);
    }
    if (failure === null) return;
    if (config.onUnhandledError !== null) config.onUnhandledError(failure.error);
    else this.scheduler.schedule(rethrow, 0, failure.error);
  }

  /** Arms the clock's action (rescheduling `action` when given) for the first due timer, on the coalescing grid. */
  private arm(action?: SchedulerAction<Clock>): void {
    const now = this.now();
    let due = Infinity;
    let granularity = Infinity;
    for (const list of this.lists) {
      if (list.head === null) continue;
      if (list.head.due < due) due = list.head.due;
      if (list.granularity < granularity) granularity = list.granularity;
    }
    let delay = Math.max(0, due - now);
    // On the grid: a multiple of the granularity, so that a busy clock re-arms with the same delay each time.
    if (granularity > 0) delay = Math.max(1, Math.ceil(delay / granularity)) * granularity;
    this.wakeAt = now + delay;
    if (action !== undefined) {
      this.action = action.schedule(this, delay);
      return;
    }
    this.action?.unsubscribe();
    this.action = this.scheduler.schedule(runClock, delay, this);
  }
}

const clocks = new WeakMap<SchedulerLike, Clock>();

/**
 * Calls `fire(target)` every `period` ms on `scheduler`, from now, until the returned timer is
 * unsubscribed. `fire` should be a module-level function: the timer then needs no closure. On real timers
 * a call may come up to 1/32 of `period` (at most 100 ms) late, so that many timers share one wake-up;
 * in virtual time it comes exactly on time (see the file comment).
 *
 * @example
 * ```ts
 * const timer = every(asyncScheduler, 5000, (session) => session.poll(), session);
 * timer.unsubscribe();
 * ```
 */
export function every<T>(scheduler: SchedulerLike, period: number, fire: (target: T) => void, target: T): Unsubscribable {
  const timer = new PeriodicTimer(fire as (target: unknown) => void, target);
  repeat(scheduler, period, timer);
  return timer;
}

/**
 * Starts `task`: its `fire()` is called every `period` ms on `scheduler`, from now, until `task.unsubscribe()`
 * (a task that repeats already is moved to the new period). As {@link every}, without an object of its own.
 *
 * @example
 * ```ts
 * class Beat extends PeriodicTask { fire(): void { console.log('beat'); } }
 * const beat = new Beat();
 * repeat(asyncScheduler, 1000, beat);
 * beat.unsubscribe();
 * ```
 */
export function repeat(scheduler: SchedulerLike, period: number, task: PeriodicTask): void {
  let clock = clocks.get(scheduler);
  if (clock === undefined) clocks.set(scheduler, (clock = new Clock(scheduler)));
  clock.list(period).add(task);
}
