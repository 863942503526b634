/**
 * FrameParser: a streaming parser of the frames a server sends (RFC 6455
 * §5.2), as an explicit state machine with one method per state:
 *
 * ```
 *   INFO ──(7-bit length)──────────────────┐
 *     └──(16/64-bit length)──▶ LENGTH ─────┴──▶ PAYLOAD ──▶ INFO …
 *   any violation ──▶ FAILED (all later input is ignored)
 * ```
 *
 * Bytes may arrive split anywhere (one at a time works). A payload that lies
 * in one chunk is handed out as a zero-copy view of it; any other payload is
 * gathered into one buffer of exactly its length, allocated once when the
 * header is read. The caller must not modify a chunk after pushing it.
 *
 * @see https://www.rfc-editor.org/rfc/rfc6455#section-5.2
 */
import { CriticalProtocolError, PayloadTooLargeError, ProtocolError } from './errors.js';
import type { Frame, FrameHeader } from './frame.js';
import { isControl, isReserved } from './opcode.js';

/** Receives what the parser finds, synchronously, in stream order. */
export interface FrameHandler {
  /** The header is complete and valid; called before any payload byte. */
  onFrameStart?(header: FrameHeader): void;
  /** Each non-empty slice of a non-control frame's payload as it arrives (zero-copy views), in order, before `onFrame`. */
  onPayloadPart?(header: FrameHeader, part: Uint8Array): void;
  /** The complete frame. */
  onFrame(frame: Frame): void;
}

/** Limits and negotiated features of a {@link FrameParser}. */
export interface FrameParserOptions {
  /** Largest frame payload accepted, in bytes. */
  maxPayload: number;
  /** RSV1 allowed on data frames: permessage-deflate was negotiated (default false). */
  allowRsv1?: boolean;
  /** Allocator for payloads that span chunks (Node passes `Buffer.allocUnsafe`; default `new Uint8Array`). */
  alloc?: (size: number) => Uint8Array;
}

const enum State {
  /** Waiting for the first two header bytes (FIN, RSV, opcode; MASK, 7-bit length). */
  INFO,
  /** Waiting for the 16- or 64-bit extended payload length. */
  LENGTH,
  /** Gathering a payload that spans chunks. */
  PAYLOAD,
  /** A violation was found: all further input is ignored. */
  FAILED,
}

const EMPTY = new Uint8Array(0);
const defaultAlloc = (size: number): Uint8Array => new Uint8Array(size);

/**
 * Parses the server's byte stream into frames and checks every header rule
 * of RFC 6455 §5 as soon as the bytes that break it are known.
 *
 * @example
 * ```ts
 * const parser = new FrameParser({ onFrame: (frame) => console.log(frame.opcode, frame.payload) }, { maxPayload: 1 << 20 });
 * parser.push(new Uint8Array([0x81, 0x05, 0x48, 0x65]));
 * parser.push(new Uint8Array([0x6c, 0x6c, 0x6f])); // logs: 1 Uint8Array(5) [72, 101, 108, 108, 111]
 * ```
 * @see https://www.rfc-editor.org/rfc/rfc6455#section-5.2
 */
export class FrameParser {
  /** True once permessage-deflate was negotiated: RSV1 is then allowed on data frames. */
  allowRsv1: boolean;
  private state = State.INFO;
  private readonly handler: FrameHandler;
  private readonly maxPayload: number;
  private readonly alloc: (size: number) => Uint8Array;
  /** Header bytes that arrived in an earlier chunk (at most 8: servers never send a mask key); allocated the first time a header is split, not per connection. */
  private stashBytes: Uint8Array | null = null;
  private stashed = 0;
  /** First header byte of the frame being read. */
  private b0 = 0;
  /** Size of the extended length field being read (2 or 8). */
  private lengthSize = 0;
  /** Header and buffer of a payload that spans chunks. */
  private header: FrameHeader | null = null;
  private payload: Uint8Array = EMPTY;
  private filled = 0;

  /** Creates a parser that reports to `handler`. */
  constructor(handler: FrameHandler, options: FrameParserOptions) {
    this.handler = handler;
    this.maxPayload = options.maxPayload;
    this.allowRsv1 = options.allowRsv1 ?? false;
    this.alloc = options.alloc ?? defaultAlloc;
  }

  /**
   * Feeds a chunk of the stream.
   *
   * @throws {@link ProtocolError} (or a subclass) at the first violation, also
   *   one thrown by the handler; the parser then ignores all further input
   */
  push(chunk: Uint8Array): void {
    if (this.state === State.FAILED) return;
    const end = chunk.length;
    let offset = 0;
    try {
      while (offset < end) {
        if (this.state === State.INFO) offset = this.readInfo(chunk, offset);
        else if (this.state === State.LENGTH) offset = this.readLength(chunk, offset);
        else offset = this.readPayload(chunk, offset);
      }
    } catch (error) {
      this.state = State.FAILED;
      throw error;
    }
  }

  private get stash(): Uint8Array {
    return (this.stashBytes ??= new Uint8Array(8));
  }

  /** INFO: reads and checks the first two header bytes; returns the new offset. */
  private readInfo(chunk: Uint8Array, offset: number): number {
    let b0: number;
    if (this.stashed === 1) {
      b0 = this.stash[0]!;
      this.stashed = 0;
    } else if (offset + 1 < chunk.length) {
      b0 = chunk[offset++]!;
    } else {
      this.stash[0] = chunk[offset]!; // short: wait for the second byte
      this.stashed = 1;
      return offset + 1;
    }
    const b1 = chunk[offset++]!;
    // The two bytes are checked together, so the error never depends on where chunks split.
    const length = this.checkInfo(b0, b1);
    if (length < 126) return this.startPayload(b0, length, chunk, offset);
    this.b0 = b0;
    this.lengthSize = length === 126 ? 2 : 8;
    this.state = State.LENGTH;
    return offset;
  }

