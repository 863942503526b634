/**
 * ClientProtocol: the sans-IO state machine of an open WebSocket connection
 * (RFC 6455 §5–§7, after the opening handshake). Bytes go in through
 * `receive()`; what the peer said comes out through a {@link ProtocolHandler};
 * what we must send goes out through the injected `output` sink. No sockets,
 * no timers, no randomness of its own.
 *
 * Nothing after the peer's Close frame is parsed (RFC 6455 §1.4), memory
 * follows the bytes received (see `MessageBuffer`), and automatic pongs
 * never queue up behind a sink that needs to drain (RFC 6455 §5.5.3).
 *
 * The core layer (lib/core/): the protocol without I/O — frames, the parser
 * and writer, messages, UTF-8, close payloads, the opening handshake and the
 * HTTP head, extensions and permessage-deflate parameters, URLs, backoff
 * math. Pure: no node:* modules, no RxJS, no timers, no Buffer, no clock or
 * randomness of its own (everything is injected). Imports nothing outside
 * lib/core.
 */
import { CriticalProtocolError, ProtocolError, WebSocketClosedError, WebSocketClosingError } from './errors.js';
import { AutoPong } from './auto-pong.js';
import { FrameParser, type FrameHandler, type FrameParserOptions } from './frame-parser.js';
import { FrameWriter, type ByteSink, type FrameEncoding } from './frame-writer.js';
import { decodeText, defaultTextCodec, type TextCodec } from './text-codec.js';
import type { ClientProtocolOptions, ProtocolHandler, ProtocolState } from './protocol-types.js';
import { MessageAssembler, type MessageAssemblerOptions } from './message-assembler.js';
import { Opcode } from './opcode.js';
import { buildClosePayload, parseClosePayload, type ClosePayload } from './close.js';
import { Status } from './status.js';

export { defaultTextCodec, type ByteSink, type TextCodec };
export type { ClientProtocolOptions, ProtocolHandler, ProtocolState };

const EMPTY = new Uint8Array(0);
/** Copying this many bytes out of a chunk costs about as much as a read buffer of its own (see `prefersOwnedChunks`). */
const OWNED_CHUNK_THRESHOLD = 4096;
/** The fixed cost of one copy (an allocation), counted in bytes. */
const COPY_OVERHEAD = 256;

/** What a protocol, its parser, assembler and writer read from the options: one object for all protocols with the same. */
interface ProtocolSettings extends FrameParserOptions, MessageAssemblerOptions, FrameEncoding {
  readonly maxPayload: number;
  readonly maxMessageSize: number;
  readonly alloc: (size: number) => Uint8Array;
  readonly view: ((memory: ArrayBufferLike, byteOffset: number, length: number) => Uint8Array) | undefined;
  readonly isUtf8: ((bytes: Uint8Array) => boolean) | undefined;
}

const newUint8Array = (size: number): Uint8Array => new Uint8Array(size);

/** The settings made last: the next protocol with the same options shares them (connections of one process mostly do). */
let lastSettings: ProtocolSettings | null = null;

/** The settings for `options`: those made last when they match, else new ones. */
function settingsFor(options: ClientProtocolOptions): ProtocolSettings {
  const alloc = options.alloc ?? newUint8Array;
  const codec = options.codec ?? defaultTextCodec;
  const last = lastSettings;
  if (
    last !== null &&
    last.maxPayload === options.maxPayload &&
    last.maxMessageSize === options.maxMessageSize &&
    last.alloc === alloc &&
    last.view === options.view &&
    last.codec === codec &&
    last.isUtf8 === options.isUtf8 &&
    last.maskKey === options.maskKey
  ) {
    return last;
  }
  return (lastSettings = { maxPayload: options.maxPayload, maxMessageSize: options.maxMessageSize, alloc, view: options.view, codec, isUtf8: options.isUtf8, maskKey: options.maskKey });
}

