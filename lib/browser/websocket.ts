/**
 * WebSocket (browser build): Lomond's object API over the native
 * `WebSocket`. Same members as the Node class; what a browser cannot do
 * (`sendPing`, `sendPong`, `addHeader`) throws a `TypeError` saying so.
 *
 * The browser façade (websocket.ts, connect.ts; entry lib/browser.ts): the
 * same API over the native WebSocket. May import: session/ (native-session,
 * browser-options), operators/, connection/, scheduling/, events/, core/ —
 * never node:* modules.
 */
import { Observable } from 'rxjs';
import { WebSocketBase } from '../session/websocket-base.js';
import type { WebSocketEvent } from '../events/events.js';
import type { NativeConnection } from '../connection/native-connection.js';
import { nativeSession$, parseBrowserUrl } from '../session/native-session.js';
import { resolveBrowserSessionOptions, validateBrowserWebSocketOptions, type SessionOptions, type WebSocketOptions } from '../session/browser-options.js';

export type { SendOptions } from '../session/websocket-base.js';

function notInBrowsers(member: string, why: string): TypeError {
  return new TypeError(`${member} is not available in browsers: ${why}`);
}

/**
 * A reusable WebSocket client over the browser's native WebSocket.
 *
 * @example
 * ```ts
 * import { WebSocket, persist, isReady } from 'lomond'; // the `browser` condition picks this build
 *
 * const ws = new WebSocket('wss://example.org/feed');
 * ws.connect$().pipe(persist()).subscribe((event) => {
 *   if (isReady(event)) ws.sendText('subscribe');
 * });
 * ```
 */
export class WebSocket extends WebSocketBase<NativeConnection> {
  private readonly options: WebSocketOptions;

  /**
   * @param url - a `ws:` or `wss:` URL
   * @param options - browser WebSocketOptions
   * @throws TypeError for an invalid URL, invalid options, or an option browsers do not have
   */
  constructor(url: string, options?: WebSocketOptions) {
    const validated = validateBrowserWebSocketOptions(options);
    parseBrowserUrl(url);
    super(url, validated.sendQueue);
    this.options = validated;
  }

  /**
   * Opens a connection per subscription (cold); at most one may be live: a
   * second concurrent subscription errors with WebSocketUnavailableError.
   *
   * @param options - browser SessionOptions (poll, closeTimeout, connectTimeout, scheduler)
   * @throws TypeError for `pingRate` other than 0, `pingTimeout`, or `autoPong: false`
   */
  connect$(options?: SessionOptions): Observable<WebSocketEvent> {
    const resolved = resolveBrowserSessionOptions(options);
    return new Observable<WebSocketEvent>((subscriber) => {
      if (!this.single.enter(subscriber)) return undefined;
      return nativeSession$(this.url, this.options, resolved, this.single).subscribe(subscriber);
    });
  }

  /** Not available in browsers. @throws TypeError always */
  sendPing(_data?: Uint8Array | string): never {
    throw notInBrowsers('sendPing', 'scripts cannot send protocol pings');
  }

  /** Not available in browsers. @throws TypeError always */
  sendPong(_data?: Uint8Array | string): never {
    throw notInBrowsers('sendPong', 'the browser answers pings itself');
  }

  /** Not available in browsers. @throws TypeError always */
  addHeader(_name: string, _value: string): never {
    throw notInBrowsers('addHeader', 'scripts cannot set request headers');
  }

  /** Always null in browsers: scripts cannot send protocol pings, so no round trip is measured. */
  get latency(): null {
    return null;
  }

  /** Not available in browsers. @throws TypeError always */
  sendStream(_source: unknown, _options?: unknown): never {
    throw notInBrowsers('sendStream', 'the DOM WebSocket cannot send a message in fragments');
  }

  /** Not available in browsers. @throws TypeError always */
  pause(): never {
    throw notInBrowsers('pause', 'the DOM WebSocket cannot stop reading');
  }

  /** Not available in browsers. @throws TypeError always */
  resume(): never {
    throw notInBrowsers('resume', 'the DOM WebSocket cannot stop reading');
  }
}
