/**
 * Connection: the state of one live connection, shared by a session's
 * pipeline stages and by the WebSocket object that sends through it. It owns
 * the transport's write side (and is the outbox in front of it, outbox.ts),
 * the {@link ClientProtocol} and the permessage-deflate streams once the
 * handshake is done, and a control
 * channel through which out-of-band actions (close, forceDisconnect) enter
 * the pipeline's head in order.
 *
 * The connection layer: the state one connection's stages and its
 * WebSocket object share (connection.ts; native-connection.ts for the
 * browser), the signals the stages pass (signals.ts), its settings, and the
 * Node adapters the pure core is given (node-platform.ts, handshake-keys.ts).
 * May import: compression/, transports/ (types), scheduling/, events/,
 * core/; never pipeline/, session/ or above.
 */
import { Observable, type Unsubscribable } from 'rxjs';
import { ClientProtocol, type ProtocolHandler } from '../core/protocol.js';
import type { DeflateParams } from '../core/deflate-params.js';
import { WebSocketClosedError, WebSocketClosingError, WebSocketError, WebSocketUnavailableError } from '../core/errors.js';
import { buildClosePayload } from '../core/close.js';
import { events, type Closed, type ConnectFail, type Disconnected } from '../events/events.js';
import type { TransportConnection } from '../transports/transport.js';
import { allocUnsafe, bufferCodec, bufferView, createMaskKeySource, isUtf8 } from './node-platform.js';
import { PerMessageDeflate, type DeflateTuning } from '../compression/permessage-deflate.js';
import { pingSent, type PendingPing, type PingState } from './ping-tracker.js';
import { Outbox, type Slot } from './outbox.js';
import { DrainWaiters } from './drain-waiters.js';
import type { ConnectionSettings } from './settings.js';
import { CLOSE_SENT, type Signals } from './signals.js';

/** Where a connection stands. */
export type Phase = 'connecting' | 'handshake' | 'open' | 'ended';

/** Size limits and feature switches a connection needs from WebSocketOptions. */
export interface ConnectionLimits {
  readonly maxPayload: number;
  readonly maxMessageSize: number;
  readonly compress: boolean;
  /** How our deflater runs once permessage-deflate is negotiated (threshold, level, memLevel). */
  readonly deflateTuning?: DeflateTuning;
}

/** Where a session ends from outside its operator pipeline (an internal error). */
export interface SessionEnd {
  /** Emits `final`, completes and tears the pipeline down, whatever state the operators are in. */
  abort(final: Disconnected | ConnectFail): void;
}

/** Why reading from the transport is paused (bits: reading resumes when none is left). */
export const enum ReadPause {
  /** The pipeline holds more than {@link RECEIVE_HIGH_WATER_MARK} bytes (inflating). */
  PIPELINE = 1,
  /** The application called `pause()`. */
  APP = 2,
}

/** Every {@link ReadPause} bit. */
const READ_PAUSES = ReadPause.PIPELINE | ReadPause.APP;

/** The connection's flags, kept above the {@link ReadPause} bits in the same field. */
const enum Flag {
  CLOSE_STARTED = 4,
  CLOSE_REQUESTED = 8,
  /** Our close frame left the outbox after waiting there, during the flush under way (see outboxProgressed). */
  CLOSE_LEFT_OUTBOX = 16,
}

/** The limits most connections use (the defaults, no compression): one object for them all. */
let defaultLimits: ConnectionLimits | null = null;

/**
 * Limits to give a {@link Connection}: the same object for every connection with the default limits and no
 * compression (each connection keeps its limits for its lifetime).
 *
 * @param defaults - the default maxPayload and maxMessageSize
 */
export function sharedLimits(limits: ConnectionLimits, defaults: { readonly maxPayload: number; readonly maxMessageSize: number }): ConnectionLimits {
  if (limits.compress || limits.deflateTuning !== undefined || limits.maxPayload !== defaults.maxPayload || limits.maxMessageSize !== defaults.maxMessageSize) {
    return limits;
  }
  return (defaultLimits ??= { maxPayload: defaults.maxPayload, maxMessageSize: defaults.maxMessageSize, compress: false });
}

/**
 * Receive backpressure: once more than this many received bytes wait in the pipeline (compressed messages
 * queued behind one that zlib is inflating), reading from the socket pauses, so TCP pushes back on the
 * server; it resumes when at most {@link RECEIVE_LOW_WATER_MARK} bytes are left.
 */
export const RECEIVE_HIGH_WATER_MARK = 1024 * 1024;
/** See {@link RECEIVE_HIGH_WATER_MARK}. */
export const RECEIVE_LOW_WATER_MARK = 256 * 1024;

