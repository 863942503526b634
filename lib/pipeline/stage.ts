/**
 * SignalSubscriber: how the session's operators subscribe to their source.
 * Each operator is one object of a subclass, chained to the next operator's
 * subscriber: no observer wrappers, no closures per callback. An idle
 * connection then costs a few hundred bytes of pipeline, and a batch crosses
 * an operator with one method call. Unsubscribing (or the chain ending) runs
 * `teardown()` once, where timers are cancelled. One-shot timers are
 * scheduled with a module-level work function and the subscriber as state
 * (`scheduler.schedule(work, delay, this)`), periodic ones through
 * periodic-timers' `every`, so they need no closure either.
 */
import { Observable, Subscriber, Subscription, type OperatorFunction, type TeardownLogic, type Unsubscribable } from 'rxjs';
import type { Signals } from '../connection/signals.js';

/**
 * Base of an operator's subscriber: batches in, batches out to `out`.
 *
 * Unlike a plain rxjs Subscriber it does not register with `out` (an rxjs
 * registration costs a finalizer array per link); the link runs the other
 * way: unsubscribing unsubscribes `upstream`, the subscription to this
 * operator's source, and errors and completion are forwarded to `out`.
 */
export abstract class SignalSubscriber<In = Signals, Out = Signals> extends Subscriber<In> {
  /**
   * This operator's subscription to its source, torn down with this one. For the first operator, whose
   * source is the transport, the transport's teardown (kept here without allocating rxjs's finalizer array).
   */
  upstream: Unsubscribable | (() => void) | null = null;

  constructor(protected out: Subscriber<Out>) {
    super();
  }

  /**
   * Leaves the chain for good: the source's subscriber now feeds `out` directly (one hop less per batch,
   * one object less per connection). For operators whose work is over (a timer that can no longer fire);
   * a no-op unless both neighbours are SignalSubscribers.
   */
  protected retire(): void {
    const upstream = this.upstream;
    const out = this.out;
    if (!(upstream instanceof SignalSubscriber) || !(out instanceof SignalSubscriber) || upstream.out !== (this as unknown)) return;
    upstream.out = out;
    out.upstream = upstream;
    this.upstream = null;
  }

  protected override _error(error: unknown): void {
    try {
      this.out.error(error);
    } finally {
      this.unsubscribe();
    }
  }

  protected override _complete(): void {
    try {
      this.out.complete();
    } finally {
      this.unsubscribe();
    }
  }

  /** Cancels what the operator started (timers); runs once, when the chain is torn down. */
  protected teardown(): void {}

  override add(teardown: TeardownLogic): void {
    if (this.upstream === null && !this.closed && teardown && !(teardown instanceof Subscription)) {
      this.upstream = teardown;
      return;
    }
    super.add(teardown);
  }

  override unsubscribe(): void {
    if (this.closed) return;
    this.teardown();
    super.unsubscribe();
    const upstream = this.upstream;
    this.upstream = null;
    if (typeof upstream === 'function') upstream();
    else upstream?.unsubscribe();
  }
}

/**
 * Builds an operator whose subscriber is `create(out)`.
 *
 * @param create - makes the operator's subscriber for one subscription
 */
export function signalOperator<In>(create: (out: Subscriber<Signals>) => SignalSubscriber<In>): OperatorFunction<In, Signals> {
  return (source) =>
    new Observable<Signals>((subscriber) => {
      const operator = create(subscriber);
      if (!(subscriber instanceof SignalSubscriber)) return source.subscribe(operator);
      // Linked before subscribing: a source that ends the session synchronously finds the chain complete.
      subscriber.upstream = operator;
      source.subscribe(operator);
      return undefined;
    });
}
