/**
 * SingleLive: the "at most one live connection per WebSocket object" rule and
 * the object's current connection, shared by the Node and browser WebSocket
 * classes (browser-safe: rxjs and core errors only). On Node it is also the
 * session's hooks object (`onConnection`, `onRelease`), so following a
 * session costs no extra objects.
 */
import { Observable, Subscriber } from 'rxjs';
import { WebSocketUnavailableError } from '../core/errors.js';

/** Guards an object's sessions so that only one subscription is live at a time; remembers the latest connection. */
export class SingleLive<C = unknown> {
  private live = false;
  /** The latest session's connection (live, closing in the background, or ended), or null before the first. */
  current: C | null = null;

  /** A session started with `conn`. */
  onConnection(conn: C): void {
    this.current = conn;
  }

  /** The live session ended or was unsubscribed. */
  onRelease(): void {
    this.live = false;
  }

  /**
   * Wraps a session: a subscription made while another is live errors with
   * {@link WebSocketUnavailableError}; the guard is released when the session
   * completes, errors or is unsubscribed.
   */
  guard<T>(session$: Observable<T>): Observable<T> {
    return new Observable<T>((subscriber) => {
      if (this.enter(subscriber)) session$.subscribe(new LiveSubscriber(subscriber, this));
    });
  }

  /**
   * Takes the slot for `subscriber`'s session; when another session is live, errors `subscriber` with
   * {@link WebSocketUnavailableError} and returns false. The caller then owes one {@link onRelease}.
   */
  enter(subscriber: Subscriber<unknown>): boolean {
    if (this.live) {
      subscriber.error(new WebSocketUnavailableError('websocket already has a live connection'));
      return false;
    }
    this.live = true;
    return true;
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
    this.owner.onRelease();
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
