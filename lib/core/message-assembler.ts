/**
 * MessageAssembler: turns data frames into messages (RFC 6455 §5.4). It
 * enforces the continuation rules, bounds a message by `maxMessageSize`
 * before buffering it, validates uncompressed text as UTF-8 byte by byte as
 * it arrives (so a bad sequence fails the connection at once, even in the
 * middle of a frame), and joins fragments once, at the end.
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
  /** True when RSV1 marked it as permessage-deflate data, still deflated. */
  readonly compressed: boolean;
  readonly data: Uint8Array;
}

/** Limits of the assembler. */
export interface MessageAssemblerOptions {
  /** Largest message accepted, in bytes (compressed bytes here; inflate bounds the rest). */
  maxMessageSize: number;
  /** Allocator for joined fragments. */
  alloc?: (size: number) => Uint8Array;
  /** A fast whole-buffer UTF-8 check (Node passes `buffer.isUtf8`), used when a text message is one complete frame. */
  isUtf8?: (bytes: Uint8Array) => boolean;
}

/** Reassembles fragmented messages. */
export class MessageAssembler {
  private opcode = 0;
  private compressed = false;
  private size = 0;
  private fragments: Uint8Array[] = [];
  private active = false;
  /** True when the current message's payload bytes are checked as UTF-8 as they arrive. */
  private validating = false;
  private readonly validator: Utf8Validator;
  private readonly alloc: (size: number) => Uint8Array;

  constructor(private readonly options: MessageAssemblerOptions) {
    this.alloc = options.alloc ?? ((size) => new Uint8Array(size));
    this.validator = new Utf8Validator(options.isUtf8);
  }

  /** True while a fragmented message is in progress. */
  get inProgress(): boolean {
    return this.active;
  }

  /** Checks a data or continuation frame's header before its payload arrives. */
  frameStart(header: FrameHeader): void {
    if (header.opcode === Opcode.CONTINUATION) {
      // RFC 6455 §5.4: a continuation frame only continues a fragmented message.
      if (!this.active) throw new ProtocolError('continuation frame without a message to continue');
      // RFC 7692 §6.1: "An endpoint MUST NOT set the "Per-Message Compressed" bit of control frames and non-first fragments"
      if (header.rsv1) throw new ProtocolError('reserved bit rsv1 set on a continuation frame');
    } else {
      // RFC 6455 §5.4: "fragments of one message MUST NOT be interleaved between the fragments of another message"
      if (this.active) throw new ProtocolError(`new message (opcode 0x${header.opcode.toString(16)}) inside a fragmented message`);
      this.active = true;
      this.opcode = header.opcode;
      this.compressed = header.rsv1;
      this.size = 0;
      this.validating = this.opcode === Opcode.TEXT && !this.compressed;
      this.validator.reset();
    }
    this.size += header.length;
    if (this.size > this.options.maxMessageSize) {
      throw new PayloadTooLargeError(`message of ${this.size}+ bytes exceeds ${this.options.maxMessageSize}`);
    }
  }

  /** Validates uncompressed text as its bytes arrive: fails with 1007 at the first invalid byte. */
  payloadPart(header: FrameHeader, part: Uint8Array): void {
    if (!this.validating) return;
    // A text message that is one complete frame can take the fast whole-buffer check.
    if (header.fin && header.opcode === Opcode.TEXT && part.length === header.length && this.options.isUtf8) {
      if (!this.options.isUtf8(part)) this.invalidUtf8();
      this.validating = false;
      return;
    }
    // RFC 6455 §8.1: "When an endpoint is to interpret a byte stream as UTF-8 but finds that the byte stream is
    // not, in fact, a valid UTF-8 stream, that endpoint MUST _Fail the WebSocket Connection_."
    if (!this.validator.push(part)) this.invalidUtf8();
  }

  private invalidUtf8(): never {
    throw new ProtocolError('invalid utf-8 in text message', Status.BAD_DATA);
  }

  /** Adds a complete data frame; returns the message on its last frame, else null. */
  frame(frame: Frame): Message | null {
    if (!frame.fin) {
      if (frame.payload.length > 0) this.fragments.push(frame.payload);
      return null;
    }
    let data: Uint8Array;
    if (this.fragments.length === 0) {
      data = frame.payload;
    } else {
      if (frame.payload.length > 0) this.fragments.push(frame.payload);
      data = this.alloc(this.size);
      let at = 0;
      for (const fragment of this.fragments) {
        data.set(fragment, at);
        at += fragment.length;
      }
      this.fragments = [];
    }
    // A text message must not end inside a multi-byte sequence.
    if (this.validating && !this.validator.end()) this.invalidUtf8();
    const message: Message = { opcode: this.opcode, compressed: this.compressed, data };
    this.active = false;
    this.validating = false;
    return message;
  }

  /** Drops any message in progress. */
  reset(): void {
    this.active = false;
    this.validating = false;
    this.fragments = [];
    this.size = 0;
    this.validator.reset();
  }
}