const nextMaskKey = createMaskKeySource();
const EMPTY = new Uint8Array(0);


/**
 * One connection's shared state. It is the connection's {@link Outbox} too (one object less per connection):
 * the frames its protocol writes keep their order here on their way to `transport`.
 */
export class Connection extends Outbox implements ConnectionLimits, PingState {
  phase: Phase = 'connecting';
  protocol: ClientProtocol | null = null;
  /** `scheduler.now()` when our close frame was handed to the transport, or null (not yet: it may wait behind compressed messages). */
  sentCloseTime: number | null = null;
  /** The head of the operator pipeline: out-of-band batches (close sent, forced end) enter here, in order; the session's end tears the pipeline down from here. */
  input: { next(batch: Signals): void; tearDown(): void } | null = null;
  /** permessage-deflate, both directions, once negotiated (created with the protocol at `ready`). */
  compression: PerMessageDeflate<Slot> | null = null;
  /** Who waits in `drain$()` for `bufferedAmount` to fall: created at the first `drain$()` (most connections never call it). */
  private drainWaiters: DrainWaiters | null = null;
  /** `scheduler.now()` when bytes last arrived from the server (liveness for `pingTimeout`). */
  lastReceived = 0;
  /** Our pings waiting for their pong, for the round-trip times (`pong.rtt`, `latency`): see ping-tracker.ts. */
  pendingPings: PendingPing[] | null = null;
  /** The counter of the last keepalive ping's payload (see ping-tracker.ts). */
  pingCounter = 0;
  /** The last ping round trip measured (ms), or null before the first. */
  latency: number | null = null;
  /** `scheduler.now()` when reading last resumed after a pause (0 if never). */
  readResumedAt = 0;
  /** Why reading is paused ({@link ReadPause} bits, 0 while reading) and the {@link Flag} bits: one field. */
  private bits = 0;
  /** Where the session ends from outside the pipeline; set by the session. */
  end: SessionEnd | null = null;
  /** The polls and pings of the open connection (pipeline/keepalive.ts): stopped when it is disposed. */
  keepalive: Unsubscribable | null = null;
  /** `closed`, held while our close frame still waits in the outbox (see {@link closedNow}), or null. */
  private heldClosed: Closed | null = null;

  /** @param limits - kept as it is (connections with the same limits may share one object, see {@link sharedLimits}) */
  constructor(
    readonly options: ConnectionSettings,
    private readonly limits: ConnectionLimits,
  ) {
    super();
  }

  get maxPayload(): number {
    return this.limits.maxPayload;
  }

  get maxMessageSize(): number {
    return this.limits.maxMessageSize;
  }

  /** True when permessage-deflate is offered. */
  get compress(): boolean {
    return this.limits.compress;
  }

  get deflateTuning(): DeflateTuning | undefined {
    return this.limits.deflateTuning;
  }

  /** True once a close frame is out or about to be (the close-handshake timer runs from the next batch). */
  get closeStarted(): boolean {
    return (this.bits & Flag.CLOSE_STARTED) !== 0;
  }

  set closeStarted(value: boolean) {
    this.bits = value ? this.bits | Flag.CLOSE_STARTED : this.bits & ~Flag.CLOSE_STARTED;
  }

  /** True once the application asked to close (the close frame may still wait behind compressed messages). */
  get closeRequested(): boolean {
    return (this.bits & Flag.CLOSE_REQUESTED) !== 0;
  }

  set closeRequested(value: boolean) {
    this.bits = value ? this.bits | Flag.CLOSE_REQUESTED : this.bits & ~Flag.CLOSE_REQUESTED;
  }

  /** The scheduler's clock: every event's `receivedTime`. */
  now(): number {
    return this.options.scheduler.now();
  }

  /** The transport is up: bytes can be written. */
  attach(transport: TransportConnection): void {
    this.transport = transport;
    this.phase = 'handshake';
  }

