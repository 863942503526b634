/**
 * MessageAssembler: turns data frames into messages (RFC 6455 §5.4). It
 * enforces the continuation rules, bounds a message by `maxMessageSize`
 * before any of it is buffered, validates uncompressed text as UTF-8 as its
 * bytes arrive (so a bad sequence fails the connection at once, even in the
 * middle of a frame and across frames), and joins fragments once, at the end.
 *
 * @see https://www.rfc-editor.org/rfc/rfc6455#section-5.4
 */
import { PayloadTooLargeError, ProtocolError } from './errors.js';
import type { Frame, FrameHeader } from './frame.js';
import { Opcode } from './opcode.js';
import { Status } from './status.js';
import { Utf8Validator } from './utf8-validator.js';

/** A complete data message. */
export interface Message {
  /** {@link Opcode.TEXT} or {@link Opcode.BINARY}. */
  readonly opcode: number;
  /** True when RSV1 marked it as permessage-deflate data: `data` is still deflated, and its UTF-8 unchecked. */
  readonly compressed: boolean;
  readonly data: Uint8Array;
}

/** Limits of a {@link MessageAssembler}. */
export interface MessageAssemblerOptions {
  /** Largest message accepted, in bytes (compressed bytes for a compressed message: inflate bounds the rest). */
  maxMessageSize: number;
  /** Allocator for joined fragments (Node passes `Buffer.allocUnsafe`; default `new Uint8Array`). */
  alloc?: (size: number) => Uint8Array;
  /** A fast whole-buffer UTF-8 check (Node passes `buffer.isUtf8`), used for text that arrives as one frame in one piece. */
  isUtf8?: (bytes: Uint8Array) => boolean;
}

const defaultAlloc = (size: number): Uint8Array => new Uint8Array(size);

/**
 * Reassembles messages from the data and continuation frames of one
 * connection, fed in stream order: `frameStart`, `payloadPart`…, `frame`.
 *
 * @example
 * ```ts
 * const assembler = new MessageAssembler({ maxMessageSize: 1 << 20 });
 * // for each data frame the FrameParser reports:
 * //   onFrameStart → assembler.frameStart(header)
 * //   onPayloadPart → assembler.payloadPart(header, part)
 * //   onFrame → const message = assembler.frame(frame); // a Message on the last frame, else null
 * ```
 * @see https://www.rfc-editor.org/rfc/rfc6455#section-5.4
 */
export class MessageAssembler {
  private readonly maxMessageSize: number;
  private readonly alloc: (size: number) => Uint8Array;
  private readonly isUtf8: ((bytes: Uint8Array) => boolean) | undefined;
  /** Created at the first text message (a binary-only connection never needs one). */
  private validatorInstance: Utf8Validator | null = null;
  private active = false;
  private opcode = 0;
  private compressed = false;
  /** Payload bytes announced so far by the message's frame headers. */
  private size = 0;
  /** Views of the non-empty payloads of the message's earlier frames. */
  private readonly fragments: Uint8Array[] = [];
  /** True while the message's bytes are checked as UTF-8 as they arrive. */
  private validating = false;

  /** Creates an assembler with the given limits. */
  constructor(options: MessageAssemblerOptions) {
    this.maxMessageSize = options.maxMessageSize;
    this.alloc = options.alloc ?? defaultAlloc;
    this.isUtf8 = options.isUtf8;
  }

  /** True between the first frame of a message and its last (FIN) frame. */
  get inProgress(): boolean {
    return this.active;
  }

