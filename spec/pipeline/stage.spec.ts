import { chain, Stage, type Downstream, type StageFactory } from '../../lib/pipeline/stage.js';
import type { Signals } from '../../lib/connection/signals.js';
import { events } from '../../lib/events/events.js';

/** Passes batches on and counts them; leaves the chain after the first when asked to; records its stop. */
class Counting extends Stage {
  static seen: Record<string, number> = {};
  static stopped: string[] = [];
  /** The chain's head, for leave(). */
  static head: unknown = null;

  constructor(
    out: Downstream<Signals>,
    private readonly name: string,
    private readonly leaveAfterFirst: boolean,
  ) {
    super(out);
  }

  override next(batch: Signals): void {
    Counting.seen[this.name] = (Counting.seen[this.name] ?? 0) + 1;
    const out = this.out;
    if (this.leaveAfterFirst) this.leave(Counting.head);
    out.next(batch);
  }

  protected override stop(): void {
    Counting.stopped.push(this.name);
  }
}

/** The last stage: records what reaches it. */
class Recorder extends Stage<Signals, never> {
  readonly got: string[] = [];
  constructor() {
    super({ next: () => undefined, error: () => undefined, complete: () => undefined });
  }
  override next(batch: Signals): void {
    this.got.push(`${batch.length}:${batch[0]!.name}`);
  }
  override error(error: unknown): void {
    this.got.push(`error ${(error as Error).message}`);
  }
  override complete(): void {
    this.got.push('complete');
  }
}

const counting = (name: string, leaveAfterFirst = false): StageFactory => (out) => new Counting(out, name, leaveAfterFirst);

describe('Stage and chain', () => {
  beforeEach(() => {
    Counting.seen = {};
    Counting.stopped = [];
  });

  it('chains stages first to last: batches, completion and errors flow down; a null factory is left out', () => {
    const sink = new Recorder();
    const head = chain<Signals>(sink, counting('a'), [() => null, counting('b')]);
    head.next([events.poll(1)]);
    head.complete();
    expect(sink.got).toEqual(['1:poll', 'complete']);
    expect(Counting.seen).toEqual({ a: 1, b: 1 });

    const failing = new Recorder();
    chain<Signals>(failing, counting('c'), []).error(new Error('boom'));
    expect(failing.got).toEqual(['error boom']);
  });

  it('tears the chain down from the last stage to the first, once; later input is ignored by stages that check', () => {
    const sink = new Recorder();
    const head = chain<Signals>(sink, counting('first'), [counting('second'), counting('third')]);
    head.tearDown();
    head.tearDown();
    expect(Counting.stopped).toEqual(['third', 'second', 'first']);
  });

  it('leave() takes a stage out of the chain: later batches skip it, it is stopped, teardown still reaches the first', () => {
    const sink = new Recorder();
    const head = (Counting.head = chain<Signals>(sink, counting('first'), [counting('leaving', true), counting('last')]));
    head.next([events.poll(1)]);
    head.next([events.poll(2), events.poll(3)]);
    head.next([events.poll(4)]);
    expect(sink.got).toEqual(['1:poll', '2:poll', '1:poll']);
    expect(Counting.seen).toEqual({ first: 3, leaving: 1, last: 3 });
    expect(Counting.stopped).toEqual(['leaving']);
    head.tearDown();
    expect(Counting.stopped).toEqual(['leaving', 'last', 'first']);
  });

  it('leave() returns the stage before, whose forward() feeds what follows now, also after later stages left', () => {
    const sink = new Recorder();
    let leaving: Stage | null = null;
    const head = (Counting.head = chain<Signals>(sink, counting('first'), [
      (out) => (leaving = new (class extends Stage {
        before: Stage<unknown, Signals> | null = null;
        override next(batch: Signals): void {
          this.before = this.leave(Counting.head);
          this.out.next(batch);
        }
      })(out)),
      counting('later', true),
    ]));
    head.next([events.poll(1)]);
    const before = (leaving as unknown as { before: Stage<unknown, Signals> | null }).before;
    expect(before).toBe(head);
    before!.forward([events.poll(2)]);
    expect(sink.got).toEqual(['1:poll', '1:poll']);
    // `later` left after the first batch: forward() skips it as well as `first`'s own work.
    expect(Counting.seen).toEqual({ first: 1, later: 1 });
  });

  it('a stop() that throws does not keep the stages before it running', () => {
    class Throwing extends Counting {
      protected override stop(): void {
        super.stop();
        throw new Error('stop failed');
      }
    }
    const sink = new Recorder();
    const head = chain<Signals>(sink, counting('first'), [(out) => new Throwing(out, 'throwing', false)]);
    expect(() => head.tearDown()).toThrow('stop failed');
    expect(Counting.stopped).toEqual(['throwing', 'first']);
  });
});
