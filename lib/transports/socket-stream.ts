/**
 * The pieces every Node transport shares: the write side of a socket
 * (`TransportConnection`), wiring a socket's data, error and close to a
 * subscriber, and the cold stream over a connecting net/TLS socket.
 */
import { Observable, type Unsubscribable } from 'rxjs';
import { Socket } from 'node:net';
import { inFramePool, releaseFrameBuffer, takeFrameBuffer } from '../core/frame-pool.js';
import type { ReadHint, TransportConnection, TransportEvent, TransportObserver, TransportTarget } from './transport.js';

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

/**
 * True on Node itself, not on Bun's or Deno's node:net: shared reads and the frame pool rely on Node's exact
 * semantics (`onread`'s buffer asked for after each read and its callback called with the socket as `this`;
 * a write callback once the bytes were handed to the OS or encrypted), verified there only.
 */
export const NODE_SOCKETS = typeof process.versions.bun !== 'string' && typeof process.versions.deno !== 'string';

/** A write at least this long goes to the socket as it is (after what was gathered), never copied. */
const GATHER_LIMIT = 16 * 1024;
/** Capacity of a tick's first gather buffer (small enough to come from Node's pool)… */
const FIRST_GATHER = 1024;
/** …and the most a later one of the same tick grows to (8 times the one before). */
const MAX_GATHER = 64 * 1024;
/** A socket takes frames from the frame pool only while it has less than this queued. */
const POOL_SHARE = 1024 * 1024;

/**
 * The buffer the last `writable(size)` offset of any socket points into: filled by its caller at once, before
 * any other socket is asked (one slot for all sockets instead of a field each).
 */
let room: Uint8Array = EMPTY;

function endTick(connection: SocketConnection): void {
  connection.endTick();
}

/** A write callback that gives a frame pool buffer back (the socket is done with it). */
function releasing(buffer: Uint8Array): () => void {
  return () => releaseFrameBuffer(buffer);
}

/** Bits of {@link SocketConnection}'s `flags` (one field instead of a boolean each). */
const enum Flag {
  /** This tick's end is scheduled (`endTick`). */
  TICK_SCHEDULED = 1,
  /** The socket is corked for the large writes of this tick. */
  CORKED = 2,
  /** The pipe's observer got its error or completion, or the pipe was torn down (see {@link SocketPipe}). */
  DONE = 4,
  /**
   * A node:net socket (TCP, TLS, Unix) on Node: its write callback means the bytes were handed on (to the
   * OS, or encrypted), so a large frame may be built in the frame pool. Not any other Duplex a
   * `createConnection` returns: it may keep the chunks it was given after calling back.
   */
  POOLED = 8,
}

/**
 * A TransportConnection over a Node socket: one small object, its methods on the prototype. A socket piped
 * to an observer is one object for both sides ({@link SocketPipe} extends it).
 */
class SocketConnection implements TransportConnection {
  /** The current tick's gather buffer (null: nothing gathered this tick) and the bytes used in it. */
  private gather: Uint8Array | null = null;
  private used = 0;
  /** Full gather buffers of this tick, in order, before `gather`. */
  private full: Uint8Array[] | null = null;
  private fullBytes = 0;
  /** {@link Flag} bits. */
  protected flags = 0;
  /** Asked before each read of a socket that reads into the shared buffer (see {@link SharedReads}). */
  readHint: ReadHint | null = null;
  constructor(readonly socket: Socket) {
    if (NODE_SOCKETS && socket instanceof Socket) this.flags = Flag.POOLED;
  }

  /**
   * Small writes are gathered per tick into one buffer that leaves in one `socket.write` at the end of the
   * tick (`process.nextTick`): many small messages sent in one go cost one write request and one system call
   * instead of one each (corking the socket would still queue one request per write). A large write first
   * flushes what was gathered, then goes to the socket as it is, uncopied; the socket is corked until the
   * end of the tick, so that the large writes of one tick leave in one `writev`. The order always holds.
   */
  write(data: Uint8Array): void {
    if (data.length >= GATHER_LIMIT) {
      this.beforeLargeWrite();
      this.socket.write(data);
      return;
    }
    const at = this.gathered(data.length);
    room.set(data, at);
  }

  /** A large write comes next: what was gathered goes first, and the socket stays corked until the end of the tick. */
  private beforeLargeWrite(): void {
    this.flush();
    if ((this.flags & Flag.CORKED) === 0) {
      this.flags |= Flag.CORKED;
      this.socket.cork();
      this.scheduleTickEnd();
    }
  }

  /** True while this socket may take from the frame pool: a node:net socket on Node, open, with less than {@link POOL_SHARE} queued. */
  private mayPool(): boolean {
    const socket = this.socket;
    return (this.flags & Flag.POOLED) !== 0 && !socket.destroyed && socket.writableLength < POOL_SHARE;
  }

