/**
 * FrameParser: a streaming parser of the frames a server sends (RFC 6455
 * §5.2), as an explicit state machine with one method per state:
 *
 * ```
 *   INFO ──(7-bit length)──────────────────┬──▶ (payload in the chunk: the frame, whole) ──▶ INFO …
 *     └──(16/64-bit length)──▶ LENGTH ─────┴──▶ DATA or CONTROL (payload spans chunks) ───▶ INFO …
 *   a Close frame ──▶ CLOSED, any violation ──▶ FAILED (all later input is ignored)
 * ```
 *
 * Bytes may arrive split anywhere (one at a time works). The parser never
 * buffers a data payload: a frame whose payload lies in the chunk is handed
 * out whole as one zero-copy view, and one that spans chunks slice by slice,
 * each a view of the chunk it arrived in; the handler (the message assembler)
 * keeps what it needs, so memory follows the bytes received, never the length
 * a header announces. Only a control payload (at most 125 bytes) that spans
 * chunks is gathered, into a buffer of its exact length. The caller must not
 * modify a chunk after pushing it. The header rules are in `frame-header`.
 *
 * @see https://www.rfc-editor.org/rfc/rfc6455#section-5.2
 */
import { PayloadTooLargeError } from './errors.js';
import { checkInfo, readLength64 } from './frame-header.js';
import { Opcode, isControl } from './opcode.js';

/**
 * Receives what the parser finds, synchronously, in stream order. A data frame (text, binary or continuation)
 * comes either whole, in one `onDataFrame` call, when its payload lies in the chunk that completed its header,
 * or as `onDataStart`, `onDataPart`…, `onDataEnd` when it spans chunks.
 */
export interface FrameHandler {
  /** A valid data frame whose payload lies whole in one chunk (or is empty): a zero-copy view of it. */
  onDataFrame(opcode: number, fin: boolean, rsv1: boolean, payload: Uint8Array): void;
  /** A valid data frame header whose payload spans chunks; called before any of its bytes. */
  onDataStart(opcode: number, fin: boolean, rsv1: boolean, length: number): void;
  /** Each non-empty slice of that payload as it arrives: zero-copy views of the pushed chunks, in order. */
  onDataPart(part: Uint8Array): void;
  /** That payload's last byte arrived. */
  onDataEnd(): void;
  /** A complete control frame: close, ping or pong; `payload` (≤ 125 bytes) is a view of the chunk or its own copy. */
  onControl(opcode: number, payload: Uint8Array): void;
}

/** Limits and negotiated features of a {@link FrameParser}. */
export interface FrameParserOptions {
  /** Largest frame payload accepted, in bytes. */
  maxPayload: number;
  /** RSV1 allowed on data frames: permessage-deflate was negotiated (default false). */
  allowRsv1?: boolean;
  /** Allocator for control payloads that span chunks (Node passes `Buffer.allocUnsafe`; default `new Uint8Array`). */
  alloc?: (size: number) => Uint8Array;
}

