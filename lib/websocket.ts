/**
 * WebSocket: Lomond's object API. One object, at most one live connection at
 * a time (so `persist` can reconnect it), and the send methods that go to
 * whichever connection is live.
 */
import { Observable } from 'rxjs';
import { SingleLive } from './session/single-live.js';
import { WebSocketUnavailableError } from './core/errors.js';
import { Status } from './core/status.js';
import type { WebSocketEvent } from './events/events.js';
import type { Connection } from './connection/connection.js';
import { resolveSessionOptions, validateWebSocketOptions, type SessionOptions, type WebSocketOptions } from './session/options.js';
import { session$ } from './session/session.js';
import { parseWebSocketUrl } from './core/url.js';
import { checkHeader } from './core/handshake.js';
import { MAX_CONTROL_PAYLOAD } from './core/frame.js';
import { MAX_BUFFER_LENGTH } from './connection/node-platform.js';


function toBytes(data: unknown, name: string): Uint8Array {
  if (data === undefined) return new Uint8Array(0);
  if (typeof data === 'string') return Buffer.from(data, 'utf8');
  if (data instanceof Uint8Array) return data;
  throw new TypeError(`${name} must be a Uint8Array or a string`);
}

function checkControlPayload(data: Uint8Array, name: string): Uint8Array {
  // RFC 6455 §5.5: "All control frames MUST have a payload length of 125 bytes or less"
  if (data.length > MAX_CONTROL_PAYLOAD) throw new RangeError(`${name} payload of ${data.length} bytes exceeds ${MAX_CONTROL_PAYLOAD}`);
  return data;
}

/** Per-message send options. */
export interface SendOptions {
  /** Compress this message when permessage-deflate was negotiated (default true). */
  compress?: boolean;
}

/**
 * A reusable WebSocket client.
 *
 * @example
 * ```ts
 * import { WebSocket, persist, isReady } from 'lomond';
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
  /** Custom headers of the next upgrade requests by lower-case name (created when there are any). */
  private headers: Map<string, readonly [string, string]> | null = null;
  /** True for wss: (and https:) URLs. */
  private readonly secure: boolean;
  /** The live-session slot and the latest connection; it is also the hooks through which sessions report. */
  private readonly single = new SingleLive<Connection>();

  /**
   * @param url - a `ws:` or `wss:` URL
   * @param options - WebSocketOptions
   * @throws TypeError for an invalid URL or options
   */
  constructor(url: string, options?: WebSocketOptions) {
    this.secure = parseWebSocketUrl(url).secure;
    this.url = url;
    this.options = validateWebSocketOptions(options, MAX_BUFFER_LENGTH);
    for (const [name, value] of Object.entries(this.options.headers ?? {})) this.setHeader(name, value);
  }

  /** Sets a header, replacing one set earlier under any letter case. */
  private setHeader(name: string, value: string): void {
    (this.headers ??= new Map()).set(name.toLowerCase(), [name, value]);
  }

  /**
   * Opens a connection per subscription (cold); at most one may be live: a
   * second concurrent subscription errors with WebSocketUnavailableError.
   *
   * @param options - SessionOptions (poll, pingRate, pingTimeout, …)
   */
  connect$(options?: SessionOptions): Observable<WebSocketEvent> {
    const resolved = resolveSessionOptions(options);
    return new Observable<WebSocketEvent>((subscriber) => {
      if (!this.single.enter(subscriber)) return undefined;
      // Headers are read at each subscription, so addHeader applies to the next connection.
      const headers = this.headers === null ? undefined : [...this.headers.values()];
      return session$(this.url, this.options, resolved, this.single, headers).subscribe(subscriber);
    });
  }

  private get conn(): Connection | null {
    return this.single.current;
  }

  private get connection(): Connection {
    if (this.conn === null) throw new WebSocketUnavailableError('websocket is not connected');
    return this.conn;
  }

  /** Sends a text message. @throws WebSocketUnavailableError, WebSocketClosingError, WebSocketClosedError, TypeError */
  sendText(text: string, options?: SendOptions): void {
    if (typeof text !== 'string') throw new TypeError('text must be a string');
    this.connection.sendText(text, options?.compress);
  }

  /** Sends a binary message. The buffer is not modified. */
  sendBinary(data: Uint8Array, options?: SendOptions): void {
    if (!(data instanceof Uint8Array)) throw new TypeError('data must be a Uint8Array');
    this.connection.sendBinary(data, options?.compress);
  }

  /** Sends `JSON.stringify(value)` as a text message. */
  sendJson(value: unknown, options?: SendOptions): void {
    const text = JSON.stringify(value);
    if (text === undefined) throw new TypeError('value is not JSON-serialisable');
    this.sendText(text, options);
  }

  /** Sends a ping (payload ≤ 125 bytes, else RangeError). */
  sendPing(data?: Uint8Array | string): void {
    const payload = checkControlPayload(toBytes(data, 'ping data'), 'ping');
    this.connection.sendPing(payload);
  }

  /** Sends an unsolicited pong (payload ≤ 125 bytes, else RangeError). */
  sendPong(data?: Uint8Array | string): void {
    const payload = checkControlPayload(toBytes(data, 'pong data'), 'pong');
    this.connection.sendPong(payload);
  }

  /**
   * Starts the close handshake; the stream then emits `closed` and
   * `disconnected`, or `disconnected(graceful=false)` after `closeTimeout`.
   *
   * @throws RangeError for a code not allowed on the wire or a reason over 123 bytes
   */
  close(code: number = Status.NORMAL, reason = 'goodbye'): void {
    this.connection.close(code, reason);
  }

  /** Drops the connection at once: the stream ends with `disconnected(graceful=false)`. Never throws. */
  forceDisconnect(): void {
    this.conn?.forceDisconnect();
  }

  /**
   * Adds a header to the next connections' upgrade requests, replacing one of the same name in any letter
   * case (also one from the `headers` option).
   *
   * @throws TypeError for a name that is not an HTTP token (or is set by the handshake), or a value with
   *   control characters (CR, LF, NUL…)
   */
  addHeader(name: string, value: string): void {
    const [checkedName, checkedValue] = checkHeader(name, value);
    this.setHeader(checkedName, checkedValue);
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

  /** True for wss: (and https:) URLs, in any letter case. */
  get isSecure(): boolean {
    return this.secure;
  }

  /** True when the live connection negotiated permessage-deflate. */
  get supportsCompression(): boolean {
    return this.conn?.deflate != null && this.conn.phase === 'open';
  }

  /** When our close frame was sent (scheduler time, ms), or null. */
  get sentCloseTime(): number | null {
    return this.conn?.sentCloseTime ?? null;
  }

  /** Bytes queued in the socket, not yet sent. */
  get bufferedAmount(): number {
    return this.conn?.bufferedAmount ?? 0;
  }
}
