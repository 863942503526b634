/**
 * FrameParser: a streaming parser of server frames (RFC 6455 §5.2) as an
 * explicit state machine. Bytes may arrive split anywhere — one at a time
 * works. Payloads that lie in one chunk are handed out as zero-copy views;
 * others are gathered into one buffer allocated once, when the header says
 * how long the payload is. The first violation throws and the parser then
 * ignores all further input.
 *
 * @see https://www.rfc-editor.org/rfc/rfc6455#section-5.2
 */
import { CriticalProtocolError, PayloadTooLargeError, ProtocolError } from './errors.js';
import type { Frame, FrameHeader } from './frame.js';
import { isControl, isReserved } from './opcode.js';

/** Receives what the parser finds. */
export interface FrameHandler {
  /** The header is complete, before any payload byte. */
  onFrameStart?(header: FrameHeader): void;
  /** Each non-empty slice of a non-control frame's payload, in order, as it arrives (zero-copy). */
  onPayloadPart?(header: FrameHeader, part: Uint8Array): void;
  /** The complete frame. */
  onFrame(frame: Frame): void;
}

/** Limits and negotiated features. */
export interface FrameParserOptions {
  /** Largest payload accepted, in bytes. */
  maxPayload: number;
  /** RSV1 allowed on data frames (permessage-deflate negotiated). */
  allowRsv1?: boolean;
  /** Allocator for payloads that span chunks. */
  alloc?: (size: number) => Uint8Array;
}

const enum State {
  HEADER,
  PAYLOAD,
  FAILED,
}

const EMPTY = new Uint8Array(0);

/** Parses the server's byte stream into frames. */
export class FrameParser {
  /** True once permessage-deflate was negotiated. */
  allowRsv1: boolean;
  private state = State.HEADER;
  private readonly maxPayload: number;
  private readonly alloc: (size: number) => Uint8Array;
  /** Header bytes gathered across chunks (at most 10: servers never mask). */
  private readonly headerBytes = new Uint8Array(10);
  private headerFill = 0;
  private header: FrameHeader | null = null;
  private payload: Uint8Array | null = null;
  private filled = 0;

  constructor(
    private readonly handler: FrameHandler,
    options: FrameParserOptions,
  ) {
    this.maxPayload = options.maxPayload;
    this.allowRsv1 = options.allowRsv1 ?? false;
    this.alloc = options.alloc ?? ((size) => new Uint8Array(size));
  }

  /** Feeds a chunk. Throws {@link ProtocolError} (or a subclass) at the first violation. */
  push(chunk: Uint8Array): void {
    if (this.state === State.FAILED) return;
    try {
      let offset = 0;
      while (offset < chunk.length || (this.state === State.PAYLOAD && this.header!.length === 0)) {
        offset = this.state === State.HEADER ? this.readHeader(chunk, offset) : this.readPayload(chunk, offset);
        if (offset < 0) return;
      }
    } catch (error) {
      this.state = State.FAILED;
      throw error;
    }
  }

  /** HEADER state: returns the new offset, or -1 when the chunk ended mid-header. */
  private readHeader(chunk: Uint8Array, offset: number): number {
    const available = chunk.length - offset;
    let b0: number;
    let b1: number;
    let source: Uint8Array;
    let at: number;
    if (this.headerFill === 0 && available >= 2) {
      // Fast path: the header starts in this chunk.
      b0 = chunk[offset]!;
      b1 = chunk[offset + 1]!;
      const size = this.checkFirstBytes(b0, b1);
      if (available < size) return this.stash(chunk, offset);
      source = chunk;
      at = offset + 2;
      this.startFrame(b0, b1, source, at);
      return offset + size;
    }
    // Slow path: gather the header across chunks.
    while (this.headerFill < 2 && offset < chunk.length) this.headerBytes[this.headerFill++] = chunk[offset++]!;
    if (this.headerFill < 2) return -1;
    b0 = this.headerBytes[0]!;
    b1 = this.headerBytes[1]!;
    const size = this.checkFirstBytes(b0, b1);
    while (this.headerFill < size && offset < chunk.length) this.headerBytes[this.headerFill++] = chunk[offset++]!;
    if (this.headerFill < size) return -1;
    this.headerFill = 0;
    this.startFrame(b0, b1, this.headerBytes, 2);
    return offset;
  }

  private stash(chunk: Uint8Array, offset: number): number {
    this.headerBytes.set(chunk.subarray(offset), 0);
    this.headerFill = chunk.length - offset;
    return -1;
  }

