/**
 * SingleLive: the "at most one live connection per WebSocket object" rule and
 * the object's current connection, shared by the Node and browser WebSocket
 * classes (browser-safe: rxjs types and core errors only). It is also the
 * sessions' hooks object (`onConnection`, `onRelease`), so following a
 * session costs no extra objects.
 */
import type { Subscriber } from 'rxjs';
import { WebSocketUnavailableError } from '../core/errors.js';

/** Guards an object's sessions so that only one subscription is live at a time; remembers the latest connection. */
export class SingleLive<C = unknown> {
  private live = false;
  /** The latest session's connection (live, closing in the background, or ended), or null before the first. */
  current: C | null = null;

  /** Called when a session's connection opens, before its `ready` reaches the subscriber (the send queue's flush). */
  opened: ((conn: C) => void) | null = null;

  /** A session started with `conn`. */
  onConnection(conn: C): void {
    this.current = conn;
  }

  /** The session's connection is open; its `ready` event is about to be delivered. */
  onOpen(conn: C): void {
    this.opened?.(conn);
  }

  /** The live session ended or was unsubscribed. */
  onRelease(): void {
    this.live = false;
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
