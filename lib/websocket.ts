/**
 * WebSocket: Lomond's object API. One object, at most one live connection at
 * a time (so `persist` can reconnect it), and the send methods that go to
 * whichever connection is live.
 */
import { Observable } from 'rxjs';
import { WebSocketUnavailableError } from './core/errors.js';
import type { WebSocketEvent } from './events/events.js';
import { ReadPause, type Connection } from './connection/connection.js';
import { WebSocketBase } from './session/websocket-base.js';
import { resolveSessionOptions, validateWebSocketOptions, type SessionOptions, type WebSocketOptions } from './session/options.js';
import { session$ } from './session/session.js';
import { checkHeader, checkRequestOptions } from './core/handshake.js';
import { MAX_CONTROL_PAYLOAD } from './core/frame.js';
import { MAX_BUFFER_LENGTH } from './connection/node-platform.js';
import { checkStreamArguments, sendStream$, type SendStreamOptions, type StreamSource } from './session/send-stream.js';

export type { SendOptions } from './session/websocket-base.js';
export type { SendStreamOptions, StreamSource } from './session/send-stream.js';

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
export class WebSocket extends WebSocketBase<Connection> {
  private readonly options: WebSocketOptions;
  /** Custom headers of the next upgrade requests by lower-case name (created when there are any). */
  private headers: Map<string, readonly [string, string | readonly string[]]> | null = null;

  /**
   * @param url - a `ws:` or `wss:` URL
   * @param options - WebSocketOptions
   * @throws TypeError for an invalid URL or options
   */
  constructor(url: string, options?: WebSocketOptions) {
    const validated = validateWebSocketOptions(options, MAX_BUFFER_LENGTH);
    super(url, validated.sendQueue);
    this.options = validated;
    for (const [name, value] of Object.entries(validated.headers ?? {})) this.setHeader(name, value);
  }

  /** Sets a header (one value, or several), replacing one set earlier under any letter case. */
  private setHeader(name: string, value: string | readonly string[]): void {
    (this.headers ??= new Map()).set(name.toLowerCase(), [name, typeof value === 'string' ? value : [...value]]);
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

  /** Sends a ping (payload ≤ 125 bytes, else RangeError); its pong carries the round trip (`rtt`). */
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
   * Adds a header to the next connections' upgrade requests, replacing one of the same name in any letter
   * case (also one from the `headers` option); an array of values sends one header line per value.
   *
   * @throws TypeError for a name that is not an HTTP token (or is set by the handshake), or a value with
   *   control characters (CR, LF, NUL…)
   */
  addHeader(name: string, value: string | readonly string[]): void {
    if (Array.isArray(value)) {
      checkRequestOptions({ headers: [[name, value]] });
      this.setHeader(name, value);
      return;
    }
    const [checkedName, checkedValue] = checkHeader(name, value);
    this.setHeader(checkedName, checkedValue);
  }

  /**
   * Sends ONE message in fragments from a producer (RFC 6455 §5.4), pulling the next chunk only while
   * `bufferedAmount` is at most `highWaterMark` (default 1 MiB): memory stays bounded whatever the size.
   * Cold: subscribing starts it; emits once and completes when the last fragment is queued. Messages sent
   * meanwhile follow the last fragment; pings and pongs may interleave. Never compressed. When the message
   * cannot be finished (the source throws, a text chunk is not UTF-8, unsubscribing) the connection closes
   * with 1011; a close meanwhile cuts it short and the stream errors with WebSocketClosingError.
   *
   * @param source - an AsyncIterable or Iterable of string or Uint8Array chunks
   * @param options - `binary` (default: from the first chunk's type), `highWaterMark`
   * @throws TypeError / RangeError for a bad source or option, at the call
   */
  sendStream(source: StreamSource, options?: SendStreamOptions): Observable<void> {
    const checked = checkStreamArguments(source, options);
    return sendStream$(() => this.openConnection(), source, checked);
  }

  /** The live connection's last ping round trip in ms (from a pong answering one of our pings), or null. */
  get latency(): number | null {
    return this.conn?.phase === 'open' ? this.conn.latency : null;
  }

  /**
   * Stops reading from the socket: TCP pushes back on the server. Events already received are still
   * delivered, in order. Pings still go out, but the `pingTimeout` clock stands still while paused
   * (silence is then our doing, not the server's).
   *
   * @throws WebSocketUnavailableError when no connection is open
   */
  pause(): void {
    this.openConnection().pauseReading(ReadPause.APP);
  }

  /** Reads from the socket again after {@link pause}. @throws WebSocketUnavailableError when no connection is open */
  resume(): void {
    this.openConnection().resumeReading(ReadPause.APP);
  }

  private openConnection(): Connection {
    const conn = this.connection;
    if (conn.phase !== 'open') throw new WebSocketUnavailableError('websocket is not connected');
    return conn;
  }
}
