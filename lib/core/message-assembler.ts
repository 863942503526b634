/**
 * MessageAssembler: turns data frames into messages (RFC 6455 §5.4). It
 * enforces the continuation rules, bounds a message by `maxMessageSize`
 * before any of it is buffered, validates uncompressed text as UTF-8 as its
 * bytes arrive (so a bad sequence fails the connection at once, even in the
 * middle of a frame and across frames), and gathers the payload in a
 * {@link MessageBuffer}, whose memory follows the bytes received. A message
 * that is one frame lying in one chunk (the common case) takes one call,
 * `frame()`, and is handed out as a zero-copy view of that chunk.
 *
 * @see https://www.rfc-editor.org/rfc/rfc6455#section-5.4
 */
import { PayloadTooLargeError, ProtocolError } from './errors.js';
import { MessageBuffer } from './message-buffer.js';
import { Opcode } from './opcode.js';
import { Status } from './status.js';
import { Utf8Validator } from './utf8-validator.js';

/** Limits of a {@link MessageAssembler}. */
export interface MessageAssemblerOptions {
  /** Largest message accepted, in bytes (compressed bytes for a compressed message: inflate bounds the rest). */
  maxMessageSize: number;
  /** Allocator for gathered payloads (Node passes `Buffer.allocUnsafe`; default `new Uint8Array`). */
  alloc?: (size: number) => Uint8Array;
  /** A view of received memory, of the type `alloc` makes (Node passes `Buffer.from(arrayBuffer, offset, length)`; default a Uint8Array). */
  view?: (memory: ArrayBufferLike, byteOffset: number, length: number) => Uint8Array;
  /** A fast whole-buffer UTF-8 check (Node passes `buffer.isUtf8`), used for text that arrives as one frame in one piece. */
  isUtf8?: (bytes: Uint8Array) => boolean;
}

const defaultAlloc = (size: number): Uint8Array => new Uint8Array(size);

/** The bits of MessageAssembler's `flags`. */
const enum Flag {
  ACTIVE = 1,
  FIN = 2,
  VALIDATING = 4,
}

/**
 * Reassembles messages from the data and continuation frames of one
 * connection, fed in stream order as the {@link FrameParser} reports them:
 * `frame()` for a frame whose payload lies in one piece, else `frameStart`,
 * `payloadPart`…, `frameEnd`.
 *
 * @example
 * ```ts
 * const assembler = new MessageAssembler({ maxMessageSize: 1 << 20 });
 * assembler.frameStart(Opcode.TEXT, false, false, 3);
 * assembler.payloadPart(bytes('Hel'));
 * assembler.frameEnd();                   // null: the message goes on
 * assembler.frameStart(Opcode.CONTINUATION, true, false, 2);
 * assembler.payloadPart(bytes('lo'));
 * assembler.frameEnd();                   // bytes('Hello'); assembler.opcode === Opcode.TEXT
 * assembler.frame(Opcode.BINARY, true, false, bytes('hi')); // bytes('hi') itself
 * ```
 * @see https://www.rfc-editor.org/rfc/rfc6455#section-5.4
 */
export class MessageAssembler {
  /** {@link Opcode.TEXT} or {@link Opcode.BINARY}: of the message in progress, or of the one `frameEnd` just returned. */
  opcode = 0;
  /** True when RSV1 marked the message as permessage-deflate data: its bytes are still deflated, and their UTF-8 unchecked. */
  compressed = false;
  /** True while the parts being fed are views of a transient chunk (reused after the call): they are copied, never kept. */
  transient = false;
  /** Kept as it is (the protocols with the same limits share one): `maxMessageSize`, `alloc` and `isUtf8` are read from it. */
  private readonly options: MessageAssemblerOptions;
  /** Created at the first message that needs gathering (a message lying whole in one chunk never does). */
  private bufferInstance: MessageBuffer | null = null;
  /** Created at the first text message (a binary-only connection never needs one). */
  private validatorInstance: Utf8Validator | null = null;
  /** {@link Flag} bits: a message is in progress, its current frame is the last, its bytes are checked as UTF-8. */
  private flags = 0;
  /** Payload bytes announced so far by the message's frame headers. */
  private size = 0;

  /** Creates an assembler with the given limits. */
  constructor(options: MessageAssemblerOptions) {
    this.options = options;
  }

  /** True between the first frame of a message and its last (FIN) frame. */
  get inProgress(): boolean {
    return this.active;
  }

  /** Between the first frame of a message and its last. */
  private get active(): boolean {
    return (this.flags & Flag.ACTIVE) !== 0;
  }

  /** The current frame is the message's last. */
  private get fin(): boolean {
    return (this.flags & Flag.FIN) !== 0;
  }

  /** The message's bytes are checked as UTF-8 as they arrive. */
  private get validating(): boolean {
    return (this.flags & Flag.VALIDATING) !== 0;
  }

  /** Memory held for the message in flight, in bytes. */
  get bufferedBytes(): number {
    return this.bufferInstance?.heldBytes ?? 0;
  }

