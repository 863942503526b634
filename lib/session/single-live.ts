/**
 * SingleLive: the "at most one live connection per WebSocket object" rule,
 * shared by the Node and browser WebSocket classes (browser-safe: rxjs and
 * core errors only).
 */
import { Observable, Subscriber } from 'rxjs';
import { WebSocketUnavailableError } from '../core/errors.js';

/** Guards an object's sessions so that only one subscription is live at a time. */
export class SingleLive {
  private live = false;

  /**
   * Wraps a session: a subscription made while another is live errors with
   * {@link WebSocketUnavailableError}; the guard is released when the session
   * completes, errors or is unsubscribed.
   */
  guard<T>(session$: Observable<T>): Observable<T> {
    return new Observable<T>((subscriber) => {
      if (this.live) {
        subscriber.error(new WebSocketUnavailableError('websocket already has a live connection'));
        return;
      }
      this.live = true;
      session$.subscribe(new LiveSubscriber(subscriber, this));
    });
  }

  /** The live session ended. */
  release(): void {
    this.live = false;
  }
}

/** Forwards a live session's events; releases the guard when it ends, before the end is forwarded (a resubscription from the handler must succeed). */
class LiveSubscriber<T> extends Subscriber<T> {
  private holding = true;

  constructor(
    destination: Subscriber<T>,
    private readonly owner: SingleLive,
  ) {
    super(destination);
  }

  /** Releases the guard once: a later session's hold is not this one's to drop. */
  private free(): void {
    if (!this.holding) return;
    this.holding = false;
    this.owner.release();
  }

  protected override _error(error: unknown): void {
    this.free();
    super._error(error);
  }

  protected override _complete(): void {
    this.free();
    super._complete();
  }

  override unsubscribe(): void {
    if (this.closed) return;
    this.free();
    super.unsubscribe();
  }
}
