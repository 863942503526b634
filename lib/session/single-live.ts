/**
 * SingleLive: the "at most one live connection per WebSocket object" rule,
 * shared by the Node and browser WebSocket classes (browser-safe: rxjs and
 * core errors only).
 */
import { Observable } from 'rxjs';
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
      const subscription = session$.subscribe({
        next: (value) => subscriber.next(value),
        error: (error) => {
          this.live = false;
          subscriber.error(error);
        },
        complete: () => {
          this.live = false;
          subscriber.complete();
        },
      });
      return () => {
        this.live = false;
        subscription.unsubscribe();
      };
    });
  }
}
