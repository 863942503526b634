/**
 * connect$: the functional front door. Each subscription opens one connection
 * and emits its events; unsubscribing closes it.
 */
import type { Observable } from 'rxjs';
import type { WebSocketEvent } from './events/events.js';
import { resolveSessionOptions, splitConnectOptions, validateWebSocketOptions, type ConnectOptions } from './session/options.js';
import { session$ } from './session/session.js';
import { MAX_BUFFER_LENGTH } from './connection/node-platform.js';

/**
 * Opens a WebSocket connection per subscription (cold).
 *
 * @example
 * ```ts
 * import { connect$, isText } from 'lomond';
 * import { filter, map } from 'rxjs';
 *
 * connect$('wss://example.org/feed', { pingRate: 10_000 })
 *   .pipe(filter(isText), map((e) => e.text))
 *   .subscribe(console.log);
 * ```
 *
 * @param url - a `ws:` or `wss:` URL
 * @param options - WebSocketOptions and SessionOptions together
 * @returns the connection's events: `connecting`, `connected`, `ready`, … `disconnected`
 * @throws TypeError / RangeError for invalid options or URL
 */
export function connect$(url: string, options?: ConnectOptions): Observable<WebSocketEvent> {
  const [wsOptions, sessionOptions] = splitConnectOptions(options);
  return session$(url, validateWebSocketOptions(wsOptions, MAX_BUFFER_LENGTH), resolveSessionOptions(sessionOptions));
}
