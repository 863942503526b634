/**
 * TestWebSocket: a DOM-shaped `WebSocket` class backed by a {@link TestServer},
 * so that the browser build (which always uses `globalThis.WebSocket`, and
 * accepts no `transport`) and any code written against the DOM API run in
 * virtual time against the same scripted server as the Node build.
 *
 * It plays the browser's part for real: it sends the upgrade request, checks
 * the server's Sec-WebSocket-Accept, masks its frames, answers pings, echoes
 * the server's close and reports what the DOM reports (`open`, `message`,
 * `error`, `close` with `code`, `reason`, `wasClean`), in the DOM's order and
 * states. So `server.current.frames`, `texts` and `clientCloseCode` read the
 * same for both builds. It needs no Node built-in: the handshake key and the
 * masks come from `globalThis.crypto`, the accept value from core/sha1.
 *
 * What it leaves out: permessage-deflate (it offers no extension), Blob
 * sends, and `bufferedAmount` (always 0: the virtual transport takes
 * everything at once). `close()` without a code sends 1000 (a browser sends
 * no status code).
 */
import { copyBytes } from '../core/bytes.js';
import type { SchedulerLike, Subscription } from 'rxjs';
import { HandshakeError } from '../core/errors.js';
import { buildRequest, checkResponse } from '../core/handshake.js';
import { HttpResponseReader } from '../core/http-response-reader.js';
import { ClientProtocol, type ProtocolHandler } from '../core/protocol.js';
import { base64, portableAcceptFor } from '../core/sha1.js';
import { Status } from '../core/status.js';
import { parseWebSocketUrl, type WebSocketTarget } from '../core/url.js';
import type { Transport, TransportConnection, TransportEvent } from '../transports/transport.js';

/**
 * What a {@link TestWebSocket} needs from its server.
 *
 * @inline
 */
export interface TestWebSocketHost {
  /** The server's virtual transport. */
  readonly transport: Transport;
  /** The scheduler the server and its sockets run on. */
  readonly scheduler: SchedulerLike;
}

/** The event objects a {@link TestWebSocket} dispatches (plain objects with the DOM fields lomond reads). */
export interface TestWebSocketEvent {
  /** The DOM event's type. */
  readonly type: 'open' | 'message' | 'error' | 'close';
  /** The socket that dispatched it. */
  readonly target: TestWebSocket;
  /** `message`: a string, or an ArrayBuffer / Blob as `binaryType` says. */
  readonly data?: unknown;
  /** `close`: the server's close code (1005 when its close frame had none, 1006 without a close handshake). */
  readonly code?: number;
  /** `close`: the server's close reason ('' when none). */
  readonly reason?: string;
  /** `close`: true when the close handshake completed. */
  readonly wasClean?: boolean;
}

/**
 * An event handler of a {@link TestWebSocket}.
 *
 * @inline
 */
type Listener = (event: TestWebSocketEvent) => void;

const MiB = 1024 * 1024;
const encoder = new TextEncoder();

/** A DOMException where the platform has one (browsers, Node ≥ 17), else an Error with the same name. */
function domError(message: string, name: string): Error {
  if (typeof DOMException === 'function') return new DOMException(message, name);
  return Object.assign(new Error(message), { name });
}

const randomBytes = (length: number): Uint8Array => globalThis.crypto.getRandomValues(new Uint8Array(length));

/** The DOM constructor's URL rules (WHATWG WebSockets §constructor): a SyntaxError for anything unusable. */
function parseTarget(url: string | URL): WebSocketTarget {
  try {
    return parseWebSocketUrl(url);
  } catch (error) {
    throw domError((error as Error).message, 'SyntaxError');
  }
}

/**
 * A DOM-compatible WebSocket over the virtual transport of a test server; {@link TestServer.WebSocket} is
 * this class bound to its server.
 */
export class TestWebSocket {
  /** `readyState` before the handshake completed. */
  static readonly CONNECTING = 0;
  /** `readyState` while messages may flow. */
  static readonly OPEN = 1;
  /** `readyState` once the close handshake started. */
  static readonly CLOSING = 2;
  /** `readyState` once the connection is gone. */
  static readonly CLOSED = 3;
  /** `readyState` before the handshake completed. */
  readonly CONNECTING = 0;
  /** `readyState` while messages may flow. */
  readonly OPEN = 1;
  /** `readyState` once the close handshake started. */
  readonly CLOSING = 2;
  /** `readyState` once the connection is gone. */
  readonly CLOSED = 3;