/** The bits of ClientProtocol's `bits`. */
const enum Bit {
  TRANSIENT = 1,
  AUTO_PONG = 2,
  CLOSE_SENT = 4,
  CLOSE_RECEIVED = 8,
  FAILED = 16,
}

/** The client side of an established WebSocket connection. */
export class ClientProtocol extends FrameWriter<ProtocolSettings> implements FrameHandler {
  private readonly parser: FrameParser;
  /** Created at the first data frame: a connection that only exchanges pings holds none (88 bytes). */
  private assemblerInstance: MessageAssembler | null = null;
  /** {@link Bit} flags: the five booleans below share one field. */
  private bits = 0;
  /**
   * What copying the last chunk's binary messages out costs (or would have cost, had it been transient), in
   * bytes, each copy counting {@link COPY_OVERHEAD} more: past {@link OWNED_CHUNK_THRESHOLD} a chunk of its own
   * is cheaper (see `prefersOwnedChunks`). Counted for owned chunks too, so that the choice holds while such
   * messages keep coming instead of flipping at every read.
   */
  private copyCost = 0;
  /** The close code a non-critical fault still has to send (see flushFailure). */
  private failCloseCode: number | null = null;
  /** Automatic pongs, coalesced while the sink needs to drain: created at the first ping. */
  private pongsInstance: AutoPong | null = null;
  /** The first close frame exchanged (ours or the peer's): one field, null while the connection is open. */
  private firstClose: ClosePayload | null = null;

  /** The code of the first close frame exchanged (ours or the peer's), or null. */
  get closeCode(): number | null {
    return this.firstClose?.code ?? null;
  }

  /** The reason of the first close frame exchanged (ours or the peer's), or ''. */
  get closeReason(): string {
    return this.firstClose?.reason ?? '';
  }

  constructor(
    private readonly handler: ProtocolHandler,
    options: ClientProtocolOptions,
  ) {
    // The limits and platform functions (`encoding`), shared with the parser and assembler (and between protocols, see settingsFor).
    const settings = settingsFor(options);
    super(options.output, settings);
    if (options.autoPong ?? true) this.bits = Bit.AUTO_PONG;
    this.parser = new FrameParser(this, settings);
    this.parser.allowRsv1 = options.compression;
  }

  /** The message assembler, created when the first data frame arrives. */
  private get assembler(): MessageAssembler {
    let assembler = this.assemblerInstance;
    if (assembler === null) {
      assembler = this.assemblerInstance = new MessageAssembler(this.encoding);
      assembler.transient = this.transient;
    }
    return assembler;
  }

  /** True while the chunk being parsed is transient (its memory is reused once `receive` returns): what outlives the call is copied. */
  private get transient(): boolean {
    return (this.bits & Bit.TRANSIENT) !== 0;
  }

  /** Answer pings automatically. */
  private get autoPong(): boolean {
    return (this.bits & Bit.AUTO_PONG) !== 0;
  }

  private get closeSent(): boolean {
    return (this.bits & Bit.CLOSE_SENT) !== 0;
  }

  private get closeReceived(): boolean {
    return (this.bits & Bit.CLOSE_RECEIVED) !== 0;
  }

  private get failed(): boolean {
    return (this.bits & Bit.FAILED) !== 0;
  }

  /** Where the connection stands. */
  get state(): ProtocolState {
    if (this.failed) return 'failed';
    if (this.closeSent && this.closeReceived) return 'closed';
    if (this.closeSent || this.closeReceived) return 'closing';
    return 'open';
  }

  /** True once we have sent a close frame. */
  get isCloseSent(): boolean {
    return this.closeSent;
  }

  /** True once the peer's close frame arrived. */
  get isCloseReceived(): boolean {
    return this.closeReceived;
  }

  /**
   * True when the next chunks had better be memory of their own rather than transient: a large data payload is
   * arriving (its parts are then kept as views, not copied), or the last chunk's binary messages cost more to
   * copy out than a read buffer of its own (large ones, or many small ones). A transport that reads into a
   * shared buffer asks before each read.
   */
  get prefersOwnedChunks(): boolean {
    return this.copyCost >= OWNED_CHUNK_THRESHOLD || this.parser.dataRemaining >= OWNED_CHUNK_THRESHOLD;
  }

