import { Observable, Subject, type Subscriber } from 'rxjs';
import { SignalSubscriber, signalOperator } from '../../lib/pipeline/stage.js';
import type { Signals } from '../../lib/connection/signals.js';
import { events } from '../../lib/events/events.js';

/** Passes batches on; counts them; retires after the first when asked to. */
class Counting extends SignalSubscriber {
  static seen: Record<string, number> = {};

  constructor(
    out: Subscriber<Signals>,
    private readonly name: string,
    private readonly retireAfterFirst: boolean,
  ) {
    super(out);
  }

  protected override _next(batch: Signals): void {
    Counting.seen[this.name] = (Counting.seen[this.name] ?? 0) + 1;
    const out = this.out;
    if (this.retireAfterFirst) this.retire();
    out.next(batch);
  }
}

const counting = (name: string, retireAfterFirst = false) => signalOperator<Signals>((out) => new Counting(out, name, retireAfterFirst));

/** A source fed by `input`, counting its teardowns. */
function testSource(): { input: Subject<Signals>; source: Observable<Signals>; tornDown: () => number } {
  let count = 0;
  const input = new Subject<Signals>();
  const source = new Observable<Signals>((subscriber) => {
    const inner = input.subscribe(subscriber);
    return () => {
      count++;
      inner.unsubscribe();
    };
  });
  return { input, source, tornDown: () => count };
}

describe('SignalSubscriber', () => {
  beforeEach(() => {
    Counting.seen = {};
  });

  it('chains operators: batches, completion and errors flow down; unsubscribing tears the source down', () => {
    const { input, source, tornDown } = testSource();
    const got: string[] = [];
    const sub = source.pipe(counting('a'), counting('b')).subscribe({ next: (batch) => got.push(batch[0]!.name), complete: () => got.push('complete') });
    input.next([events.poll(1)]);
    expect(got).toEqual(['poll']);
    sub.unsubscribe();
    expect(tornDown()).toBe(1);
    input.next([events.poll(2)]);
    expect(got).toEqual(['poll']);

    const failing = new Subject<Signals>();
    let error: unknown;
    failing.pipe(counting('c'), counting('d')).subscribe({ error: (e) => (error = e) });
    failing.error(new Error('boom'));
    expect(error).toEqual(new Error('boom'));
  });

  it('retire() takes an operator out of the chain: later batches skip it, teardown still reaches the source', () => {
    const { input, source, tornDown } = testSource();
    const got: number[] = [];
    const sub = source.pipe(counting('first'), counting('retiring', true), counting('last')).subscribe((batch) => got.push(batch.length));
    input.next([events.poll(1)]);
    input.next([events.poll(2), events.poll(3)]);
    input.next([events.poll(4)]);
    expect(got).toEqual([1, 2, 1]);
    expect(Counting.seen).toEqual({ first: 3, retiring: 1, last: 3 });
    sub.unsubscribe();
    expect(tornDown()).toBe(1);
  });
});