  private scheduleTickEnd(): void {
    if ((this.flags & Flag.TICK_SCHEDULED) !== 0) return;
    this.flags |= Flag.TICK_SCHEDULED;
    process.nextTick(endTick, this);
  }

  /** The end of the tick: what was gathered goes to the socket, and the socket is uncorked. */
  endTick(): void {
    this.flags &= ~Flag.TICK_SCHEDULED;
    this.flush();
    if ((this.flags & Flag.CORKED) !== 0) {
      this.flags &= ~Flag.CORKED;
      this.socket.uncork();
    }
  }

  /**
   * Room for `size` bytes, in order after every write before: the offset in {@link writableBuffer} where the
   * caller writes them at once. Below {@link GATHER_LIMIT} at the end of this tick's gathered bytes; from there
   * on a frame pool buffer already queued on the corked socket (the caller fills it before the tick ends),
   * released when the socket is done with it; -1 when the pool has no room.
   */
  writable(size: number): number {
    return size >= GATHER_LIMIT ? this.pooledRoom(size) : this.gathered(size);
  }

  /** The buffer the offset the last {@link writable} call returned points into. */
  get writableBuffer(): Uint8Array {
    return room;
  }

  /** Room for `size` bytes (below {@link GATHER_LIMIT}) at the end of this tick's gathered bytes: its offset in `room`. */
  private gathered(size: number): number {
    let gather = this.gather;
    if (gather === null) {
      gather = this.gather = this.newGather(Math.max(FIRST_GATHER, size));
      this.used = 0;
      this.scheduleTickEnd();
    } else if (this.used + size > gather.length) {
      // Full: keep it as it is and go on in a larger one (no copying of what was gathered).
      (this.full ??= []).push(gather.subarray(0, this.used));
      this.fullBytes += this.used;
      gather = this.gather = this.newGather(Math.max(size, Math.min(MAX_GATHER, 8 * gather.length)));
      this.used = 0;
    }
    const at = this.used;
    this.used = at + size;
    room = gather;
    return at;
  }

  /**
   * A gather buffer: from the frame pool where this socket may take from it (no allocation, and the frames
   * gathered there are masked in place), else allocated.
   */
  private newGather(size: number): Uint8Array {
    return (this.mayPool() ? takeFrameBuffer(size) : null) ?? Buffer.allocUnsafe(size);
  }

  private pooledRoom(size: number): number {
    // A socket with a megabyte queued (a slow or stalled peer) leaves the pool to the others.
    const pooled = this.mayPool() ? takeFrameBuffer(size) : null;
    if (pooled === null) return -1;
    this.beforeLargeWrite();
    // Corked: the socket only buffers the reference until the end of the tick, by when the caller filled it.
    this.socket.write(pooled, releasing(pooled));
    room = pooled;
    return 0;
  }

  /** Hands what was gathered to the socket, in order. */
  flush(): void {
    const gather = this.gather;
    const full = this.full;
    if (gather === null && full === null) return;
    const used = this.used;
    this.gather = null;
    this.full = null;
    this.used = 0;
    this.fullBytes = 0;
    if (full !== null) for (const buffer of full) this.hand(buffer);
    if (gather !== null) this.hand(gather.subarray(0, used));
  }

  /** Writes gathered bytes (nothing when empty or the socket is gone); a frame pool buffer goes back once written. */
  private hand(bytes: Uint8Array): void {
    const socket = this.socket;
    const pooled = inFramePool(bytes);
    if (socket.destroyed || bytes.length === 0) {
      if (pooled) releaseFrameBuffer(bytes);
    } else if (pooled) socket.write(bytes, releasing(bytes));
    else socket.write(bytes);
  }

  destroy(): void {
    this.socket.destroy();
  }

  /** An empty write after the others: Node calls back once they all went to the OS (or with the error that ended the socket). */
  flushed(callback: () => void): void {
    this.flush();
    if (!this.socket.writable) callback();
    else this.socket.write(EMPTY, callback);
  }

