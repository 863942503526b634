/**
 * WebSocketBase: what the Node and the browser `WebSocket` classes share —
 * the URL, the one-live-connection rule, the offline send queue, the data
 * sends, the close, and the state getters — over the connection type each
 * build has (`Connection` over lomond's own protocol, `NativeConnection` over
 * the DOM's WebSocket). Each build adds what only it can do.
 */
import { defer, of, type Observable } from 'rxjs';
import { checkNumber } from '../core/checks.js';
import { WebSocketUnavailableError } from '../core/errors.js';
import { Status } from '../core/status.js';
import { parseWebSocketUrl } from '../core/url.js';
import type { WebSocketEvent } from '../events/events.js';
import { SendQueue, resolveSendQueueOptions, type SendQueueOptions } from './send-queue.js';
import { SingleLive } from './single-live.js';

/** Per-message send options. */
export interface SendOptions {
  /** Compress this message when permessage-deflate was negotiated (default true; ignored in browsers). */
  compress?: boolean;
}

/** What both builds' connections offer the WebSocket object. */
export interface ClientConnection {
  readonly phase: 'connecting' | 'handshake' | 'open' | 'ended';
  readonly isActive: boolean;
  readonly isClosing: boolean;
  readonly sentCloseTime: number | null;
  readonly bufferedAmount: number;
  readonly supportsCompression: boolean;
  sendText(text: string, compress?: boolean): void;
  sendBinary(data: Uint8Array, compress?: boolean): void;
  drain$(lowWaterMark: number): Observable<void>;
  close(code: number, reason: string): void;
  forceDisconnect(): void;
}

/** The shared part of a WebSocket object; see the file's comment. */
export abstract class WebSocketBase<C extends ClientConnection> {
  /** The URL to connect to, as given. */
  readonly url: string;
  /** True for wss: (and https:) URLs. */
  private readonly secure: boolean;
  /** The offline send queue (`sendQueue` option), or null. */
  private readonly queue: SendQueue | null;
  /**
   * The live-session slot and the latest connection; it is also the hooks through which sessions report.
   *
   * @internal
   */
  protected readonly single = new SingleLive<C>();

  /**
   * @param url - a `ws:` or `wss:` URL
   * @param sendQueue - the validated `sendQueue` option
   * @throws TypeError for an invalid URL
   */
  protected constructor(url: string, sendQueue: SendQueueOptions | undefined) {
    this.secure = parseWebSocketUrl(url).secure;
    this.url = url;
    const queue = resolveSendQueueOptions(sendQueue);
    this.queue = queue === null ? null : new SendQueue(queue);
    if (this.queue !== null) this.single.opened = (conn) => this.flushQueue(conn);
  }

  /** Opens a connection per subscription (cold); at most one may be live. */
  abstract connect$(options?: object): Observable<WebSocketEvent>;

  /** The latest connection (live, closing in the background, or ended), or null before the first. */
  protected get conn(): C | null {
    return this.single.current;
  }

  /** The latest connection; else the SPEC error for sending without one. */
  protected get connection(): C {
    const conn = this.single.current;
    if (conn === null) throw new WebSocketUnavailableError('websocket is not connected');
    return conn;
  }

  /** The connection opened: what waited in the send queue goes first, in order. */
  private flushQueue(conn: C): void {
    this.queue!.flush((message) => {
      if ('text' in message) conn.sendText(message.text, message.compress);
      else conn.sendBinary(message.data, message.compress);
    });
  }

  /** True when a send must wait in the queue: there is one, and no connection is open. */
  private queues(): boolean {
    return this.queue !== null && this.conn?.phase !== 'open';
  }

  /**
   * Sends a text message (queued with the `sendQueue` option while no connection is open).
   *
   * @throws WebSocketUnavailableError, WebSocketClosingError, WebSocketClosedError, SendQueueFullError, TypeError
   */
  sendText(text: string, options?: SendOptions): void {
    if (typeof text !== 'string') throw new TypeError(`text must be a string, got ${typeof text}`);
    if (this.queues()) this.queue!.pushText(text, options?.compress);
    else this.connection.sendText(text, options?.compress);
  }

  /**
   * Sends a binary message (queued as a copy with the `sendQueue` option while no connection is open).
   * The buffer is not modified, and may be reused as soon as the call returns.
   */
  sendBinary(data: Uint8Array, options?: SendOptions): void {
    if (!(data instanceof Uint8Array)) throw new TypeError(`data must be a Uint8Array, got ${data === null ? 'null' : typeof data}`);
    if (this.queues()) this.queue!.pushBinary(data, options?.compress);
    else this.connection.sendBinary(data, options?.compress);
  }

  /** Sends `JSON.stringify(value)` as a text message. */
  sendJson(value: unknown, options?: SendOptions): void {
    const text = JSON.stringify(value);
    if (text === undefined) throw new TypeError('value is not JSON-serialisable');
    this.sendText(text, options);
  }

  /**
   * Starts the close handshake; the stream then emits `closed` and `disconnected`, or
   * `disconnected(graceful=false)` after `closeTimeout`. With `persist`, the stream then completes.
   *
   * @throws TypeError / RangeError for a code not allowed (on the wire; in browsers, by the DOM) or a reason
   *   over 123 bytes
   */
  close(code: number = Status.NORMAL, reason = 'goodbye'): void {
    if (typeof code !== 'number') throw new TypeError(`close code must be a number, got ${typeof code}`);
    if (typeof reason !== 'string') throw new TypeError(`close reason must be a string, got ${typeof reason}`);
    this.connection.close(code, reason);
  }

  /** Drops the connection at once: the stream ends with `disconnected(graceful=false)`. Never throws. */
  forceDisconnect(): void {
    this.conn?.forceDisconnect();
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
    return this.conn?.supportsCompression ?? false;
  }

  /** When our close frame was sent (scheduler time, ms), or null. */
  get sentCloseTime(): number | null {
    return this.conn?.sentCloseTime ?? null;
  }

  /** Bytes accepted by a send but not yet handed to the OS. */
  get bufferedAmount(): number {
    return this.conn?.bufferedAmount ?? 0;
  }

  /**
   * Emits once and completes when `bufferedAmount <= lowWaterMark` (at once if it already is): the way to
   * pace a producer. Errors with WebSocketClosedError when the connection ends before its buffered bytes
   * went out. Looks at the connection live when subscribed.
   *
   * @param lowWaterMark - bytes, ≥ 0 (default 0: everything was handed to the OS)
   * @throws RangeError for a negative or infinite mark, TypeError for a non-number or NaN
   */
  drain$(lowWaterMark = 0): Observable<void> {
    checkNumber(lowWaterMark, 'lowWaterMark');
    return defer(() => this.conn?.drain$(lowWaterMark) ?? of(undefined));
  }

  /** Messages waiting in the send queue (0 without the `sendQueue` option). */
  get queuedMessages(): number {
    return this.queue?.length ?? 0;
  }

  /** Payload bytes waiting in the send queue (UTF-8 for text). */
  get queuedBytes(): number {
    return this.queue?.bytes ?? 0;
  }
}