  /**
   * Where the next bytes on the wire belong, when they can only be the rest of a large data payload whose
   * message buffer already exists at its exact size: a transport may read straight into it (the chunk is then
   * that very view, and nothing is copied). Null otherwise.
   */
  readTarget(): Uint8Array | null {
    const remaining = this.parser.dataRemaining;
    const assembler = this.assemblerInstance;
    return remaining >= OWNED_CHUNK_THRESHOLD && assembler !== null && !this.failed && !this.closeReceived ? assembler.readTarget(remaining) : null;
  }

  /** Bytes held for frames and messages in flight (parser and assembler): at most about twice the bytes received. */
  get bufferedBytes(): number {
    return this.parser.bufferedBytes + (this.assemblerInstance?.bufferedBytes ?? 0);
  }

  /**
   * Feeds bytes received from the peer. Never throws for the peer's faults: they become `onProtocolError`.
   *
   * @param transient - the chunk's memory is reused once this call returns (a transport that reads into one
   *   shared buffer): whatever outlives the call — a binary message, a ping's payload, a fragment kept for
   *   later — is copied; text is decoded at once and needs no copy. Otherwise messages may be views of it.
   */
  receive(chunk: Uint8Array, transient = false): void {
    const bits = this.bits;
    if ((bits & (Bit.FAILED | Bit.CLOSE_RECEIVED)) !== 0) return; // RFC 6455 §1.4: data after a Close frame is discarded
    this.bits = transient ? bits | Bit.TRANSIENT : bits & ~Bit.TRANSIENT;
    const assembler = this.assemblerInstance;
    if (assembler !== null) assembler.transient = transient;
    this.copyCost = 0;
    try {
      this.parser.push(chunk);
    } catch (error) {
      if (!(error instanceof ProtocolError)) throw error;
      this.assemblerInstance?.reset();
      this.fail(error);
    }
  }

  /**
   * Fails the connection (RFC 6455 §7.1.7): reports the error and, unless it
   * is critical or a close frame was already sent, marks a close frame with
   * its code as due. The frame goes out at {@link flushFailure}: the caller
   * first delivers the messages that preceded the fault (so the application
   * may still answer them), then flushes. `report: false` skips the handler
   * (for callers outside a `receive()` call, such as the inflate operator,
   * that emit the event themselves).
   */
  fail(error: ProtocolError, report = true): void {
    if (this.failed) return;
    this.bits |= Bit.FAILED;
    this.pongsInstance?.clear();
    if (!error.critical && !this.closeSent) this.failCloseCode = error.closeCode;
    if (report) this.handler.onProtocolError(error);
  }

  /**
   * Fails the connection for a fault that comes first in wire order but was found after a later frame had
   * failed it (a compressed message is inflated once parsing went on): this one's close code is the one due
   * (unless a close frame already went out). The caller drops the later fault's events, still behind it.
   */
  failBefore(error: ProtocolError): void {
    if (!this.failed) {
      this.fail(error, false);
      return;
    }
    if (!this.closeSent) this.failCloseCode = error.critical ? null : error.closeCode;
  }

  /** Sends the close frame a {@link fail} left due, if any. */
  flushFailure(): void {
    const code = this.failCloseCode;
    if (code === null || this.closeSent) return;
    this.failCloseCode = null;
    this.writeClose(code, '');
  }

  /** True while data may still be sent: before our close frame, and not after a fault unless its close is still due. */
  get canSendData(): boolean {
    return !this.closeSent && (!this.failed || this.failCloseCode !== null);
  }

  /**
   * The sink has drained (its `needsDrain` went false): writes the pong for the latest ping that arrived while it
   * needed to drain, if any. Our own close does not cancel it: RFC 6455 §5.5.2 asks for a pong until the peer's
   * Close arrives, and pongs are control frames, still allowed after our close (§5.5.1).
   */
  drained(): void {
    if (!this.failed && !this.closeReceived) this.pongsInstance?.flush();
    else this.pongsInstance?.clear();
  }