  /**
   * Checks a data or continuation frame's header before its payload arrives.
   *
   * @throws {@link ProtocolError} 1002 for a continuation frame without a
   *   message in progress, a new text/binary frame inside a fragmented message,
   *   or RSV1 on a continuation frame
   * @throws {@link PayloadTooLargeError} 1009 when the message would exceed `maxMessageSize`
   */
  frameStart(header: FrameHeader): void {
    if (header.opcode === Opcode.CONTINUATION) {
      // RFC 6455 §5.4: a message is "a single frame with the FIN bit set" or "a single frame with the FIN bit clear
      // and an opcode other than 0, followed by zero or more frames with the FIN bit clear and the opcode set to 0".
      if (!this.active) throw new ProtocolError('unexpected continuation frame');
      // RFC 7692 §6.1: "An endpoint MUST NOT set the "Per-Message Compressed" bit of control frames and non-first fragments of a data message."
      if (header.rsv1) throw new ProtocolError('rsv1 set on a continuation frame');
    } else {
      // RFC 6455 §5.4: "the fragments of one message MUST NOT be interleaved between the fragments of another message".
      if (this.active) throw new ProtocolError(`data frame opcode 0x${header.opcode.toString(16)} inside a fragmented message`);
      this.active = true;
      this.opcode = header.opcode;
      this.compressed = header.rsv1;
      this.size = 0;
      this.validating = header.opcode === Opcode.TEXT && !header.rsv1;
      this.validatorInstance?.reset();
    }
    const size = this.size + header.length;
    if (size > this.maxMessageSize) throw new PayloadTooLargeError(`message of ${size} bytes exceeds ${this.maxMessageSize}`);
    this.size = size;
  }

  /**
   * Takes a slice of a data frame's payload as it arrives: uncompressed text
   * is validated at once.
   *
   * @throws {@link ProtocolError} 1007 at the first byte that cannot be UTF-8
   */
  payloadPart(header: FrameHeader, part: Uint8Array): void {
    if (!this.validating) return;
    // A text message that is one frame in one piece can take the native whole-buffer check.
    if (this.isUtf8 !== undefined && header.fin && header.opcode === Opcode.TEXT && part.length === header.length) {
      this.validating = false;
      if (!this.isUtf8(part)) throw invalidUtf8();
      return;
    }
    // RFC 6455 §8.1: "When an endpoint is to interpret a byte stream as UTF-8 but finds that the byte stream is not, in fact,
    // a valid UTF-8 stream, that endpoint MUST _Fail the WebSocket Connection_." We fail at the first impossible byte.
    if (!this.validator.push(part)) throw invalidUtf8();
  }

  /**
   * Takes a complete data frame.
   *
   * @returns the message on its last (FIN) frame — the frame's own payload
   *   when the message is one frame, else the fragments joined once — or null
   * @throws {@link ProtocolError} 1007 when uncompressed text ends inside a UTF-8 sequence
   */
  frame(frame: Frame): Message | null {
    const payload = frame.payload;
    if (!frame.fin) {
      if (payload.length > 0) this.fragments.push(payload);
      return null;
    }
    // RFC 6455 §5.6: "a particular text frame might include a partial UTF-8 sequence; however, the whole message MUST contain valid UTF-8."
    if (this.validating && !this.validator.end()) throw invalidUtf8();
    const data = this.fragments.length === 0 ? payload : this.join(payload);
    const message: Message = { opcode: this.opcode, compressed: this.compressed, data };
    this.active = false;
    this.validating = false;
    return message;
  }

  /** Joins the fragments and the last payload into one buffer (or returns the only non-empty one). */
  private join(last: Uint8Array): Uint8Array {
    const fragments = this.fragments;
    if (last.length > 0) fragments.push(last);
    let data: Uint8Array;
    if (fragments.length === 1) {
      data = fragments[0]!;
    } else {
      let size = 0;
      for (const fragment of fragments) size += fragment.length;
      data = this.alloc(size);
      let at = 0;
      for (const fragment of fragments) {
        data.set(fragment, at);
        at += fragment.length;
      }
    }
    fragments.length = 0;
    return data;
  }

  /** Drops any message in progress (e.g. after a protocol error). */
  reset(): void {
    this.active = false;
    this.validating = false;
    this.fragments.length = 0;
    this.size = 0;
    this.validatorInstance?.reset();
  }

  private get validator(): Utf8Validator {
    return (this.validatorInstance ??= new Utf8Validator(this.isUtf8));
  }
}

function invalidUtf8(): ProtocolError {
  return new ProtocolError('invalid utf-8', Status.BAD_DATA);
}