  /** Checks the first two header bytes; returns the 7-bit length field. */
  private checkInfo(b0: number, b1: number): number {
    const opcode = b0 & 0x0f;
    // RFC 6455 §5.1: "A client MUST close a connection if it detects a masked frame."
    if ((b1 & 0x80) !== 0) throw new CriticalProtocolError('masked frame from server');
    // RFC 6455 §5.2: "If a nonzero value is received and none of the negotiated extensions defines the meaning of such a nonzero value, the receiving endpoint MUST _Fail the WebSocket Connection_."
    // RFC 7692 §6.1: "An endpoint MUST NOT set the "Per-Message Compressed" bit of control frames".
    const rsv = b0 & 0x70;
    if (rsv !== 0 && (rsv !== 0x40 || !this.allowRsv1 || isControl(opcode))) {
      throw new ProtocolError(`reserved bits set 0x${rsv.toString(16)}`);
    }
    // RFC 6455 §5.2: "If an unknown opcode is received, the receiving endpoint MUST _Fail the WebSocket Connection_."
    if (isReserved(opcode)) throw new ProtocolError(`invalid opcode 0x${opcode.toString(16)}`);
    const length = b1 & 0x7f;
    if (isControl(opcode)) {
      // RFC 6455 §5.5: "All control frames MUST have a payload length of 125 bytes or less and MUST NOT be fragmented."
      if ((b0 & 0x80) === 0) throw new ProtocolError('fragmented control frame');
      if (length > 125) throw new ProtocolError('control frame payload exceeds 125 bytes');
    }
    return length;
  }

  /** LENGTH: reads the 16- or 64-bit payload length; returns the new offset. */
  private readLength(chunk: Uint8Array, offset: number): number {
    const size = this.lengthSize;
    let bytes = chunk;
    let at = offset;
    if (this.stashed === 0 && chunk.length - offset >= size) {
      offset += size; // fast path: the whole field is in this chunk
    } else {
      while (this.stashed < size && offset < chunk.length) this.stash[this.stashed++] = chunk[offset++]!;
      if (this.stashed < size) return offset; // short: wait for more
      this.stashed = 0;
      bytes = this.stash;
      at = 0;
    }
    const length = size === 2 ? (bytes[at]! << 8) | bytes[at + 1]! : this.readLength64(bytes, at);
    return this.startPayload(this.b0, length, chunk, offset);
  }

  /** Decodes a 64-bit length; only lengths below 2^53 are representable, and all larger ones are too large anyway. */
  private readLength64(bytes: Uint8Array, at: number): number {
    const high = ((bytes[at]! << 24) | (bytes[at + 1]! << 16) | (bytes[at + 2]! << 8) | bytes[at + 3]!) >>> 0;
    const low = ((bytes[at + 4]! << 24) | (bytes[at + 5]! << 16) | (bytes[at + 6]! << 8) | bytes[at + 7]!) >>> 0;
    // RFC 6455 §5.2: "the most significant bit MUST be 0". A peer that breaks the length encoding itself
    // cannot be trusted to frame anything else, so this is critical (no close handshake).
    if (high >= 0x80000000) throw new CriticalProtocolError(`invalid 64-bit payload length 0x${high.toString(16)}${low.toString(16).padStart(8, '0')}`);
    if (high > 0x1fffff) {
      const exact = (BigInt(high) << 32n) | BigInt(low);
      throw new PayloadTooLargeError(`frame payload of ${exact} bytes exceeds ${this.maxPayload}`);
    }
    return high * 0x100000000 + low;
  }

  /** The header is complete: checks the length, then emits the frame at once or enters PAYLOAD. */
  private startPayload(b0: number, length: number, chunk: Uint8Array, offset: number): number {
    if (length > this.maxPayload) throw new PayloadTooLargeError(`frame payload of ${length} bytes exceeds ${this.maxPayload}`);
    const header: FrameHeader = { fin: (b0 & 0x80) !== 0, rsv1: (b0 & 0x40) !== 0, rsv2: false, rsv3: false, opcode: b0 & 0x0f, masked: false, length };
    this.state = State.INFO;
    this.handler.onFrameStart?.(header);
    if (length === 0) {
      this.emit(header, EMPTY);
      return offset;
    }
    const end = offset + length;
    if (end <= chunk.length) {
      // Fast path: the whole payload is in this chunk, hand out a view.
      const payload = chunk.subarray(offset, end);
      if (!isControl(header.opcode)) this.handler.onPayloadPart?.(header, payload);
      this.emit(header, payload);
      return end;
    }
    this.header = header;
    this.payload = this.alloc(length);
    this.filled = 0;
    this.state = State.PAYLOAD;
    return offset;
  }

  /** PAYLOAD: copies what this chunk holds of a payload that spans chunks; returns the new offset. */
  private readPayload(chunk: Uint8Array, offset: number): number {
    const header = this.header!;
    const take = Math.min(header.length - this.filled, chunk.length - offset);
    const part = take === chunk.length ? chunk : chunk.subarray(offset, offset + take);
    this.payload.set(part, this.filled);
    this.filled += take;
    if (!isControl(header.opcode)) this.handler.onPayloadPart?.(header, part);
    if (this.filled === header.length) {
      const payload = this.payload;
      this.header = null;
      this.payload = EMPTY;
      this.state = State.INFO;
      this.emit(header, payload);
    }
    return offset + take;
  }

  private emit(header: FrameHeader, payload: Uint8Array): void {
    this.handler.onFrame({ fin: header.fin, rsv1: header.rsv1, rsv2: false, rsv3: false, opcode: header.opcode, payload });
  }
}
