/**
 * TestConnection: one client connection to a {@link TestServer}. Everything
 * the server sends reaches the client through the scheduler (after `latency`
 * virtual ms, 0 by default), never synchronously, so reentrancy behaves as
 * with a real socket. What the client sends is decoded and recorded.
 */
import type { SchedulerLike, Subscriber } from 'rxjs';
import { Opcode } from '../core/opcode.js';
import { portableAcceptFor } from '../core/sha1.js';
import type { TransportConnection, TransportEvent, TransportTarget } from '../transports/transport.js';
import { ClientFrameReader, type ClientFrame } from './client-frame-reader.js';
import { bytesOf, closePayload, serverFrame, type ServerFrameOptions } from './server-frames.js';

/** Behaviour switches of a test connection. */
export interface TestConnectionOptions {
  /** Answer pings with pongs (default true). */
  autoPong?: boolean;
  /** Answer the client's close with a close frame, then end TCP (default true). */
  autoClose?: boolean;
  /** Send every text/binary message back (default false). */
  echo?: boolean;
  /** Virtual ms between a server action and the client receiving it (default 0). */
  latency?: number;
}

/** A recorded client frame with the virtual time it arrived. */
export interface RecordedFrame extends ClientFrame {
  /** The virtual time (`scheduler.now()`) the frame arrived at the server. */
  readonly time: number;
}

/** Where the connection stands, from the server's side. */
export type TestConnectionState = 'handshake' | 'open' | 'rejected' | 'closed';

const decoder = new TextDecoder();

/** One client connection, scripted from the test. */
export class TestConnection {
  /** Where the connection stands: `'handshake'` until accepted or rejected, then `'open'` (later `'closed'`) or `'rejected'`. */
  state: TestConnectionState = 'handshake';
  /** Frames the client sent, in order. */
  readonly frames: RecordedFrame[] = [];
  /** True once the client ended or destroyed its side. */
  clientClosed = false;
  /** The close frame the server sent, if any. */
  private serverCloseSent = false;
  private readonly reader = new ClientFrameReader();
  /** This connection's behaviour switches (a copy of the server's; change them per connection). */
  readonly options: TestConnectionOptions;
  /** True while the client paused reading (backpressure): what the server sends waits. */
  clientPaused = false;
  /** Deliveries that arrived while the client was paused, in order. */
  private held: Array<() => void> = [];

  constructor(
    private readonly scheduler: SchedulerLike,
    /** What the client asked for (URL, upgrade request). */
    readonly target: TransportTarget,
    private readonly subscriber: Subscriber<TransportEvent>,
    options: TestConnectionOptions,
  ) {
    this.options = { ...options };
  }

  /** The client's upgrade request header value (case-insensitive), or undefined. */
  requestHeader(name: string): string | undefined {
    const lower = name.toLowerCase();
    return this.target.request.headers.find(([key]) => key.toLowerCase() === lower)?.[1];
  }

  /** @internal Opens the virtual socket; answers the upgrade when `autoAccept`. */
  start(autoAccept: boolean): void {
    const connection: TransportConnection = {
      write: (data) => this.receive(data),
      destroy: () => this.clientEnded(),
      bufferedAmount: 0,
      pause: () => {
        this.clientPaused = true;
      },
      resume: () => this.clientResumed(),
    };
    this.deliver(() => this.subscriber.next({ type: 'open', connection, proxy: null }));
    if (autoAccept) this.accept();
  }

  private deliver(action: () => void): void {
    this.scheduler.schedule(() => {
      if (this.subscriber.closed) return;
      if (this.clientPaused || this.held.length > 0) this.held.push(action);
      else action();
    }, this.options.latency ?? 0);
  }

  /** The client reads again: what waited is delivered, in order, on the scheduler's next turn. */
  private clientResumed(): void {
    this.clientPaused = false;
    this.scheduler.schedule(() => {
      while (!this.clientPaused && this.held.length > 0 && !this.subscriber.closed) this.held.shift()!();
    }, 0);
  }

  /** Sends raw bytes to the client. */
  sendRaw(bytes: Uint8Array): void {
    this.deliver(() => this.subscriber.next({ type: 'data', chunk: bytes }));
  }