  /** The URL, serialised. */
  readonly url: string;
  /** Where the socket stands: `CONNECTING`, `OPEN`, `CLOSING` or `CLOSED`. */
  readyState = TestWebSocket.CONNECTING;
  /** The subprotocol the server chose ('' for none). */
  protocol = '';
  /** Always '' (no extension is offered). */
  readonly extensions = '';
  /** Always 0: the virtual transport takes every byte at once. */
  readonly bufferedAmount = 0;
  /** How binary messages arrive in `message` events: as a Blob (the DOM's default) or an ArrayBuffer. */
  binaryType: 'blob' | 'arraybuffer' = 'blob';
  /** Called at `open`, like `addEventListener('open', …)`. */
  onopen: Listener | null = null;
  /** Called for each `message`. */
  onmessage: Listener | null = null;
  /** Called at `error` (a connection that ends without a close handshake). */
  onerror: Listener | null = null;
  /** Called at `close`. */
  onclose: Listener | null = null;

  private readonly listeners = new Map<string, Set<Listener>>();
  private readonly accept: string;
  private readonly offered: string[];
  private subscription: Subscription | null = null;
  private connection: TransportConnection | null = null;
  private reader: HttpResponseReader | null = new HttpResponseReader();
  private wire: ClientProtocol | null = null;
  /** The server's close frame (code, reason), once it arrived. */
  private received: { code: number; reason: string } | null = null;

  /**
   * @param host - the test server ({@link TestServer.WebSocket} binds it)
   * @throws SyntaxError (a DOMException) for an invalid URL or protocol list, as the DOM does
   */
  constructor(
    private readonly host: TestWebSocketHost,
    url: string | URL,
    protocols: string | string[] = [],
  ) {
    const target = parseTarget(url);
    this.url = target.url.href;
    this.offered = typeof protocols === 'string' ? [protocols] : [...protocols];
    const key = base64(randomBytes(16));
    this.accept = portableAcceptFor(key);
    let request;
    try {
      request = buildRequest(target, key, { protocols: this.offered });
    } catch (error) {
      throw domError((error as Error).message, 'SyntaxError');
    }
    const events$ = host.transport.open({ url: target.url, secure: target.secure, host: target.host, port: target.port, request });
    this.subscription = events$.subscribe({
      next: (event) => this.onTransport(event),
      error: () => this.ended(),
      complete: () => this.ended(),
    });
  }

