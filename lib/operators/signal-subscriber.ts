/**
 * SignalSubscriber: how the session's operators subscribe to their source.
 * Each operator is one object of a subclass, chained to the next operator's
 * subscriber: no observer wrappers, no closures per callback. An idle
 * connection then costs a few hundred bytes of pipeline, and a batch crosses
 * an operator with one method call. Unsubscribing (or the chain ending) runs
 * `teardown()` once, where timers are cancelled. Timers are scheduled with a
 * module-level work function and the subscriber as state (`scheduler.schedule(
 * work, delay, this)`), so they need no closure either.
 */
import { Observable, Subscriber, type OperatorFunction } from 'rxjs';
import type { Signals } from '../session/signals.js';

/** Base of an operator's subscriber: batches in, batches out to `out`. */
export abstract class SignalSubscriber<In = Signals> extends Subscriber<In> {
  constructor(protected readonly out: Subscriber<Signals>) {
    super(out);
  }

  /** Cancels what the operator started (timers); runs once, when the chain is torn down. */
  protected teardown(): void {}

  override unsubscribe(): void {
    if (this.closed) return;
    this.teardown();
    super.unsubscribe();
  }
}

/**
 * Builds an operator whose subscriber is `create(out)`.
 *
 * @param create - makes the operator's subscriber for one subscription
 */
export function signalOperator<In>(create: (out: Subscriber<Signals>) => SignalSubscriber<In>): OperatorFunction<In, Signals> {
  return (source) => new Observable<Signals>((subscriber) => source.subscribe(create(subscriber)));
}