  get bufferedAmount(): number {
    return this.socket.writableLength + this.fullBytes + this.used;
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

/** Size of the buffer every shared-read socket reads into. */
const READ_SIZE = 64 * 1024;
/** The one buffer all shared-read sockets read into, in turn: each read is handled before the next one starts. */
let sharedBuffer: Buffer | null = null;
/**
 * Reads that want memory of their own fill a slab, one after the other (whichever socket reads): one
 * allocation per 256 KiB received instead of one per read, and a read may take up to what is left of it.
 * Each chunk is a view of its part; the slab lives as long as any of them (a message kept as it came keeps
 * its slab: at most 256 KiB, as a Buffer from Node's pool keeps its 8 KiB).
 */
const SLAB_SIZE = 256 * 1024;
/** A read goes into a fresh slab when less than this is left of the current one. */
const MIN_SLAB_READ = 16 * 1024;
let slab: Buffer | null = null;
/** Bytes of the slab already read into. */
let slabUsed = 0;

function slabRoom(): Buffer {
  if (slab === null || slab.length - slabUsed < MIN_SLAB_READ) {
    slab = Buffer.allocUnsafeSlow(SLAB_SIZE);
    slabUsed = 0;
  }
  return slab.subarray(slabUsed);
}

/**
 * node:net's `onread` for a socket that reads into one buffer shared by all such sockets, instead of a new
 * allocation per read (and without the Readable stream's machinery between the read and us). libuv reads one
 * socket at a time and our callback handles the chunk before returning, so the chunk goes out marked
 * `transient`: whatever outlives the call is copied (see ClientProtocol.receive). While a large payload is
 * arriving, the protocol prefers chunks it can keep as they are: the next read then goes into the next part of
 * a slab (memory no other read reuses), or, once the message's own buffer exists, straight into it
 * (`readTarget`: no copy at all). node:net asks for the next buffer right after our callback returned, for
 * the same socket (node:net's onStreamRead calls `callback` then `buffer` in one go, on Node 20 to 26), so
 * the hint always sees the state after the chunk, and the callback can tell `buffer` whose read it was
 * (`buffer` is called without a `this`): one `SHARED_READS` object and no closure for all sockets. `buffer`
 * is also called once when the socket's handle is made, before any read: the shared buffer then.
 */
export interface SharedReads {
  /** Where the next read goes (node:net calls it before each read). */
  readonly buffer: () => Uint8Array;
  /** node:net calls it with the socket as `this` after each read; true: read on (pausing is the pipe's `pause()`). */
  readonly callback: (this: Socket, bytes: number, buffer: Uint8Array) => boolean;
}

/** The pipe whose socket just read: set by the read callback, taken by the `buffer` call that follows it. */
let justRead: SocketConnection | null = null;

/** The buffer the next read goes into: the connection of the socket that just read says, through its `readHint`. */
function nextReadBuffer(): Uint8Array {
  const connection = justRead;
  justRead = null;
  const hint = connection?.readHint;
  if (hint != null && hint.prefersOwnedChunks) return hint.readTarget() ?? slabRoom();
  return (sharedBuffer ??= Buffer.allocUnsafe(READ_SIZE));
}

function onSharedRead(this: PipedSocket, bytes: number, buffer: Uint8Array): boolean {
  if (slab !== null && buffer.buffer === slab.buffer) slabUsed += bytes; // before anything else can read into it
  const pipe = this[kPipe];
  if (pipe === undefined) return true;
  const chunk = buffer.subarray(0, bytes);
  pipe.data(chunk, buffer === sharedBuffer);
  justRead = pipe; // for the `buffer` call node:net makes next (after the chunk was handled)
  return true;
}

/** The `onread` option of every shared-read socket (node:net keeps its two functions, not the object). */
const SHARED_READS: SharedReads = { buffer: nextReadBuffer, callback: onSharedRead };

/** The pipe a socket feeds: the listeners below are shared by all sockets and find their pipe here (as ws does). */
const kPipe = Symbol('lomond.pipe');

type PipedSocket = Socket & { [kPipe]?: SocketPipe };

function onSocketData(this: PipedSocket, chunk: Buffer): void {
  this[kPipe]?.data(chunk, false);
}

function onSocketError(this: PipedSocket, error: Error): void {
  this[kPipe]?.fail(transportError(error));
}

// 'close' rather than 'end': by then our side's pending writes (an echoed close frame) were flushed.
function onSocketClose(this: PipedSocket): void {
  this[kPipe]?.closed();
}

function onSocketDrain(this: PipedSocket): void {
  this[kPipe]?.next(DRAIN);
}

const DRAIN: TransportEvent = { type: 'drain' };

function onSocketReady(this: PipedSocket): void {
  this[kPipe]?.ready();
}

/**
 * A socket wired to an observer: `data` as it comes, the first error, completion at close — once: nothing
 * after the end (the observer may be the pipeline's head itself, with no RxJS subscriber to guard it). No
 * closures per socket. It is the socket's write side too ({@link openSocket} hands it out as the connection).
 */
class SocketPipe extends SocketConnection implements Unsubscribable {
  constructor(
    readonly observer: TransportObserver,
    socket: PipedSocket,
  ) {
    super(socket);
    socket[kPipe] = this;
    socket.on('data', onSocketData);
    socket.on('error', onSocketError);
    socket.on('close', onSocketClose);
    socket.on('drain', onSocketDrain);
  }

  /** The socket is connected (only for {@link ConnectingSocket}). */
  ready(): void {}

  next(event: TransportEvent): void {
    if ((this.flags & Flag.DONE) === 0) this.observer.next(event);
  }

  /** A chunk read: to the observer's `data` where it has one (no event object per read), else as a `data` event. */
  data(chunk: Uint8Array, transient: boolean): void {
    if ((this.flags & Flag.DONE) !== 0) return;
    const observer = this.observer;
    if (observer.data !== undefined) observer.data(chunk, transient);
    else observer.next(transient ? { type: 'data', chunk, transient: true } : { type: 'data', chunk });
  }

  fail(error: Error): void {
    if ((this.flags & Flag.DONE) !== 0) return;
    this.flags |= Flag.DONE;
    this.observer.error(error);
  }

  /** The socket closed: the observer completes. (Not `TransportConnection.end`: a plain socket does not half-close.) */
  closed(): void {
    if ((this.flags & Flag.DONE) !== 0) return;
    this.flags |= Flag.DONE;
    this.observer.complete();
  }

  /** Removes the listeners and destroys the socket. */
  unsubscribe(): void {
    this.flags |= Flag.DONE;
    const socket: PipedSocket = this.socket;
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
export function pipeSocket(subscriber: TransportObserver, socket: Socket): () => void {
  const pipe = new SocketPipe(subscriber, socket);
  return () => pipe.unsubscribe();
}

/** What a connecting socket sends and reports once connected. */
interface PendingOpen {
  readonly request: Uint8Array;
  readonly proxy: string | null;
}

/** A connecting socket: writes the upgrade request and emits `open` once connected, then pipes. Keeps the request only until it is sent. */
class ConnectingSocket extends SocketPipe {
  private pending: PendingOpen | null;

  constructor(observer: TransportObserver, socket: Socket, request: Uint8Array, readyEvent: 'connect' | 'secureConnect', proxy: string | null) {
    super(observer, socket);
    this.pending = { request, proxy };
    socket.once(readyEvent, onSocketReady);
  }

  override ready(): void {
    const pending = this.pending;
    if (pending === null) return;
    this.pending = null;
    openSocket(this.observer, this.socket, pending.request, pending.proxy);
  }

  override unsubscribe(): void {
    // Whichever event it waits for (no field to remember it): removing a listener that is not there does nothing.
    this.socket.off('connect', onSocketReady);
    this.socket.off('secureConnect', onSocketReady);
    super.unsubscribe();
  }
}

/**
 * The byte stream is up: sends the upgrade request and emits `open`. The connection is the socket's pipe
 * when it has one (one object for both sides), else a connection of its own.
 *
 * @param proxy - the redacted proxy URL, or null
 */
export function openSocket(subscriber: TransportObserver, socket: Socket, request: Uint8Array, proxy: string | null): void {
  // A createConnection may hand over any Duplex (a Unix socket's has no Nagle to turn off, a test stream no method).
  if (typeof socket.setNoDelay === 'function') socket.setNoDelay(true);
  socket.write(request);
  const connection = (socket as PipedSocket)[kPipe] ?? new SocketConnection(socket);
  subscriber.next({ type: 'open', connection, proxy });
}

/**
 * A cold stream over the socket `connect()` returns: once `readyEvent` fires it writes the upgrade request
 * and emits `open`, then every chunk as `data`; it completes when the socket closes and errors with Node's
 * own error (e.g. "connect ECONNREFUSED 127.0.0.1:1") on failure. Unsubscribing destroys the socket at any
 * stage.
 *
 * @param connect - makes the socket; given a {@link SharedReads} when `sharedRead` is set (pass it as `onread`)
 * @param readyEvent - `'connect'` for TCP, `'secureConnect'` for TLS
 * @param proxy - the redacted proxy URL reported in `open`, or null
 * @param sharedRead - the socket reads into the shared buffer (node:net sockets only: `onread`)
 */
export function socketStream(
  target: TransportTarget,
  connect: (reads: SharedReads | null) => Socket,
  readyEvent: 'connect' | 'secureConnect',
  proxy: string | null = null,
  sharedRead = false,
): Observable<TransportEvent> {
  return new Observable<TransportEvent>((subscriber) => connectSocket(target, connect, readyEvent, proxy, sharedRead, subscriber) ?? undefined);
}

/**
 * {@link socketStream} straight to an observer, without an Observable: returns the teardown, or null when
 * `connect()` threw (the observer then got the error).
 */
export function connectSocket(
  target: TransportTarget,
  connect: (reads: SharedReads | null) => Socket,
  readyEvent: 'connect' | 'secureConnect',
  proxy: string | null,
  sharedRead: boolean,
  observer: TransportObserver,
): Unsubscribable | null {
  let socket: Socket;
  try {
    socket = connect(sharedRead ? SHARED_READS : null);
  } catch (error) {
    observer.error(transportError(error));
    return null;
  }
  return new ConnectingSocket(observer, socket, target.request.bytes, readyEvent, proxy);
}
