/**
 * The Retry-After delay of a `rejected` event: the Node session parses the
 * response's `Retry-After` header when it builds the event (core/retry-after,
 * against the connection's clock) and marks the event with the delay; `persist`
 * reads the mark. Browsers never see a rejected upgrade (the DOM reports it as
 * a connection failure), so the browser build carries no Retry-After parser at
 * all. Internal, and beside the event rather than in it, like app-close.ts.
 */
import type { Rejected, WebSocketEvent } from './events.js';

/** Rejected events whose response said when to retry, with that delay in ms. Weak: nothing is kept for events nobody holds. */
const delays = new WeakMap<WebSocketEvent, number>();

/** Marks `event` with the delay its response's Retry-After asks for (ms, not yet clamped); returns it. */
export function markRetryAfter(event: Rejected, delay: number): Rejected {
  delays.set(event, delay);
  return event;
}

/** The Retry-After delay of a rejected event (ms), or null when its response had none (or no valid one). */
export function retryAfterOf(event: WebSocketEvent): number | null {
  return delays.get(event) ?? null;
}