  /**
   * The handshake succeeded: from now on frames flow through `protocol` (and `compression`, when negotiated).
   *
   * @param deflate - the negotiated permessage-deflate parameters, or null
   */
  open(handler: ProtocolHandler, deflate: DeflateParams | null): ClientProtocol {
    // The transport is attached before any response can arrive, so a handshake never completes without one.
    const transport = this.transport;
    if (transport === null) throw new Error('handshake completed without a transport');
    // Frames go out through this connection's own outbox (see outbox.ts).
    const protocol = (this.protocol = new ClientProtocol(handler, {
      maxPayload: this.maxPayload,
      maxMessageSize: this.maxMessageSize,
      compression: deflate !== null,
      autoPong: this.options.autoPong,
      maskKey: nextMaskKey,
      output: this,
      alloc: allocUnsafe,
      view: bufferView,
      codec: bufferCodec,
      isUtf8,
    }));
    // A transport reading into a shared buffer asks the protocol which chunks it had better own.
    if ('readHint' in transport) transport.readHint = protocol;
    if (deflate !== null) {
      this.compression = new PerMessageDeflate(deflate, protocol, this, {
        ...this.deflateTuning,
        maxMessageSize: this.maxMessageSize,
        onInternalError: (error) => this.internalError(error),
      });
    }
    this.phase = 'open';
    return protocol;
  }

  /**
   * The session ended: frees what the connection holds beyond its state (zlib streams, frames still held),
   * and whoever waits in `drain$()` learns that the bytes will never leave.
   */
  dispose(): void {
    this.keepalive?.unsubscribe();
    this.compression?.close();
    this.clear();
    this.drainWaiters?.end();
  }

  /** True while the open connection runs permessage-deflate. */
  get supportsCompression(): boolean {
    return this.compression !== null && this.phase === 'open';
  }

  /** True while messages can be sent. */
  get isActive(): boolean {
    return this.phase === 'open' && this.protocol !== null && this.protocol.state === 'open';
  }

  /** True once the close handshake started and before the connection ended. */
  get isClosing(): boolean {
    return this.phase === 'open' && this.protocol !== null && this.protocol.state === 'closing';
  }

  /** The protocol, if sending data is allowed now; else the SPEC error. */
  sendingProtocol(): ClientProtocol {
    const protocol = this.protocol;
    if (this.phase === 'ended') throw new WebSocketClosedError('websocket is closed');
    if (this.phase !== 'open' || protocol === null) throw new WebSocketUnavailableError('websocket is not connected');
    if (protocol.isCloseSent) {
      if (protocol.state === 'closing') throw new WebSocketClosingError('websocket is closing');
      throw new WebSocketClosedError('websocket is closed');
    }
    if (!protocol.canSendData) throw new WebSocketClosedError('websocket is closed');
    return protocol;
  }

  /** Sends a text message, compressed when negotiated and wanted. */
  sendText(text: string, compress?: boolean): void {
    const protocol = this.sendingProtocol();
    if (this.compression !== null) this.compression.sender.sendText(text, compress);
    else protocol.sendText(text);
  }

  /** Sends a binary message, compressed when negotiated and wanted. */
  sendBinary(data: Uint8Array, compress?: boolean): void {
    const protocol = this.sendingProtocol();
    if (this.compression !== null) this.compression.sender.sendBinary(data, compress);
    else protocol.sendBinary(data);
  }

  /** Sends a ping, remembered so that its pong gives the round-trip time (pings go ahead of queued messages). */
  sendPing(data: Uint8Array = EMPTY): void {
    this.sendingProtocol().sendPing(data);
    pingSent(this, data, this.now());
  }

  /** Sends a pong (ahead of queued messages). */
  sendPong(data?: Uint8Array): void {
    this.sendingProtocol().sendPong(data);
  }

  /**
   * Starts the close handshake; the close timer starts with it. The close frame takes its place after every
   * message sent before it (it never overtakes one being compressed).
   *
   * @throws TypeError / RangeError for a code not allowed on the wire or a reason over 123 bytes
   */
  close(code: number, reason: string): void {
    buildClosePayload(code, reason);
    const protocol = this.sendingProtocol();
    this.closeRequested = true;
    protocol.sendClose(code, reason); // the outbox notes the time when the frame leaves (behind compressed messages)
    this.closeStarted = true;
    this.input?.next([CLOSE_SENT]);
  }

  // -- a message sent in fragments (sendStream) ------------------------------

  /**
   * Starts a message sent in fragments: messages sent meanwhile wait behind it (see outbox.ts).
   *
   * @throws the SPEC errors when data cannot be sent; Error when a message is already being streamed
   */
  startStream(): void {
    this.sendingProtocol();
    if (this.streaming) throw new WebSocketError('a message is already being streamed on this connection');
    this.holdForStream();
  }

  /** One fragment of the streamed message (`first` carries the opcode, `fin` ends it); copies `data`. */
  sendFragment(opcode: number, data: Uint8Array, first: boolean, fin: boolean): void {
    const frame = this.sendingProtocol().encodeFragment(opcode, data, first, fin);
    this.writeFragment(frame);
    if (fin) this.releaseStream();
  }

  // -- backpressure -----------------------------------------------------------

