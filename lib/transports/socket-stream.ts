/**
 * The pieces every Node transport shares: the write side of a socket
 * (`TransportConnection`), wiring a socket's data, error and close to a
 * subscriber, and the cold stream over a connecting net/TLS socket.
 */
import { Observable, type Subscriber, type Unsubscribable } from 'rxjs';
import type { Socket } from 'node:net';
import type { TransportConnection, TransportEvent, TransportTarget } from './transport.js';

/** Swallows errors a socket reports after we stopped listening (a late RST must not crash the process). */
export const ignoreError = (): void => undefined;

/**
 * The error a transport stream fails with: a plain Error carrying Node's message verbatim (e.g.
 * "connect ECONNREFUSED 127.0.0.1:1", "self-signed certificate in certificate chain"), the original as
 * `cause`.
 */
export function transportError(error: unknown): Error {
  // Not `instanceof Error`: errors from another realm (vm contexts, jest) must keep their message too.
  const message = typeof error === 'object' && error !== null && 'message' in error ? String(error.message) : String(error);
  return new Error(message, { cause: error });
}

const EMPTY = new Uint8Array(0);

function uncork(connection: SocketConnection): void {
  connection.corked = false;
  connection.socket.uncork();
}

/** A TransportConnection over a Node socket: one small object, its methods on the prototype. */
class SocketConnection implements TransportConnection {
  /** True while writes are being gathered until the end of the current tick. */
  corked = false;

  constructor(readonly socket: Socket) {}

  /**
   * Writes are gathered per tick: the first write of a tick corks the socket and a `process.nextTick`
   * uncorks it, so that many small messages sent in one go leave in one system call (as Node's own HTTP
   * server does for response chunks) instead of one each.
   */
  write(data: Uint8Array): void {
    const socket = this.socket;
    if (!this.corked) {
      this.corked = true;
      socket.cork();
      process.nextTick(uncork, this);
    }
    socket.write(data);
  }

  destroy(): void {
    this.socket.destroy();
  }

  /** An empty write after the others: Node calls back once they all went to the OS (or with the error that ended the socket). */
  flushed(callback: () => void): void {
    if (!this.socket.writable) callback();
    else this.socket.write(EMPTY, callback);
  }

  get bufferedAmount(): number {
    return this.socket.writableLength;
  }

  get needsDrain(): boolean {
    return this.socket.writableNeedDrain;
  }

  pause(): void {
    this.socket.pause();
  }

  resume(): void {
    this.socket.resume();
  }
}

/** The write side of a Node socket. */
export function socketConnection(socket: Socket): TransportConnection {
  return new SocketConnection(socket);
}

/** The pipe a socket feeds: the listeners below are shared by all sockets and find their pipe here (as ws does). */
const kPipe = Symbol('lomond.pipe');

type PipedSocket = Socket & { [kPipe]?: SocketPipe };

function onSocketData(this: PipedSocket, chunk: Buffer): void {
  this[kPipe]?.subscriber.next({ type: 'data', chunk });
}

function onSocketError(this: PipedSocket, error: Error): void {
  this[kPipe]?.subscriber.error(transportError(error));
}

// 'close' rather than 'end': by then our side's pending writes (an echoed close frame) were flushed.
function onSocketClose(this: PipedSocket): void {
  this[kPipe]?.subscriber.complete();
}

function onSocketDrain(this: PipedSocket): void {
  this[kPipe]?.subscriber.next(DRAIN);
}

const DRAIN: TransportEvent = { type: 'drain' };

function onSocketReady(this: PipedSocket): void {
  this[kPipe]?.ready();
}

/** A socket wired to a subscriber: `data` as it comes, the first error, completion at close. No closures per socket. */
class SocketPipe implements Unsubscribable {
  constructor(
    readonly subscriber: Subscriber<TransportEvent>,
    protected readonly socket: PipedSocket,
  ) {
    socket[kPipe] = this;
    socket.on('data', onSocketData);
    socket.on('error', onSocketError);
    socket.on('close', onSocketClose);
    socket.on('drain', onSocketDrain);
  }

  /** The socket is connected (only for {@link ConnectingSocket}). */
  ready(): void {}

  /** Removes the listeners and destroys the socket. */
  unsubscribe(): void {
    const socket = this.socket;
    socket.off('data', onSocketData);
    socket.off('error', onSocketError);
    socket.off('close', onSocketClose);
    socket.off('drain', onSocketDrain);
    if (socket[kPipe] === this) socket[kPipe] = undefined;
    socket.on('error', ignoreError);
    socket.destroy();
  }
}

/**
 * Forwards a socket's chunks as `data` (the Buffers as they are, no copies), its first error as the
 * stream's error and its close as completion.
 *
 * @returns the teardown: removes the listeners and destroys the socket
 */
export function pipeSocket(subscriber: Subscriber<TransportEvent>, socket: Socket): () => void {
  const pipe = new SocketPipe(subscriber, socket);
  return () => pipe.unsubscribe();
}

/** A connecting socket: writes the upgrade request and emits `open` at `readyEvent`, then pipes. Keeps the request only until it is sent. */
class ConnectingSocket extends SocketPipe {
  constructor(
    subscriber: Subscriber<TransportEvent>,
    socket: Socket,
    private request: Uint8Array | null,
    private readonly readyEvent: 'connect' | 'secureConnect',
    private readonly proxy: string | null,
  ) {
    super(subscriber, socket);
    socket.once(readyEvent, onSocketReady);
  }

  override ready(): void {
    const request = this.request;
    if (request === null) return;
    this.request = null;
    openSocket(this.subscriber, this.socket, request, this.proxy);
  }

  override unsubscribe(): void {
    this.socket.off(this.readyEvent, onSocketReady);
    super.unsubscribe();
  }
}

/**
 * The byte stream is up: sends the upgrade request and emits `open`.
 *
 * @param proxy - the redacted proxy URL, or null
 */
export function openSocket(subscriber: Subscriber<TransportEvent>, socket: Socket, request: Uint8Array, proxy: string | null): void {
  // A createConnection may hand over any Duplex (a Unix socket's has no Nagle to turn off, a test stream no method).
  if (typeof socket.setNoDelay === 'function') socket.setNoDelay(true);
  socket.write(request);
  subscriber.next({ type: 'open', connection: socketConnection(socket), proxy });
}

/**
 * A cold stream over the socket `connect()` returns: once `readyEvent` fires it writes the upgrade request
 * and emits `open`, then every chunk as `data`; it completes when the socket closes and errors with Node's
 * own error (e.g. "connect ECONNREFUSED 127.0.0.1:1") on failure. Unsubscribing destroys the socket at any
 * stage.
 *
 * @param readyEvent - `'connect'` for TCP, `'secureConnect'` for TLS
 * @param proxy - the redacted proxy URL reported in `open`, or null
 */
export function socketStream(target: TransportTarget, connect: () => Socket, readyEvent: 'connect' | 'secureConnect', proxy: string | null = null): Observable<TransportEvent> {
  return new Observable<TransportEvent>((subscriber) => {
    let socket: Socket;
    try {
      socket = connect();
    } catch (error) {
      subscriber.error(transportError(error));
      return;
    }
    return new ConnectingSocket(subscriber, socket, target.request.bytes, readyEvent, proxy);
  });
}