  /**
   * Checks a data or continuation frame's header before its payload arrives.
   *
   * @throws {@link ProtocolError} 1002 for a continuation frame without a
   *   message in progress, a new text/binary frame inside a fragmented message,
   *   or RSV1 on a continuation frame
   * @throws {@link PayloadTooLargeError} 1009 when the message would exceed `maxMessageSize`
   */
  frameStart(opcode: number, fin: boolean, rsv1: boolean, length: number): void {
    let size = length;
    if (opcode === Opcode.CONTINUATION) {
      // RFC 6455 §5.4: a message is "a single frame with the FIN bit set" or "a single frame with the FIN bit clear
      // and an opcode other than 0, followed by zero or more frames with the FIN bit clear and the opcode set to 0".
      if (!this.active) throw new ProtocolError('unexpected continuation frame');
      // RFC 7692 §6.1: "An endpoint MUST NOT set the "Per-Message Compressed" bit of control frames and non-first fragments of a data message."
      if (rsv1) throw new ProtocolError('rsv1 set on a continuation frame');
      size += this.size;
    } else {
      // RFC 6455 §5.4: "the fragments of one message MUST NOT be interleaved between the fragments of another message".
      if (this.active) throw new ProtocolError(`data frame opcode 0x${opcode.toString(16)} inside a fragmented message`);
      this.flags = opcode === Opcode.TEXT && !rsv1 ? Flag.ACTIVE | Flag.VALIDATING : Flag.ACTIVE;
      this.opcode = opcode;
      this.compressed = rsv1;
      this.validatorInstance?.reset();
    }
    // RFC 6455 §10.4: "Such an implementation SHOULD impose a limit on frame sizes and the total message size after
    // reassembly from multiple frames": checked at the header, before any of the frame's payload is kept.
    const max = this.options.maxMessageSize;
    if (size > max) throw tooLarge(size, max);
    this.size = size;
    this.flags = fin ? this.flags | Flag.FIN : this.flags & ~Flag.FIN;
  }

  /**
   * Takes a data frame whose payload lies in one piece (the parser's fast path). A message that is this one
   * frame is checked and handed out as that very view — no copy, no buffer; any other frame goes through
   * `frameStart`, `payloadPart` and `frameEnd`.
   *
   * @returns the message's payload when this frame ends one, else null; `opcode` and `compressed` describe it
   * @throws as `frameStart`, `payloadPart` and `frameEnd` do
   */
  frame(opcode: number, fin: boolean, rsv1: boolean, payload: Uint8Array): Uint8Array | null {
    if (!fin || this.active || opcode === Opcode.CONTINUATION) {
      this.frameStart(opcode, fin, rsv1, payload.length);
      if (payload.length > 0) this.payloadPart(payload);
      return this.frameEnd();
    }
    const max = this.options.maxMessageSize;
    if (payload.length > max) throw tooLarge(payload.length, max);
    // RFC 6455 §8.1: "When an endpoint is to interpret a byte stream as UTF-8 but finds that the byte stream is not,
    // in fact, a valid UTF-8 stream, that endpoint MUST _Fail the WebSocket Connection_."
    if (opcode === Opcode.TEXT && !rsv1 && !this.isValidText(payload)) throw invalidUtf8();
    this.opcode = opcode;
    this.compressed = rsv1;
    return payload;
  }

  /**
   * Takes a slice of a data frame's payload as it arrives: uncompressed text
   * is validated at once; the bytes are kept as a view or copied.
   *
   * @throws {@link ProtocolError} 1007 at the first byte that cannot be UTF-8
   * @throws {@link PayloadTooLargeError} 1009 when no buffer can hold the message
   */
  payloadPart(part: Uint8Array): void {
    this.buffer.append(part, this.fin ? this.size : this.options.maxMessageSize, this.fin, this.transient);
    // RFC 6455 §8.1: "When an endpoint is to interpret a byte stream as UTF-8 but finds that the byte stream is not, in fact,
    // a valid UTF-8 stream, that endpoint MUST _Fail the WebSocket Connection_." We fail at the first impossible byte.
    if (this.validating && !this.validator.push(part)) throw invalidUtf8();
  }

  /**
   * Ends the current frame.
   *
   * @returns the message's payload, gathered, on its last (FIN) frame, or null; `opcode` and `compressed` describe it
   * @throws {@link ProtocolError} 1007 when uncompressed text ends inside a UTF-8 sequence
   * @throws {@link PayloadTooLargeError} 1009 when no buffer can hold the message
   */
  frameEnd(): Uint8Array | null {
    if (!this.fin) return null;
    // RFC 6455 §5.6: "a particular text frame might include a partial UTF-8 sequence; however, the whole message MUST contain valid UTF-8."
    if (this.validating && !this.validator.end()) throw invalidUtf8();
    this.flags &= ~(Flag.ACTIVE | Flag.VALIDATING);
    return this.buffer.take();
  }

  /**
   * Where the next `length` payload bytes of the current frame belong, when the message's buffer already has
   * its exact size (see {@link MessageBuffer.readTarget}); null otherwise.
   */
  readTarget(length: number): Uint8Array | null {
    return this.active ? (this.bufferInstance?.readTarget(length) ?? null) : null;
  }

  /** Drops any message in progress (e.g. after a protocol error). */
  reset(): void {
    this.flags &= ~(Flag.ACTIVE | Flag.VALIDATING);
    this.size = 0;
    this.bufferInstance?.clear();
    this.validatorInstance?.reset();
  }

  /** Checks a whole text message at once: with the native check when there is one. */
  private isValidText(bytes: Uint8Array): boolean {
    const isUtf8 = this.options.isUtf8;
    if (isUtf8 !== undefined) return isUtf8(bytes);
    const validator = this.validator;
    validator.reset();
    return validator.push(bytes) && validator.end();
  }

  private get buffer(): MessageBuffer {
    return (this.bufferInstance ??= new MessageBuffer(this.options.alloc ?? defaultAlloc, this.options.view));
  }

  private get validator(): Utf8Validator {
    return (this.validatorInstance ??= new Utf8Validator(this.options.isUtf8));
  }
}

function tooLarge(size: number, max: number): PayloadTooLargeError {
  return new PayloadTooLargeError(`message of ${size} bytes exceeds ${max}`);
}

function invalidUtf8(): ProtocolError {
  return new ProtocolError('invalid utf-8', Status.BAD_DATA);
}
