/**
 * FrameWriter: builds the client's frames (RFC 6455 §5.2, masked with a
 * fresh key each, §5.3) straight into one buffer per frame and hands them to
 * the output sink. Pure: the sink, the key source, the allocator and the
 * UTF-8 codec are injected.
 *
 * @see https://www.rfc-editor.org/rfc/rfc6455#section-5.3
 */
import { frameHeaderSize, writeFrameHeader } from './frame.js';
import { mask, unmask } from './mask.js';
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
   * gathers a tick's small writes into one buffer); null when the frame must go through `write` (it would wait,
   * or the sink has no such room). Filled before the sink is used again.
   */
  writable?(size: number): Uint8Array | null;
}

/** Writes masked frames to a sink. */
export class FrameWriter {
  constructor(
    /** Receives every frame, in order. */
    readonly output: ByteSink,
    private readonly maskKey: () => Uint8Array,
    private readonly alloc: (size: number) => Uint8Array,
    private readonly codec: TextCodec,
  ) {}

  /** A text frame, encoded straight into the frame buffer and masked in place (one copy). */
  writeText(text: string): void {
    const length = this.codec.byteLength(text);
    const headerSize = frameHeaderSize(length, true);
    const place = this.place(headerSize + length);
    const buffer = place ?? this.alloc(headerSize + length);
    const key = this.maskKey();
    writeFrameHeader(buffer, 0, Opcode.TEXT, length, key, undefined);
    this.codec.write(text, buffer, headerSize);
    unmask(buffer.subarray(headerSize), key);
    if (place === null) this.output.write(buffer);
  }

  /** A frame with `payload` masked into it; the caller's buffer is never modified. */
  writeFrame(opcode: number, payload: Uint8Array, rsv1 = false): void {
    const size = frameHeaderSize(payload.length, true) + payload.length;
    const place = opcode === Opcode.BINARY ? this.place(size) : null;
    if (place !== null) this.encodeInto(place, opcode, payload, rsv1, true);
    else this.output.write(this.encodeInto(this.alloc(size), opcode, payload, rsv1, true));
  }

  /** Room in the sink for a data frame, or null (see {@link ByteSink.writable}). */
  private place(size: number): Uint8Array | null {
    return this.output.writable !== undefined ? this.output.writable(size) : null;
  }

  /**
   * The masked frame for `payload`, returned instead of written (for a caller that decides where it goes in
   * the order: a compressed message's reserved place, a fragment of a streamed message). The caller's buffer
   * is copied into the frame and never modified.
   */
  encode(opcode: number, payload: Uint8Array, rsv1: boolean, fin: boolean): Uint8Array {
    return this.encodeInto(this.alloc(frameHeaderSize(payload.length, true) + payload.length), opcode, payload, rsv1, fin);
  }

  /** Writes the masked frame into `buffer` (exactly its size) and returns it. */
  private encodeInto(buffer: Uint8Array, opcode: number, payload: Uint8Array, rsv1: boolean, fin: boolean): Uint8Array {
    const key = this.maskKey();
    const headerSize = writeFrameHeader(buffer, 0, opcode, payload.length, key, rsv1 || !fin ? { rsv1, fin } : undefined);
    mask(payload, key, buffer, headerSize);
    return buffer;
  }
}