  // -- FrameHandler (called by the parser) ---------------------------------

  /** @internal */
  onDataFrame(opcode: number, fin: boolean, rsv1: boolean, payload: Uint8Array): void {
    const data = this.assembler.frame(opcode, fin, rsv1, payload);
    // The fast path hands out the payload itself, a view of the chunk: owned only if the chunk is.
    if (data === null) return;
    const view = data === payload;
    if (view && (rsv1 || opcode !== Opcode.TEXT)) this.copyCost += data.length + COPY_OVERHEAD;
    this.deliver(data, view && (this.bits & Bit.TRANSIENT) !== 0);
  }

  /** @internal */
  onDataStart(opcode: number, fin: boolean, rsv1: boolean, length: number): void {
    this.assembler.frameStart(opcode, fin, rsv1, length);
  }

  /** @internal */
  onDataPart(part: Uint8Array): void {
    this.assembler.payloadPart(part);
  }

  /** @internal */
  onDataEnd(): void {
    const data = this.assembler.frameEnd();
    if (data !== null) this.deliver(data, false);
  }

  /**
   * Reports a complete message (the assembler's `opcode` and `compressed` describe it).
   *
   * @param borrowed - `data` is a view of a transient chunk: copied unless it is decoded at once
   */
  private deliver(data: Uint8Array, borrowed: boolean): void {
    const assembler = this.assembler;
    // RFC 6455 §5.5.1: after sending a Close frame the endpoint may still receive data; we keep delivering it.
    if (assembler.compressed) this.handler.onCompressed(assembler.opcode, borrowed ? this.copy(data) : data);
    else if (assembler.opcode === Opcode.TEXT) this.handler.onText(decodeText(this.encoding.codec, data));
    else this.handler.onBinary(borrowed ? this.copy(data) : data);
  }

  /** `bytes` in memory of their own. */
  private copy(bytes: Uint8Array): Uint8Array {
    const copy = this.encoding.alloc(bytes.length);
    copy.set(bytes);
    return copy;
  }

  /** @internal */
  onControl(opcode: number, chunkPayload: Uint8Array): void {
    // A ping's payload is kept for its pong and both are reported: a transient chunk's is copied (≤ 125 bytes).
    const payload = this.transient && chunkPayload.length > 0 ? this.copy(chunkPayload) : chunkPayload;
    if (opcode === Opcode.PING) this.receivePing(payload);
    else if (opcode === Opcode.PONG) this.handler.onPong(payload);
    else this.receiveClose(payload);
  }

  private receivePing(data: Uint8Array): void {
    // RFC 6455 §5.5.2: "Upon receipt of a Ping frame, an endpoint MUST send a Pong frame in response"
    // (unless it already received a Close frame). Our own close does not change that: pongs are control
    // frames, which §5.5.1 still allows after it. The parser stops at the peer's close.
    // While the sink needs to drain, only the latest ping is answered, once it drained (§5.5.3, see AutoPong).
    if (this.autoPong && !this.failed) (this.pongsInstance ??= new AutoPong(this)).answer(data);
    this.handler.onPing(data);
  }

  private receiveClose(payload: Uint8Array): void {
    let code: number;
    let reason: string;
    try {
      ({ code, reason } = parseClosePayload(payload));
    } catch (error) {
      if (!(error instanceof ProtocolError)) throw error;
      // Never echo an invalid close payload: fail with our own code instead.
      this.bits |= Bit.CLOSE_RECEIVED;
      this.fail(error);
      return;
    }
    this.bits |= Bit.CLOSE_RECEIVED;
    this.assemblerInstance?.reset(); // a message still in progress can never complete now: release what it holds
    const initiatedByPeer = !this.closeSent;
    this.firstClose ??= { code, reason };
    // The echo (RFC 6455 §5.5.1) is left to the caller, through echoClose(), so that
    // the application can still send from its `closing` handler first.
    this.handler.onClose(code, reason, initiatedByPeer);
  }

