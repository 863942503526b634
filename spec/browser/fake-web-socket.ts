/**
 * A scripted stand-in for the DOM `WebSocket`, installed on
 * `globalThis.WebSocket` by the browser specs. It keeps the DOM's rules that
 * matter to lomond (send while CONNECTING throws, close codes limited to 1000
 * and 3000–4999, reasons ≤ 123 bytes) and lets a test play the server:
 * `open()`, `message()`, `serverClose()`, `finishClose()`, `fail()`.
 * Nothing happens on its own: tests schedule each step on the TestScheduler.
 */
import type { NativeWebSocket } from '../../lib/connection/native-connection.js';

type CloseEvent = { code: number; reason: string; wasClean: boolean };

/** The fake; `FakeWebSocket.instances` lists every socket constructed since `install()`. */
export class FakeWebSocket implements NativeWebSocket {
  static readonly CONNECTING = 0;
  static readonly OPEN = 1;
  static readonly CLOSING = 2;
  static readonly CLOSED = 3;
  static instances: FakeWebSocket[] = [];
  /** When set, the next constructor call throws it (like a DOM SyntaxError/SecurityError). */
  static throwOnConstruct: Error | null = null;

  readyState = FakeWebSocket.CONNECTING;
  protocol = '';
  extensions = '';
  bufferedAmount = 0;
  binaryType = 'blob';
  /** What the client sent, in order. */
  readonly sent: Array<string | Uint8Array> = [];
  /** Arguments of each `close()` call. */
  readonly closeCalls: Array<{ code?: number; reason?: string }> = [];
  onopen: ((event: unknown) => void) | null = null;
  onmessage: ((event: { readonly data: unknown }) => void) | null = null;
  onerror: ((event: unknown) => void) | null = null;
  onclose: ((event: CloseEvent) => void) | null = null;

  constructor(
    readonly url: string,
    readonly protocols: string[] = [],
  ) {
    if (FakeWebSocket.throwOnConstruct) {
      const error = FakeWebSocket.throwOnConstruct;
      FakeWebSocket.throwOnConstruct = null;
      throw error;
    }
    FakeWebSocket.instances.push(this);
  }

  send(data: string | ArrayBufferView): void {
    if (this.readyState === FakeWebSocket.CONNECTING) throw new DOMException('still in CONNECTING state', 'InvalidStateError');
    if (this.readyState !== FakeWebSocket.OPEN) return; // the DOM drops data after close
    this.sent.push(typeof data === 'string' ? data : new Uint8Array(data.buffer, data.byteOffset, data.byteLength).slice());
  }

  close(code?: number, reason?: string): void {
    if (code !== undefined && code !== 1000 && !(code >= 3000 && code <= 4999)) throw new DOMException(`invalid code ${code}`, 'InvalidAccessError');
    if (reason !== undefined && new TextEncoder().encode(reason).length > 123) throw new DOMException('reason too long', 'SyntaxError');
    this.closeCalls.push({ code, reason });
    if (this.readyState === FakeWebSocket.CONNECTING || this.readyState === FakeWebSocket.OPEN) this.readyState = FakeWebSocket.CLOSING;
  }

  // The server's side.

  /** The handshake succeeded. */
  open(protocol = '', extensions = ''): void {
    this.protocol = protocol;
    this.extensions = extensions;
    this.readyState = FakeWebSocket.OPEN;
    this.onopen?.({ type: 'open' });
  }

  /** A message arrives (a string, or an ArrayBuffer as with binaryType 'arraybuffer'). */
  message(data: string | ArrayBuffer | Uint8Array): void {
    const payload = data instanceof Uint8Array ? data.slice().buffer : data;
    this.onmessage?.({ data: payload });
  }

  /** The server closed, the browser echoed it, TCP ended: one DOM close event. */
  serverClose(code = 1000, reason = '', wasClean = true): void {
    this.dispatchClose({ code, reason, wasClean });
  }

  /** Completes the close handshake the client started (the server echoes its code). */
  finishClose(wasClean = true): void {
    const last = this.closeCalls[this.closeCalls.length - 1];
    this.dispatchClose({ code: wasClean ? (last?.code ?? 1005) : 1006, reason: wasClean ? (last?.reason ?? '') : '', wasClean });
  }

  /** The connection failed (refused, rejected handshake, network loss): error then close 1006. */
  fail(): void {
    this.onerror?.({ type: 'error' });
    this.dispatchClose({ code: 1006, reason: '', wasClean: false });
  }

  private dispatchClose(event: CloseEvent): void {
    this.readyState = FakeWebSocket.CLOSED;
    this.onclose?.(event);
  }

  /** True when lomond removed its handlers (after the session ended). */
  get detached(): boolean {
    return this.onopen === null && this.onmessage === null && this.onclose === null;
  }

  /** Installs the fake on `globalThis.WebSocket`; returns the function that restores the previous value. */
  static install(): () => void {
    const holder = globalThis as { WebSocket?: unknown };
    const had = Object.prototype.hasOwnProperty.call(holder, 'WebSocket');
    const previous = holder.WebSocket;
    FakeWebSocket.instances = [];
    FakeWebSocket.throwOnConstruct = null;
    holder.WebSocket = FakeWebSocket;
    return () => {
      if (had) holder.WebSocket = previous;
      else delete holder.WebSocket;
    };
  }

  /**
   * Removes `globalThis.WebSocket` (Node 22+ has a built-in one) to play a
   * runtime without it; returns the function that restores the previous value.
   */
  static remove(): () => void {
    const holder = globalThis as { WebSocket?: unknown };
    const had = Object.prototype.hasOwnProperty.call(holder, 'WebSocket');
    const previous = holder.WebSocket;
    delete holder.WebSocket;
    return () => {
      if (had) holder.WebSocket = previous;
    };
  }

  /** The newest socket; throws when none was constructed. */
  static get last(): FakeWebSocket {
    const socket = FakeWebSocket.instances[FakeWebSocket.instances.length - 1];
    if (!socket) throw new Error('no FakeWebSocket was constructed');
    return socket;
  }
}
