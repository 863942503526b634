/**
 * NativeConnection: the state of one browser connection, shared by its
 * session and by the browser {@link WebSocket} object that sends through it.
 * It wraps the native `WebSocket` and maps its states onto SPEC's errors.
 * Only the DOM's own rules limit what is sent: the browser does the framing,
 * masking, compression, pongs and the close handshake.
 */
import { defer, first, interval, map, of, type Observable, type SchedulerLike } from 'rxjs';
import { WebSocketClosedError, WebSocketClosingError, WebSocketUnavailableError } from '../core/errors.js';
import { MAX_CLOSE_REASON } from '../core/close.js';

/** The slice of the DOM `WebSocket` that lomond uses (structural, so tests can pass a fake). */
export interface NativeWebSocket {
  readonly readyState: number;
  readonly protocol: string;
  readonly extensions: string;
  readonly bufferedAmount: number;
  binaryType: string;
  send(data: string | ArrayBufferView): void;
  close(code?: number, reason?: string): void;
  onopen: ((event: unknown) => void) | null;
  onmessage: ((event: { readonly data: unknown }) => void) | null;
  onerror: ((event: unknown) => void) | null;
  onclose: ((event: { readonly code: number; readonly reason: string; readonly wasClean: boolean }) => void) | null;
}

/** The DOM `WebSocket` constructor, as found on `globalThis`. */
export type NativeWebSocketConstructor = new (url: string, protocols?: string[]) => NativeWebSocket;

/** Where a browser connection stands. */
export type NativePhase = 'connecting' | 'open' | 'ended';

/** What the session does for the connection's out-of-band actions. */
export interface NativeConnectionHooks {
  /** Our close frame was handed to the browser: start the close timer. */
  closeStarted(): void;
  /** End the session at once with `disconnected(reason, graceful=false)`. */
  forceEnd(reason: string): void;
}

const encoder = new TextEncoder();

/**
 * Checks a close code and reason against the DOM's rules before `close()`:
 * scripts may send only 1000 and 3000–4999 (WHATWG WebSockets §close).
 */
function checkClose(code: number, reason: string): void {
  if (typeof code !== 'number') throw new TypeError(`close code must be a number, got ${typeof code}`);
  if (typeof reason !== 'string') throw new TypeError(`close reason must be a string, got ${typeof reason}`);
  if (code !== 1000 && !(Number.isInteger(code) && code >= 3000 && code <= 4999)) {
    throw new RangeError(`close code ${code} is not allowed in browsers (1000 or 3000-4999)`);
  }
  const length = encoder.encode(reason).length;
  // RFC 6455 §5.5: "All control frames MUST have a payload length of 125 bytes or less" (2 of them hold the code).
  if (length > MAX_CLOSE_REASON) throw new RangeError(`close reason of ${length} bytes exceeds ${MAX_CLOSE_REASON}`);
}

/** How often `drain$` looks at the browser's `bufferedAmount` while someone waits (ms). */
export const DRAIN_POLL_MS = 10;

/** One browser connection's shared state. */
export class NativeConnection {
  phase: NativePhase = 'connecting';
  /** The native socket, once constructed. */
  socket: NativeWebSocket | null = null;
  /** `scheduler.now()` when our close frame was handed to the browser, or null. */
  sentCloseTime: number | null = null;
  /** True once we asked the browser to close (by `close()` or a failure). */
  closeSent = false;
  /** True once the application asked to close (`close()`; not lomond's own failure or an unsubscribe). */
  closeRequested = false;
  /** Set when lomond fails the connection (e.g. a message over `maxMessageSize`): the final `disconnected` reason. */
  failure: string | null = null;

  constructor(
    readonly url: string,
    private readonly scheduler: SchedulerLike,
    private readonly hooks: NativeConnectionHooks,
  ) {}

  /** The scheduler's clock: every event's `receivedTime`. */
  now(): number {
    return this.scheduler.now();
  }

  /** True while messages can be sent. */
  get isActive(): boolean {
    return this.phase === 'open' && !this.closeSent;
  }

  /** True once our close started and before the connection ended. */
  get isClosing(): boolean {
    return this.phase === 'open' && this.closeSent;
  }

  /** True when the browser negotiated permessage-deflate. */
  get supportsCompression(): boolean {
    return this.phase === 'open' && (this.socket?.extensions ?? '').includes('permessage-deflate');
  }

  /** Bytes queued by the browser, not yet sent. */
  get bufferedAmount(): number {
    return this.socket?.bufferedAmount ?? 0;
  }

  /**
   * Emits once and completes when the browser's `bufferedAmount <= lowWaterMark`. The DOM has no event for
   * it, so it looks every {@link DRAIN_POLL_MS} ms on the connection's scheduler while someone waits; errors
   * with WebSocketClosedError if the connection ends first.
   */
  drain$(lowWaterMark: number): Observable<void> {
    return defer(() => {
      if (this.bufferedAmount <= lowWaterMark || this.phase === 'ended') return of(undefined);
      return interval(DRAIN_POLL_MS, this.scheduler).pipe(
        map(() => {
          if (this.phase === 'ended') throw new WebSocketClosedError('websocket closed before its buffered data was sent');
          return this.bufferedAmount <= lowWaterMark;
        }),
        first(Boolean),
        map(() => undefined),
      );
    });
  }

  /** The socket, if sending is allowed now; else the SPEC error. */
  writable(): NativeWebSocket {
    if (this.phase === 'ended') throw new WebSocketClosedError('websocket is closed');
    if (this.phase !== 'open' || this.socket === null) throw new WebSocketUnavailableError('websocket is not connected');
    if (this.closeSent) throw new WebSocketClosingError('websocket is closing');
    return this.socket;
  }

  /** Sends a text message. */
  sendText(text: string): void {
    this.writable().send(text);
  }

  /** Sends a binary message (the browser copies it). */
  sendBinary(data: Uint8Array): void {
    this.writable().send(data);
  }

  /**
   * Starts the close handshake.
   *
   * @throws RangeError for a code other than 1000 or 3000–4999, or a reason over 123 bytes
   */
  close(code: number, reason: string): void {
    checkClose(code, reason);
    const socket = this.writable();
    socket.close(code, reason);
    this.closeRequested = true;
    this.noteCloseSent();
  }

  /** Fails the connection (lomond's own check, e.g. message size): close without a code, end as not graceful. */
  fail(reason: string): void {
    if (this.phase !== 'open' || this.closeSent) return;
    this.failure = reason;
    this.socket?.close();
    this.noteCloseSent();
  }

  private noteCloseSent(): void {
    this.closeSent = true;
    this.sentCloseTime = this.now();
    this.hooks.closeStarted();
  }

  /**
   * Ends the session at once with `disconnected(graceful=false)`. The DOM has
   * no way to drop a socket, so the browser still closes it in the background.
   */
  forceDisconnect(reason = 'force disconnect'): void {
    if (this.phase === 'ended') return;
    this.hooks.forceEnd(reason);
  }
}
