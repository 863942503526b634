/**
 * connect$ (browser build): the functional front door over the native
 * `WebSocket`. Each subscription opens one connection and emits its events;
 * unsubscribing closes it.
 */
import type { Observable } from 'rxjs';
import type { WebSocketEvent } from '../events/events.js';
import { nativeSession$ } from '../session/native-session.js';
import { resolveBrowserConnectOptions, type ConnectOptions } from '../session/browser-options.js';

/**
 * Opens a native WebSocket connection per subscription (cold).
 *
 * @example
 * ```ts
 * import { connect$, isText } from 'lomond'; // the `browser` condition picks this build
 * import { filter, map } from 'rxjs';
 *
 * connect$('wss://example.org/feed', { poll: 10_000 })
 *   .pipe(filter(isText), map((e) => e.text))
 *   .subscribe(console.log);
 * ```
 *
 * @param url - a `ws:` or `wss:` URL
 * @param options - browser WebSocketOptions and SessionOptions together
 * @returns the connection's events: `connecting`, `connected`, `ready`, … `disconnected`
 * @throws TypeError for an invalid URL, invalid options, or an option browsers do not have
 *   (`headers`, `userAgent`, `proxies`, `agent`, `tls`, `transport`, `pingRate` ≠ 0, `pingTimeout`, `autoPong: false`)
 */
export function connect$(url: string, options?: ConnectOptions): Observable<WebSocketEvent> {
  const [wsOptions, sessionOptions] = resolveBrowserConnectOptions(options);
  return nativeSession$(url, wsOptions, sessionOptions);
}
