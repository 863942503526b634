/**
 * The mark of an application's own close: the last event (`disconnected`,
 * rarely `connect_fail`) of a connection that the application itself closed
 * with `WebSocket.close()`. Sessions (Node and browser) mark it; `persist`
 * reads it and completes instead of reconnecting. lomond's own closes
 * (protocol errors, `unresponsive`, a server's close) and unsubscribing are
 * never marked. Internal: SPEC names every public event field, so the mark
 * lives beside the event, not in it.
 */
import type { WebSocketEvent } from './events.js';

/** Final events that ended an app-requested close. Weak: an event nobody holds any more is not kept. */
const appClosed = new WeakSet<WebSocketEvent>();

/** Marks `final` as the end of a close the application asked for; returns it. */
export function markAppClose<E extends WebSocketEvent>(final: E): E {
  appClosed.add(final);
  return final;
}

/** True when `event` is the last event of a connection that the application itself closed. */
export function isAppClose(event: WebSocketEvent): boolean {
  return appClosed.has(event);
}