const enum State {
  /** Waiting for the first two header bytes (FIN, RSV, opcode; MASK, 7-bit length). */
  INFO,
  /** Waiting for the 16- or 64-bit extended payload length. */
  LENGTH,
  /** Passing on a data payload that spans chunks. */
  DATA,
  /** Gathering a control payload that spans chunks. */
  CONTROL,
  /** The peer's Close frame was read: all further input is ignored. */
  CLOSED,
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
 * const parser = new FrameParser({
 *   onDataFrame: (opcode, fin, rsv1, payload) => console.log('frame', opcode, payload),
 *   onDataStart: (opcode, fin, rsv1, length) => console.log('start', opcode, length),
 *   onDataPart: (part) => console.log('part', part),
 *   onDataEnd: () => console.log('end'),
 *   onControl: (opcode, payload) => console.log('control', opcode, payload),
 * }, { maxPayload: 1 << 20 });
 * parser.push(new Uint8Array([0x81, 0x02, 0x68, 0x69])); // frame 1 Uint8Array(2) [104, 105]
 * parser.push(new Uint8Array([0x81, 0x05, 0x48, 0x65])); // start 1 5, part Uint8Array(2) [72, 101]
 * parser.push(new Uint8Array([0x6c, 0x6c, 0x6f]));       // part Uint8Array(3) [108, 108, 111], end
 * ```
 * @see https://www.rfc-editor.org/rfc/rfc6455#section-5.2
 */
export class FrameParser {
  /** True once permessage-deflate was negotiated: RSV1 is then allowed on data frames. */
  allowRsv1: boolean;
  private state = State.INFO;
  private readonly handler: FrameHandler;
  /** Kept as it is (the protocols with the same limits share one): `maxPayload` and `alloc` are read from it. */
  private readonly options: FrameParserOptions;
  /** Header bytes that arrived in an earlier chunk (at most 8: servers never send a mask key); allocated the first time a header is split, not per connection. */
  private stashBytes: Uint8Array | null = null;
  private stashed = 0;
  /**
   * The frame being read whose header or control payload spans chunks: its first header byte (FIN, RSV,
   * opcode) in the low 8 bits and, in LENGTH, the size of the extended length field (2 or 8) above them (one
   * field for what would be three: each is 8 bytes per connection).
   */
  private frame = 0;
  /** Payload bytes of the current frame still to come (DATA, CONTROL). */
  private remaining = 0;
  /** The buffer of a control payload that spans chunks. */
  private control: Uint8Array = EMPTY;

  /** Creates a parser that reports to `handler`. */
  constructor(handler: FrameHandler, options: FrameParserOptions) {
    this.handler = handler;
    this.options = options;
    this.allowRsv1 = options.allowRsv1 ?? false;
  }

  /** True once the peer's Close frame was read: the parser ignores everything after it. */
  get closed(): boolean {
    return this.state === State.CLOSED;
  }

  /** Payload bytes still to come of a data frame that spans chunks (0 between frames). */
  get dataRemaining(): number {
    return this.state === State.DATA ? this.remaining : 0;
  }

  /** Bytes the parser itself holds for a frame in flight (a split header, a control payload). */
  get bufferedBytes(): number {
    return (this.stashBytes?.length ?? 0) + this.control.length;
  }

  /**
   * Feeds a chunk of the stream.
   *
   * @throws `ProtocolError` (or a subclass) at the first violation, also
   *   one thrown by the handler; the parser then ignores all further input
   */
  push(chunk: Uint8Array): void {
    if (this.state >= State.CLOSED) return;
    const end = chunk.length;
    let offset = 0;
    try {
      // RFC 6455 §1.4: "after receiving a control frame indicating the connection should be closed, a peer
      // discards any further data received": a Close frame ends the loop (see emitControl), also mid-chunk.
      while (offset < end) {
        if (this.state === State.INFO) offset = this.readInfo(chunk, offset);
        else if (this.state === State.DATA) offset = this.readData(chunk, offset);
        else if (this.state === State.LENGTH) offset = this.readLength(chunk, offset);
        else offset = this.readControl(chunk, offset);
      }
    } catch (error) {
      this.state = State.FAILED;
      this.control = EMPTY;
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
    const length = checkInfo(b0, b1, this.allowRsv1);
    if (length < 126) return this.startPayload(b0, length, chunk, offset);
    this.frame = b0 | ((length === 126 ? 2 : 8) << 8);
    this.state = State.LENGTH;
    return offset;
  }

  /** LENGTH: reads the 16- or 64-bit payload length; returns the new offset. */
  private readLength(chunk: Uint8Array, offset: number): number {
    const size = this.frame >> 8;
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
    const length = size === 2 ? (bytes[at]! << 8) | bytes[at + 1]! : readLength64(bytes, at, this.options.maxPayload);
    this.state = State.INFO;
    return this.startPayload(this.frame & 0xff, length, chunk, offset);
  }

  /** The header is complete (the state is INFO again): checks the length, then emits what this chunk holds of the frame. */
  private startPayload(b0: number, length: number, chunk: Uint8Array, offset: number): number {
    const maxPayload = this.options.maxPayload;
    if (length > maxPayload) throw new PayloadTooLargeError(`frame payload of ${length} bytes exceeds ${maxPayload}`);
    const opcode = b0 & 0x0f;
    const end = offset + length;
    if (isControl(opcode)) {
      if (end <= chunk.length) return this.emitControl(opcode, length === 0 ? EMPTY : chunk.subarray(offset, end), chunk, end);
      // Spans chunks: gather it (at most 125 bytes, checked in checkInfo).
      this.frame = b0;
      this.control = (this.options.alloc ?? defaultAlloc)(length);
      this.remaining = length;
      this.state = State.CONTROL;
      return offset;
    }
    const fin = (b0 & 0x80) !== 0;
    const rsv1 = (b0 & 0x40) !== 0;
    if (end <= chunk.length) {
      // Fast path: the whole payload is in this chunk: one call, one view.
      this.handler.onDataFrame(opcode, fin, rsv1, length === 0 ? EMPTY : chunk.subarray(offset, end));
      return end;
    }
    this.handler.onDataStart(opcode, fin, rsv1, length);
    this.remaining = length;
    this.state = State.DATA;
    return offset;
  }

  /** DATA: hands out what this chunk holds of a data payload that spans chunks; returns the new offset. */
  private readData(chunk: Uint8Array, offset: number): number {
    const take = Math.min(this.remaining, chunk.length - offset);
    this.remaining -= take;
    if (this.remaining === 0) this.state = State.INFO;
    this.handler.onDataPart(take === chunk.length ? chunk : chunk.subarray(offset, offset + take));
    if (this.remaining === 0) this.handler.onDataEnd();
    return offset + take;
  }

  /** CONTROL: copies what this chunk holds of a control payload that spans chunks; returns the new offset. */
  private readControl(chunk: Uint8Array, offset: number): number {
    const control = this.control;
    const take = Math.min(this.remaining, chunk.length - offset);
    control.set(take === chunk.length ? chunk : chunk.subarray(offset, offset + take), control.length - this.remaining);
    this.remaining -= take;
    if (this.remaining > 0) return offset + take;
    this.control = EMPTY;
    return this.emitControl(this.frame & 0x0f, control, chunk, offset + take);
  }

  /** Emits a control frame and returns the offset to read on at: the chunk's end after a Close frame, which ends `push`'s loop. */
  private emitControl(opcode: number, payload: Uint8Array, chunk: Uint8Array, offset: number): number {
    const close = opcode === Opcode.CLOSE;
    this.state = close ? State.CLOSED : State.INFO;
    this.handler.onControl(opcode, payload);
    return close ? chunk.length : offset;
  }
}