  /** Validates the first two header bytes; returns the full header size. */
  private checkFirstBytes(b0: number, b1: number): number {
    const opcode = b0 & 0x0f;
    // RFC 6455 §5.1: "A client MUST close a connection if it detects a masked frame."
    if (b1 & 0x80) throw new CriticalProtocolError('masked frame from server');
    // RFC 6455 §5.2: "If a nonzero value is received and none of the negotiated extensions defines the meaning
    // of such a nonzero value, the receiving endpoint MUST _Fail the WebSocket Connection_."
    const rsv = b0 & 0x70;
    if (rsv & 0x30 || (rsv & 0x40 && (!this.allowRsv1 || isControl(opcode)))) {
      throw new ProtocolError(`reserved bits set 0x${rsv.toString(16)}`);
    }
    // RFC 6455 §5.2: "If an unknown opcode is received, the receiving endpoint MUST _Fail the WebSocket Connection_."
    if (isReserved(opcode)) throw new ProtocolError(`invalid opcode 0x${opcode.toString(16)}`);
    const length7 = b1 & 0x7f;
    if (isControl(opcode)) {
      // RFC 6455 §5.5: "All control frames MUST have a payload length of 125 bytes or less and MUST NOT be fragmented."
      if (!(b0 & 0x80)) throw new ProtocolError('fragmented control frame');
      if (length7 > 125) throw new ProtocolError('control frame payload exceeds 125 bytes');
    }
    return length7 < 126 ? 2 : length7 === 126 ? 4 : 10;
  }

  /** Reads the extended length from `bytes[at…]`, checks limits, and enters PAYLOAD. */
  private startFrame(b0: number, b1: number, bytes: Uint8Array, at: number): void {
    let length = b1 & 0x7f;
    if (length === 126) {
      length = (bytes[at]! << 8) | bytes[at + 1]!;
    } else if (length === 127) {
      // RFC 6455 §5.2: "the most significant bit MUST be 0".
      if (bytes[at]! & 0x80) throw new CriticalProtocolError('invalid 64-bit payload length');
      const high = ((bytes[at]! << 24) | (bytes[at + 1]! << 16) | (bytes[at + 2]! << 8) | bytes[at + 3]!) >>> 0;
      const low = ((bytes[at + 4]! << 24) | (bytes[at + 5]! << 16) | (bytes[at + 6]! << 8) | bytes[at + 7]!) >>> 0;
      if (high > 0x1fffff) throw new PayloadTooLargeError(`frame payload of 2^${Math.floor(Math.log2(high)) + 32}+ bytes exceeds ${this.maxPayload}`);
      length = high * 0x100000000 + low;
    }
    if (length > this.maxPayload) throw new PayloadTooLargeError(`frame payload of ${length} bytes exceeds ${this.maxPayload}`);
    const header: FrameHeader = {
      fin: (b0 & 0x80) !== 0,
      rsv1: (b0 & 0x40) !== 0,
      rsv2: false,
      rsv3: false,
      opcode: b0 & 0x0f,
      masked: false,
      length,
    };
    this.header = header;
    this.state = State.PAYLOAD;
    this.handler.onFrameStart?.(header);
  }

  /** PAYLOAD state: returns the new offset. */
  private readPayload(chunk: Uint8Array, offset: number): number {
    const header = this.header!;
    const control = isControl(header.opcode);
    if (this.payload === null) {
      if (header.length === 0) {
        this.finish(EMPTY);
        return offset;
      }
      if (chunk.length - offset >= header.length) {
        // Zero-copy: the whole payload is in this chunk.
        const end = offset + header.length;
        const payload = chunk.subarray(offset, end);
        if (!control) this.handler.onPayloadPart?.(header, payload);
        this.finish(payload);
        return end;
      }
      this.payload = this.alloc(header.length);
      this.filled = 0;
    }
    const take = Math.min(header.length - this.filled, chunk.length - offset);
    const part = chunk.subarray(offset, offset + take);
    this.payload.set(part, this.filled);
    this.filled += take;
    if (!control) this.handler.onPayloadPart?.(header, part);
    if (this.filled === header.length) {
      const payload = this.payload;
      this.payload = null;
      this.finish(payload);
    }
    return offset + take;
  }

  private finish(payload: Uint8Array): void {
    const header = this.header!;
    this.header = null;
    this.state = State.HEADER;
    this.handler.onFrame({ fin: header.fin, rsv1: header.rsv1, rsv2: false, rsv3: false, opcode: header.opcode, payload });
  }
}