  /** Sends a text or binary message; throws InvalidStateError while connecting, drops it once closing (as the DOM does). */
  send(data: string | ArrayBuffer | ArrayBufferView): void {
    if (this.readyState === TestWebSocket.CONNECTING) throw domError('still in CONNECTING state', 'InvalidStateError');
    if (this.readyState !== TestWebSocket.OPEN || this.wire === null) return;
    if (typeof data === 'string') this.wire.sendText(data);
    else if (data instanceof ArrayBuffer) this.wire.sendBinary(new Uint8Array(data));
    else if (ArrayBuffer.isView(data)) this.wire.sendBinary(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
    else throw new TypeError(`the test WebSocket sends strings, ArrayBuffers and views, got ${Object.prototype.toString.call(data)}`);
  }

  /**
   * Starts the close handshake (or abandons a connection still connecting).
   *
   * @throws InvalidAccessError for a code other than 1000 or 3000–4999; SyntaxError for a reason over 123 bytes
   */
  close(code?: number, reason = ''): void {
    // WHATWG WebSockets §close(): "If code is present, but is neither an integer equal to 1000 nor an integer in the
    // range 3000 to 4999, inclusive, throw an InvalidAccessError"; a reason longer than 123 bytes is a SyntaxError.
    if (code !== undefined && code !== 1000 && !(Number.isInteger(code) && code >= 3000 && code <= 4999)) {
      throw domError(`invalid close code ${code}`, 'InvalidAccessError');
    }
    if (encoder.encode(reason).length > 123) throw domError('close reason exceeds 123 bytes', 'SyntaxError');
    if (this.readyState === TestWebSocket.CONNECTING) {
      // §close(): "Fail the WebSocket connection"; the close event follows as a task, not within the call.
      this.readyState = TestWebSocket.CLOSING;
      this.drop();
      this.host.scheduler.schedule(() => this.finish(1006, '', false));
      return;
    }
    if (this.readyState !== TestWebSocket.OPEN || this.wire === null) return;
    this.readyState = TestWebSocket.CLOSING;
    this.wire.sendClose(code ?? Status.NORMAL, reason);
  }

  /** Adds a listener for `open`, `message`, `error` or `close`. */
  addEventListener(type: string, listener: Listener): void {
    let set = this.listeners.get(type);
    if (set === undefined) this.listeners.set(type, (set = new Set()));
    set.add(listener);
  }

  /** Removes a listener added with {@link addEventListener}. */
  removeEventListener(type: string, listener: Listener): void {
    this.listeners.get(type)?.delete(listener);
  }

  private dispatch(event: TestWebSocketEvent): void {
    const handler = event.type === 'open' ? this.onopen : event.type === 'message' ? this.onmessage : event.type === 'error' ? this.onerror : this.onclose;
    handler?.(event);
    for (const listener of [...(this.listeners.get(event.type) ?? [])]) listener(event);
  }

  private onTransport(event: TransportEvent): void {
    if (event.type === 'open') this.connection = event.connection;
    else if (event.type === 'data') this.onData(event.chunk);
  }

  private onData(chunk: Uint8Array): void {
    if (this.wire !== null) {
      this.wire.receive(chunk);
      return;
    }
    if (this.reader === null) return;
    let head;
    try {
      head = this.reader.push(chunk);
    } catch (error) {
      if (error instanceof HandshakeError) return this.fail();
      throw error;
    }
    if (head === null) return;
    this.reader = null;
    let accepted;
    try {
      // RFC 6455 §4.1: "the client MUST validate the server's response".
      accepted = checkResponse(head.response, { accept: this.accept, protocols: this.offered, extensionsOffered: false });
    } catch (error) {
      if (error instanceof HandshakeError) return this.fail();
      throw error;
    }
    const wire = this.open(accepted.protocol ?? '');
    // Frames that came with the response head, unless the open handler already closed.
    if (head.rest.length > 0 && this.readyState !== TestWebSocket.CLOSED) wire.receive(head.rest);
  }

  private open(protocol: string): ClientProtocol {
    const output = this.connection;
    if (output === null) throw new Error('handshake completed without a transport');
    const wire = (this.wire = new ClientProtocol(this.handler(), {
      maxPayload: 100 * MiB,
      maxMessageSize: 100 * MiB,
      compression: false,
      maskKey: () => randomBytes(4),
      output,
    }));
    this.protocol = protocol;
    this.readyState = TestWebSocket.OPEN;
    this.dispatch({ type: 'open', target: this });
    return wire;
  }

  private handler(): ProtocolHandler {
    return {
      onText: (text) => this.message(text),
      onBinary: (data) => {
        const copy = copyBytes(data);
        this.message(this.binaryType === 'arraybuffer' ? copy.buffer : new Blob([copy]));
      },
      onCompressed: () => {
        // Unreachable: no extension is offered, so the parser refuses RSV1.
      },
      onPing: () => {},
      onPong: () => {},
      onClose: (code, reason, initiatedByPeer) => {
        this.received = { code, reason };
        this.readyState = TestWebSocket.CLOSING;
        // RFC 6455 §5.5.1: "the endpoint MUST send a Close frame in response", as browsers do at once.
        if (initiatedByPeer) this.wire?.echoClose();
      },
      onProtocolError: () => {
        // RFC 6455 §7.1.7 _Fail the WebSocket Connection_: the close frame with the error's code, then the end.
        this.wire?.flushFailure();
        this.fail();
      },
    };
  }

  private message(data: unknown): void {
    if (this.readyState === TestWebSocket.OPEN) this.dispatch({ type: 'message', target: this, data });
  }

  /** The server ended TCP (or the transport failed): clean only after both close frames. */
  private ended(): void {
    if (this.readyState === TestWebSocket.CLOSED) return;
    const clean = this.wire !== null && this.wire.state === 'closed';
    if (!clean) {
      this.finish(1006, '', false);
      return;
    }
    this.finish(this.received?.code ?? Status.NO_STATUS, this.received?.reason ?? '', true);
  }

  /** _Fail the WebSocket Connection_: drop the transport, then `error` and `close` (1006, not clean). */
  private fail(): void {
    this.finish(1006, '', false);
  }

  /** Tears the virtual transport down (the server sees the client go). */
  private drop(): void {
    const subscription = this.subscription;
    this.subscription = null;
    subscription?.unsubscribe();
  }

  private finish(code: number, reason: string, wasClean: boolean): void {
    if (this.readyState === TestWebSocket.CLOSED) return;
    this.readyState = TestWebSocket.CLOSED;
    this.drop();
    if (!wasClean) this.dispatch({ type: 'error', target: this });
    this.dispatch({ type: 'close', target: this, code, reason, wasClean });
  }
}

/** The type of {@link TestServer.WebSocket}: a class constructed like the DOM's `WebSocket`. */
export interface TestWebSocketConstructor {
  new (url: string | URL, protocols?: string | string[]): TestWebSocket;
  /** `readyState` before the handshake completed. */
  readonly CONNECTING: 0;
  /** `readyState` while messages may flow. */
  readonly OPEN: 1;
  /** `readyState` once the close handshake started. */
  readonly CLOSING: 2;
  /** `readyState` once the connection is gone. */
  readonly CLOSED: 3;
}

/**
 * A `WebSocket` class whose sockets connect to `host` (a {@link TestServer}); install it as
 * `globalThis.WebSocket` to test the browser build or DOM code in virtual time.
 */
export function testWebSocketClass(host: TestWebSocketHost): TestWebSocketConstructor {
  return class extends TestWebSocket {
    constructor(url: string | URL, protocols?: string | string[]) {
      super(host, url, protocols);
    }
  };
}
