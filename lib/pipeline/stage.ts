/**
 * The pipeline layer: the stages one connection's signals flow through, from
 * the transport's events to the subscriber's public events (handshake, which
 * then frames (frame.ts) → inflate → keepalive → heartbeat → unresponsive →
 * connectTimeout → the session's sink, whose close-handshake timer is in
 * close-handshake.ts).
 * Each stage has one job and its own file; this file holds what they share.
 *
 * Stages are plain objects chained by `out`, not RxJS subscribers: a batch
 * crosses a stage with one method call, an idle connection holds one small
 * object per stage, and nothing here depends on RxJS at all (RxJS meets the
 * pipeline only at its two ends: the transport's Observable, subscribed by the
 * head with `subscribe(observer)`, and the subscriber the sink delivers to —
 * both public, stable API). Timers go through the connection's scheduler
 * (`SchedulerLike.schedule`), so virtual time sees them.
 *
 * May import: connection/, compression/, transports/ (types), scheduling/,
 * events/, core/. Never session/, operators/ or the façade.
 */
import type { Signals } from '../connection/signals.js';

/** `Stage.bits`: the chain was torn down. */
const ENDED = 1;
/** The first bit a stage may use for flags of its own in `Stage.bits` (then 2×, 4×…). */
export const STAGE_BIT = 2;

/** What receives a stage's output: the next stage, or the sink's subscriber. */
export interface Downstream<T> {
  next(value: T): void;
  error(error: unknown): void;
  complete(): void;
}

/**
 * One stage: batches in (`next`), batches out to `out`. Errors and completion
 * are forwarded unless a stage needs them later (inflate keeps them behind the
 * message it is inflating). The session's end tears the chain down from its
 * last stage to its first, once (from its head, see {@link tearDown}): each
 * stage cancels what it started in {@link stop}.
 */
export abstract class Stage<In = Signals, Out = Signals> implements Downstream<In> {
  /**
   * Flags: {@link ENDED}, and bits of the stage's own from {@link STAGE_BIT} up (one field for a stage's
   * booleans: each one is 8 bytes per connection otherwise).
   */
  protected bits = 0;

  /** A stage knows only the one after it (a link back would be 8 bytes per stage and connection). */
  constructor(protected out: Downstream<Out>) {}

  /** True once the chain was torn down: later input is ignored. */
  protected get ended(): boolean {
    return (this.bits & ENDED) !== 0;
  }

  abstract next(input: In): void;

  error(error: unknown): void {
    this.out.error(error);
  }

  complete(): void {
    this.out.complete();
  }

  /** Cancels what this stage started (timers, zlib streams, the transport). */
  protected stop(): void {}

  /**
   * Tears this stage and every stage after it down, once, called on the head: each is marked ended first, then
   * stopped from the last to the first (the transport, which the head holds, goes last); a stop that throws does
   * not keep the stages before it running.
   */
  tearDown(): void {
    if (this.ended) return;
    this.bits |= ENDED;
    try {
      const out = this.out;
      if (out instanceof Stage) (out as AnyStage).tearDown();
    } finally {
      this.stop();
    }
  }

  /**
   * Hands `batch` to whatever follows this stage now, skipping its own work: for a task that a stage after
   * this one left behind when it left the chain (see keepalive.ts), so that it feeds the chain where that stage
   * stood even after later stages left too.
   */
  forward(batch: Out): void {
    this.out.next(batch);
  }

  /**
   * Leaves the chain that starts at `head` for good: the stage before now feeds the one after (one hop
   * less per batch). For a stage whose work is over, e.g. a timer that can no longer fire. It is stopped now;
   * teardown from the head no longer reaches it, and nothing in the chain refers to it any more.
   *
   * @returns the stage before, which now feeds the one after (null when this stage is not in the chain after `head`)
   */
  protected leave(head: unknown): Stage<unknown, Out> | null {
    let prev = head;
    while (prev instanceof Stage && prev !== this) {
      const next: unknown = (prev as AnyStage).out;
      if (next === this) {
        (prev as AnyStage).out = this.out;
        this.stop();
        return prev as Stage<unknown, Out>;
      }
      prev = next;
    }
    return null;
  }
}

// The chain links stages of different input types; within this file that is checked by construction.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyStage = Stage<any, any>;

/** Makes a stage that feeds `out`; null leaves it out of the chain (a feature that is off). */
export type StageFactory<In = Signals> = (out: Downstream<Signals>) => Stage<In> | null;

/**
 * Builds a chain from its stages, first to last, ending in `sink`; returns the head.
 *
 * @example
 * ```ts
 * const head = chain(sink, handshake(conn, expected), [inflate(conn), keepalive(conn)]);
 * ```
 */
export function chain<Head>(sink: Stage<Signals, unknown>, head: StageFactory<Head>, rest: readonly StageFactory[]): Stage<Head> {
  let next: Downstream<Signals> = sink;
  for (let i = rest.length - 1; i >= 0; i--) next = rest[i]!(next) ?? next;
  const first = head(next);
  if (first === null) throw new TypeError('the head of a chain cannot be left out');
  return first;
}
