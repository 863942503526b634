/**
 * ClientFrameReader: the test server's side of framing. It decodes the
 * masked frames a client sends, deliberately written apart from the client's
 * own parser so that tests check the encoder against an independent reading.
 */

/** A frame as the client sent it, unmasked. */
export interface ClientFrame {
  /** FIN: the last frame of its message. */
  readonly fin: boolean;
  /** RSV1: set on the first frame of a compressed message (RFC 7692 §6). */
  readonly rsv1: boolean;
  /** The opcode (`Opcode` of `lomond` names them). */
  readonly opcode: number;
  /** True when the client masked it (RFC 6455 §5.3 requires it). */
  readonly masked: boolean;
  /** The payload, unmasked. */
  readonly payload: Uint8Array;
}

/** Accumulates bytes and returns the complete frames they hold. */
export class ClientFrameReader {
  private buffer = new Uint8Array(0);

  /** Feeds bytes; returns every frame completed by them. */
  push(chunk: Uint8Array): ClientFrame[] {
    const joined = new Uint8Array(this.buffer.length + chunk.length);
    joined.set(this.buffer, 0);
    joined.set(chunk, this.buffer.length);
    this.buffer = joined;
    const frames: ClientFrame[] = [];
    for (;;) {
      const frame = this.next();
      if (frame === null) return frames;
      frames.push(frame);
    }
  }

  private next(): ClientFrame | null {
    const b = this.buffer;
    if (b.length < 2) return null;
    const masked = (b[1]! & 0x80) !== 0;
    let length = b[1]! & 0x7f;
    let offset = 2;
    if (length === 126) {
      if (b.length < 4) return null;
      length = (b[2]! << 8) | b[3]!;
      offset = 4;
    } else if (length === 127) {
      if (b.length < 10) return null;
      length = Number(new DataView(b.buffer, b.byteOffset + 2, 8).getBigUint64(0));
      offset = 10;
    }
    const keyAt = offset;
    if (masked) offset += 4;
    if (b.length < offset + length) return null;
    const payload = b.slice(offset, offset + length);
    if (masked) for (let i = 0; i < payload.length; i++) payload[i]! ^= b[keyAt + (i & 3)]!;
    this.buffer = b.subarray(offset + length);
    return { fin: (b[0]! & 0x80) !== 0, rsv1: (b[0]! & 0x40) !== 0, opcode: b[0]! & 0x0f, masked, payload };
  }
}