  /** Emits once and completes when `bufferedAmount <= lowWaterMark`; errors if the connection ends first. */
  drain$(lowWaterMark: number): Observable<void> {
    return new Observable<void>((subscriber) => {
      let waiters = this.drainWaiters;
      if (waiters === null) {
        waiters = this.drainWaiters = new DrainWaiters(this);
        if (this.phase === 'ended') waiters.end();
      }
      return waiters.add(lowWaterMark, subscriber);
    });
  }

  /** True once both close frames are through: the peer's received, ours handed to the transport (not just queued). */
  get closeExchanged(): boolean {
    return this.protocol?.state === 'closed' && this.sentCloseTime !== null;
  }

  /**
   * True when `closed` may be delivered now: our close frame is out (SPEC: `closed` means the close handshake
   * completed, both close frames exchanged). Otherwise (the echo waits behind compressed messages) the event is
   * held and enters the pipeline again, stamped then, once the outbox hands the frame over; a server that ends
   * TCP before that gets `disconnected(graceful=false)` and no `closed` (see the sink's `ending`).
   */
  closedNow(event: Closed): boolean {
    if (this.sentCloseTime !== null) return true;
    this.heldClosed = event;
    return false;
  }

  /** Records when our close frame was handed to the transport (the outbox calls it; the close timer counts from it). */
  protected override closeWritten(held: boolean): void {
    if (this.sentCloseTime === null) this.sentCloseTime = this.now();
    if (held) this.bits |= Flag.CLOSE_LEFT_OUTBOX;
  }

  /** The outbox handed held bytes to the transport: drain waiters look again; the sink hears of a close frame among them. */
  protected override outboxProgressed(): void {
    this.drainWaiters?.check();
    if ((this.bits & Flag.CLOSE_LEFT_OUTBOX) !== 0) {
      this.bits &= ~Flag.CLOSE_LEFT_OUTBOX;
      this.closeLeftOutbox();
    }
  }

  /**
   * Our close frame left the outbox after waiting behind compressed messages: `@close-sent` enters the pipeline
   * (the close timer counts from now on, see close-handshake.ts), and with it the `closed` held meanwhile.
   */
  private closeLeftOutbox(): void {
    const held = this.heldClosed;
    this.heldClosed = null;
    if (this.phase === 'ended') return;
    this.input?.next(held === null ? [CLOSE_SENT] : [CLOSE_SENT, events.closed(held.code, held.reason, this.sentCloseTime!)]);
  }

  /**
   * Ends the session at once: with `connect_fail` while connecting (SPEC: a connection that never got its
   * handshake answer fails to connect), else with `disconnected(graceful=false)`. Never throws.
   */
  forceDisconnect(reason = 'force disconnect'): void {
    if (this.phase === 'ended') return;
    // At once: not through the pipeline's head, where it would wait behind messages still inflating.
    this.end?.abort(this.ending(reason));
  }

  /**
   * An unexpected error inside lomond (a bug, or a resource the platform refused): ends this connection
   * alone, at once, with a reason starting `internal error:`, bypassing the operators (which may be in any
   * state). Never throws.
   */
  internalError(error: unknown): void {
    if (this.phase === 'ended') return;
    const message = error instanceof Error ? error.message : String(error);
    this.end?.abort(this.ending(`internal error: ${message}`));
  }

  /** The final event for an end with `reason` now: `connect_fail` before the handshake completed, else `disconnected`. */
  private ending(reason: string): Disconnected | ConnectFail {
    const now = this.now();
    return this.phase === 'open' ? events.disconnected(reason, false, now) : events.connectFail(reason, now);
  }

  /** Pauses reading from the transport for `why` (TCP then pushes back on the server). */
  pauseReading(why: ReadPause): void {
    const was = this.bits & READ_PAUSES;
    this.bits |= why;
    if (was === 0) this.transport?.pause?.();
  }

  /** Lifts the pause `why`; reading resumes when no other pause holds. */
  resumeReading(why: ReadPause): void {
    if ((this.bits & why) === 0) return;
    this.bits &= ~why;
    if ((this.bits & READ_PAUSES) === 0) {
      // Nothing arrived while paused because we did not read: the liveness clocks restart now.
      this.lastReceived = this.readResumedAt = this.now();
      this.transport?.resume?.();
    }
  }

  /** True while reading from the transport is paused. */
  get readPaused(): boolean {
    return (this.bits & READ_PAUSES) !== 0;
  }

  /** The transport's write buffer drained: a pong that waited for it goes out, drain waiters look again. */
  drained(): void {
    this.protocol?.drained();
    this.drainWaiters?.check();
  }
}