  /**
   * Answers the peer's close frame, echoing its code (RFC 6455 §5.5.1: "the
   * endpoint MUST send a Close frame in response ... typically echoing the
   * status code it received"). Does nothing if our close frame is already out.
   */
  echoClose(): void {
    if (!this.closeReceived || this.closeSent || this.failed) return;
    this.bits |= Bit.CLOSE_SENT;
    const code = this.closeCode ?? Status.NO_STATUS;
    this.writeFrame(Opcode.CLOSE, code === Status.NO_STATUS ? EMPTY : buildClosePayload(code, ''));
  }

  // -- sending --------------------------------------------------------------

  /**
   * Throws the SPEC error when data frames may no longer be sent (our close frame is out, or the connection
   * failed or closed); callers that encode a frame now and place it later check here first.
   */
  checkCanSendData(): void {
    if ((this.failed && !this.canSendData) || (this.closeSent && this.closeReceived)) throw new WebSocketClosedError('websocket is closed');
    // RFC 6455 §5.5.1: "After sending a Close frame, the endpoint MUST NOT send any more data frames."
    if (this.closeSent) throw new WebSocketClosingError('websocket is closing');
  }

  /** Sends a text message as one frame, encoded straight into the frame buffer and masked in place (one copy). */
  sendText(text: string): void {
    this.checkCanSendData();
    this.writeText(text);
  }

  /** Sends a binary message as one frame. The caller's buffer is never modified. */
  sendBinary(data: Uint8Array): void {
    this.checkCanSendData();
    this.writeFrame(Opcode.BINARY, data);
  }

  /**
   * The masked frame of a data message whose payload is ready (deflated, `rsv1` set), for the caller to
   * place: the state was checked when the message was accepted ({@link checkCanSendData}), and the frame
   * takes that place in the order, ahead of any close frame written since.
   */
  encodeDataFrame(opcode: number, payload: Uint8Array, rsv1: boolean): Uint8Array {
    return this.encode(opcode, payload, rsv1, true);
  }

  /**
   * The masked frame of one fragment of a message sent in parts (RFC 6455 §5.4: "a single message MAY be
   * split into a number of frames"; the first carries the opcode, the rest are continuations, the last has
   * FIN), for the caller to place. The caller's buffer is copied.
   *
   * @throws WebSocketClosingError / WebSocketClosedError when data may no longer be sent
   */
  encodeFragment(opcode: number, payload: Uint8Array, first: boolean, fin: boolean): Uint8Array {
    this.checkCanSendData();
    return this.encode(first ? opcode : Opcode.CONTINUATION, payload, false, fin);
  }

  /** Sends a ping (payload ≤ 125 bytes, checked by the caller). */
  sendPing(data: Uint8Array = EMPTY): void {
    this.checkCanSendData();
    this.writeFrame(Opcode.PING, data);
  }

  /** Sends a pong (payload ≤ 125 bytes, checked by the caller). */
  sendPong(data: Uint8Array = EMPTY): void {
    this.checkCanSendData();
    this.writeFrame(Opcode.PONG, data);
  }

  /**
   * Starts the close handshake (or answers the peer's). Throws when a close
   * frame was already sent. `code`/`reason` are validated by `buildClosePayload`.
   */
  sendClose(code: number, reason: string): void {
    if (this.closeSent || this.failed) throw new WebSocketClosingError('websocket is closing');
    const payload = buildClosePayload(code, reason);
    this.firstClose ??= { code, reason };
    this.bits |= Bit.CLOSE_SENT;
    this.writeFrame(Opcode.CLOSE, payload);
  }

  private writeClose(code: number, reason: string): void {
    this.bits |= Bit.CLOSE_SENT;
    this.writeFrame(Opcode.CLOSE, buildClosePayload(code, reason));
  }
}

/** Re-exported for callers that build errors for `fail()`. */
export { CriticalProtocolError, ProtocolError };
