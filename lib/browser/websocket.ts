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
import { SingleLive } from '../session/single-live.js';
import { WebSocketUnavailableError } from '../core/errors.js';
import { Status } from '../core/status.js';
import { parseWebSocketUrl } from '../core/url.js';
import type { WebSocketEvent } from '../events/events.js';
import type { NativeConnection } from '../connection/native-connection.js';
import { nativeSession$ } from '../session/native-session.js';
import { resolveBrowserSessionOptions, validateBrowserWebSocketOptions, type SessionOptions, type WebSocketOptions } from '../session/browser-options.js';

/** Per-message send options (accepted for compatibility: the browser decides on compression). */
export interface SendOptions {
  /** Ignored in browsers. */
  compress?: boolean;
}

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
export class WebSocket {
  /** The URL to connect to. */
  readonly url: string;
  private readonly options: WebSocketOptions;
  /** True for wss: (and https:) URLs. */
  private readonly secure: boolean;
  /** The live-session slot and the latest connection; it is also the hooks through which sessions report. */
  private readonly single = new SingleLive<NativeConnection>();

  /**
   * @param url - a `ws:` or `wss:` URL
   * @param options - browser WebSocketOptions
   * @throws TypeError for an invalid URL, invalid options, or an option browsers do not have
   */
  constructor(url: string, options?: WebSocketOptions) {
    this.secure = parseWebSocketUrl(url).secure;
    this.url = url;
    this.options = validateBrowserWebSocketOptions(options);
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

  private get conn(): NativeConnection | null {
    return this.single.current;
  }

  private get connection(): NativeConnection {
    if (this.conn === null) throw new WebSocketUnavailableError('websocket is not connected');
    return this.conn;
  }

  /** Sends a text message. @throws WebSocketUnavailableError, WebSocketClosingError, WebSocketClosedError, TypeError */
  sendText(text: string, _options?: SendOptions): void {
    if (typeof text !== 'string') throw new TypeError('text must be a string');
    this.connection.sendText(text);
  }

  /** Sends a binary message. The buffer is not modified. */
  sendBinary(data: Uint8Array, _options?: SendOptions): void {
    if (!(data instanceof Uint8Array)) throw new TypeError('data must be a Uint8Array');
    this.connection.sendBinary(data);
  }

  /** Sends `JSON.stringify(value)` as a text message. */
  sendJson(value: unknown, options?: SendOptions): void {
    const text = JSON.stringify(value);
    if (text === undefined) throw new TypeError('value is not JSON-serialisable');
    this.sendText(text, options);
  }

  /** Not available in browsers. @throws TypeError always */
  sendPing(_data?: Uint8Array | string): never {
    throw notInBrowsers('sendPing', 'scripts cannot send protocol pings');
  }

  /** Not available in browsers. @throws TypeError always */
  sendPong(_data?: Uint8Array | string): never {
    throw notInBrowsers('sendPong', 'the browser answers pings itself');
  }

  /**
   * Starts the close handshake; the stream then emits `closed` and
   * `disconnected`, or `disconnected(graceful=false)` after `closeTimeout`.
   *
   * @throws RangeError for a code other than 1000 or 3000–4999 (the DOM's rule) or a reason over 123 bytes
   */
  close(code: number = Status.NORMAL, reason = 'goodbye'): void {
    if (typeof code !== 'number') throw new TypeError('code must be a number');
    if (typeof reason !== 'string') throw new TypeError('reason must be a string');
    this.connection.close(code, reason);
  }

  /**
   * Ends the stream at once with `disconnected(graceful=false)`; the browser
   * closes the socket in the background (the DOM cannot drop it). Never throws.
   */
  forceDisconnect(): void {
    this.conn?.forceDisconnect();
  }

  /** Not available in browsers. @throws TypeError always */
  addHeader(_name: string, _value: string): never {
    throw notInBrowsers('addHeader', 'scripts cannot set request headers');
  }

  /** True while a connection is open and not closing. */
  get isActive(): boolean {
    return this.conn?.isActive ?? false;
  }

  /** True while the close handshake is under way. */
  get isClosing(): boolean {
    return this.conn?.isClosing ?? false;
  }

  /** True once the last connection has ended. */
  get isClosed(): boolean {
    return this.conn?.phase === 'ended';
  }

  /** True for wss: URLs. */
  get isSecure(): boolean {
    return this.secure;
  }

  /** True when the browser negotiated permessage-deflate on the live connection. */
  get supportsCompression(): boolean {
    return this.conn?.supportsCompression ?? false;
  }

  /** When our close frame was handed to the browser (scheduler time, ms), or null. */
  get sentCloseTime(): number | null {
    return this.conn?.sentCloseTime ?? null;
  }

  /** Bytes queued by the browser, not yet sent. */
  get bufferedAmount(): number {
    return this.conn?.bufferedAmount ?? 0;
  }
}
