/**
 * FrameWriter: builds the client's frames (RFC 6455 §5.2, masked with a
 * fresh key each, §5.3) straight into one buffer per frame and hands them to
 * the output sink. Pure: the sink, the key source, the allocator and the
 * UTF-8 codec are injected.
 *
 * @see https://www.rfc-editor.org/rfc/rfc6455#section-5.3
 */
import { frameHeaderSize, writeDataFrameHeader, writeFrameHeader } from './frame.js';
import { mask, maskInPlace } from './mask.js';
import { Opcode } from './opcode.js';
import type { TextCodec } from './text-codec.js';

/** Where a {@link ClientProtocol} writes its frames. */
export interface ByteSink {
  write(data: Uint8Array): void;
  /**
   * True while the sink's write buffer is over its high-water mark (the transport asked to wait for `drain`).
   * Absent or false: writes go out freely. While it is true, automatic pongs are not queued but coalesced
   * (see `ClientProtocol.drained`).
   */
  readonly needsDrain?: boolean;
  /**
   * Room for a frame of `size` bytes written in place, in order, as if passed to `write` now (a transport that
   * gathers a tick's small writes into one buffer): its offset in {@link writableBuffer}; -1 when the frame
   * must go through `write` (it would wait, or the sink has no such room). Filled before the sink is used again.
   */
  writable?(size: number): number;
  /** The buffer the last {@link writable} offset points into. */
  readonly writableBuffer?: Uint8Array;
}

/** How frames are made: the key source, the allocator and the UTF-8 codec (one object, shared by the writers that use the same). */
export interface FrameEncoding {
  /** A fresh 4-byte masking key per call. */
  readonly maskKey: () => Uint8Array;
  readonly alloc: (size: number) => Uint8Array;
  readonly codec: TextCodec;
}

/**
 * Writes masked frames to a sink. The client protocol is one (it writes its frames with these methods after its
 * own state checks): one object per connection instead of two.
 */
export class FrameWriter<Encoding extends FrameEncoding = FrameEncoding> {
  /** @param encoding - kept as it is (connections with the same platform share one) */
  constructor(
    /** Receives every frame, in order. */
    readonly output: ByteSink,
    protected readonly encoding: Encoding,
  ) {}

  /** A text frame, encoded straight into the frame buffer and masked in place (one copy). */
  writeText(text: string): void {
    const { codec, alloc } = this.encoding;
    const length = codec.byteLength(text);
    const headerSize = frameHeaderSize(length, true);
    const at = this.place(headerSize + length);
    const buffer = at < 0 ? alloc(headerSize + length) : this.output.writableBuffer!;
    const start = at < 0 ? 0 : at;
    const key = this.encoding.maskKey();
    writeDataFrameHeader(buffer, start, Opcode.TEXT, length, key);
    codec.write(text, buffer, start + headerSize);
    maskInPlace(buffer, start + headerSize, length, key);
    if (at < 0) this.output.write(buffer);
  }

  /** A frame with `payload` masked into it; the caller's buffer is never modified. */
  writeFrame(opcode: number, payload: Uint8Array, rsv1 = false): void {
    const size = frameHeaderSize(payload.length, true) + payload.length;
    const at = opcode === Opcode.BINARY && !rsv1 ? this.place(size) : -1;
    if (at >= 0) this.encodeBinaryInto(this.output.writableBuffer!, at, payload);
    else this.output.write(this.encodeInto(this.encoding.alloc(size), 0, opcode, payload, rsv1, true));
  }

  /** A binary frame (final, uncompressed) for `payload`, written into the sink's room at `at`. */
  private encodeBinaryInto(buffer: Uint8Array, at: number, payload: Uint8Array): void {
    const key = this.encoding.maskKey();
    mask(payload, key, buffer, at + writeDataFrameHeader(buffer, at, Opcode.BINARY, payload.length, key));
  }

  /** Room in the sink for a data frame: its offset in the sink's `writableBuffer`, or -1 (see {@link ByteSink.writable}). */
  private place(size: number): number {
    return this.output.writable !== undefined ? this.output.writable(size) : -1;
  }

  /**
   * The masked frame for `payload`, returned instead of written (for a caller that decides where it goes in
   * the order: a compressed message's reserved place, a fragment of a streamed message). The caller's buffer
   * is copied into the frame and never modified.
   */
  encode(opcode: number, payload: Uint8Array, rsv1: boolean, fin: boolean): Uint8Array {
    return this.encodeInto(this.encoding.alloc(frameHeaderSize(payload.length, true) + payload.length), 0, opcode, payload, rsv1, fin);
  }

  /** Writes the masked frame into `buffer` at `at` (room for exactly the frame) and returns the buffer. */
  private encodeInto(buffer: Uint8Array, at: number, opcode: number, payload: Uint8Array, rsv1: boolean, fin: boolean): Uint8Array {
    const key = this.encoding.maskKey();
    const headerSize = writeFrameHeader(buffer, at, opcode, payload.length, key, rsv1 || !fin ? { rsv1, fin } : undefined);
    mask(payload, key, buffer, at + headerSize);
    return buffer;
  }
}