  /** Completes the handshake with 101 (optionally choosing a protocol, extensions, extra headers). */
  accept(options: { protocol?: string; extensions?: string; headers?: Record<string, string>; accept?: string } = {}): void {
    const key = this.requestHeader('sec-websocket-key') ?? '';
    const lines = ['HTTP/1.1 101 Switching Protocols', 'Upgrade: websocket', 'Connection: Upgrade', `Sec-WebSocket-Accept: ${options.accept ?? portableAcceptFor(key)}`];
    if (options.protocol !== undefined) lines.push(`Sec-WebSocket-Protocol: ${options.protocol}`);
    if (options.extensions !== undefined) lines.push(`Sec-WebSocket-Extensions: ${options.extensions}`);
    for (const [name, value] of Object.entries(options.headers ?? {})) lines.push(`${name}: ${value}`);
    this.state = 'open';
    this.sendRaw(bytesOf(lines.join('\r\n') + '\r\n\r\n'));
  }

  /** Answers the upgrade with an HTTP error, then ends the connection. */
  reject(statusCode = 403, status = 'Forbidden', headers: Record<string, string> = {}, body = ''): void {
    const lines = [`HTTP/1.1 ${statusCode} ${status}`, `Content-Length: ${bytesOf(body).length}`];
    for (const [name, value] of Object.entries(headers)) lines.push(`${name}: ${value}`);
    this.state = 'rejected';
    this.sendRaw(bytesOf(lines.join('\r\n') + '\r\n\r\n' + body));
    this.drop();
  }

  /** Sends one frame (unmasked unless `options.maskKey`; never validated: malformed frames are allowed). */
  sendFrame(opcode: number, payload: string | Uint8Array = '', options?: ServerFrameOptions): void {
    this.sendRaw(serverFrame(opcode, payload, options));
  }

  /** Sends a close frame (any code, even invalid ones; omit the code for an empty payload). */
  sendClose(code?: number, reason: string | Uint8Array = ''): void {
    this.serverCloseSent = true;
    this.sendRaw(serverFrame(Opcode.CLOSE, closePayload(code, reason)));
  }

  /** Ends the TCP stream (the client sees EOF). */
  drop(): void {
    this.deliver(() => {
      this.state = 'closed';
      this.subscriber.complete();
    });
  }

  /** Fails the TCP stream with a socket error (e.g. "read ECONNRESET"). */
  fail(message = 'read ECONNRESET'): void {
    this.deliver(() => {
      this.state = 'closed';
      this.subscriber.error(new Error(message));
    });
  }

  /** Text of every text message the client sent (unfragmented frames). */
  get texts(): string[] {
    return this.frames.filter((f) => f.opcode === Opcode.TEXT).map((f) => decoder.decode(f.payload));
  }

  /** Close code the client sent, or null / undefined (no close yet). */
  get clientCloseCode(): number | null | undefined {
    const close = this.frames.find((f) => f.opcode === Opcode.CLOSE);
    if (!close) return undefined;
    return close.payload.length >= 2 ? (close.payload[0]! << 8) | close.payload[1]! : null;
  }

  /** @internal The client went away (unsubscribed, destroyed or ended). */
  clientGone(): void {
    this.clientClosed = true;
    if (this.state !== 'rejected') this.state = 'closed';
  }

  private clientEnded(): void {
    this.clientClosed = true;
    this.drop();
  }

  private receive(data: Uint8Array): void {
    if (this.clientClosed) return;
    const time = this.scheduler.now();
    for (const frame of this.reader.push(data)) {
      this.frames.push({ ...frame, time });
      this.react(frame);
    }
  }

  private react(frame: ClientFrame): void {
    switch (frame.opcode) {
      case Opcode.PING:
        if (this.options.autoPong ?? true) this.sendFrame(Opcode.PONG, frame.payload);
        return;
      case Opcode.CLOSE:
        if (this.serverCloseSent) {
          this.drop(); // RFC 6455 §7.1.1: the server closes TCP once both close frames passed
        } else if (this.options.autoClose ?? true) {
          this.sendRaw(serverFrame(Opcode.CLOSE, frame.payload));
          this.serverCloseSent = true;
          this.drop();
        }
        return;
      case Opcode.TEXT:
      case Opcode.BINARY:
        if (this.options.echo) this.sendFrame(frame.opcode, frame.payload);
        return;
    }
  }
}
