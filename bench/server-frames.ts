/**
 * The bench server's framing: unmasked server frames out, and a streaming
 * reader of masked client frames in. The reader never concatenates chunks: it
 * keeps at most a 14-byte header and, only for the frames its handler asks
 * to keep, the unmasked payload; every other payload byte is skipped where
 * it lies, so that a 1 MiB send row costs the server a few µs per chunk
 * (concatenating the pending bytes with each chunk, as the first bench server
 * did, made it copy ~8 MiB per 1 MiB message and become the bottleneck).
 */

/** An unmasked server frame with FIN set. */
export function serverFrame(opcode: number, payload: Buffer, rsv1 = false): Buffer {
  const length = payload.length;
  const size = length < 126 ? 2 : length < 65536 ? 4 : 10;
  const out = Buffer.allocUnsafe(size + length);
  out[0] = 0x80 | (rsv1 ? 0x40 : 0) | opcode;
  if (size === 2) out[1] = length;
  else if (size === 4) {
    out[1] = 126;
    out.writeUInt16BE(length, 2);
  } else {
    out[1] = 127;
    out.writeBigUInt64BE(BigInt(length), 2);
  }
  payload.copy(out, size);
  return out;
}

/** What the reader reports to. */
export interface ClientFrameHandler {
  /** Whether to keep (unmask and hand over) the payload of the `index`-th data frame (1-based). Control frames are always kept. */
  keep(index: number): boolean;
  /** One complete frame: `payload` is null for a data frame that was not kept; `length` is its payload length either way. */
  frame(opcode: number, payload: Buffer | null, length: number, fin: boolean): void;
}

const KEEP_LIMIT = 64 * 1024 * 1024;

/** A client frame header's size from its second byte: 2, plus 2 or 8 for an extended length, plus 4 for the mask. */
function headerSize(second: number): number {
  const short = second & 0x7f;
  return 2 + (short === 126 ? 2 : short === 127 ? 8 : 0) + (second & 0x80 ? 4 : 0);
}

/** Streaming reader of client frames (a bench tool: it trusts its peer, but keeps at most 64 MiB of one payload). */
export class ClientFrameReader {
  private readonly header = Buffer.alloc(14);
  private have = 0;
  private need = 2;
  private inPayload = false;
  private opcode = 0;
  private fin = true;
  private length = 0;
  private remaining = 0;
  private readonly mask = Buffer.alloc(4);
  private payload: Buffer | null = null;
  private filled = 0;
  /** Data frames seen so far (continuations included). */
  dataFrames = 0;
  /** Payload bytes of data frames seen so far. */
  dataBytes = 0;

  constructor(private readonly handler: ClientFrameHandler) {}

  push(chunk: Buffer): void {
    let at = 0;
    while (at < chunk.length) {
      if (!this.inPayload) {
        // The usual case, the second byte within this chunk: the header's size at once, read in one go.
        if (this.have === 0 && at + 2 <= chunk.length) this.need = headerSize(chunk[at + 1]!);
        const n = Math.min(this.need - this.have, chunk.length - at);
        const header = this.header;
        for (let i = 0; i < n; i++) header[this.have + i] = chunk[at + i]!;
        this.have += n;
        at += n;
        if (this.have === 2) this.need = headerSize(this.header[1]!);
        if (this.have === this.need) this.startPayload();
      } else {
        const n = Math.min(this.remaining, chunk.length - at);
        if (this.payload) {
          const mask = this.mask;
          const payload = this.payload;
          for (let i = 0; i < n; i++) payload[this.filled + i] = chunk[at + i]! ^ mask[(this.filled + i) & 3]!;
          this.filled += n;
        }
        this.remaining -= n;
        at += n;
        if (this.remaining === 0) this.endFrame();
      }
    }
  }

  private startPayload(): void {
    const h = this.header;
    this.fin = (h[0]! & 0x80) !== 0;
    this.opcode = h[0]! & 0x0f;
    const short = h[1]! & 0x7f;
    this.length = short === 126 ? h.readUInt16BE(2) : short === 127 ? Number(h.readBigUInt64BE(2)) : short;
    const maskAt = short === 126 ? 4 : short === 127 ? 10 : 2;
    const data = this.opcode < 8;
    if (data) {
      this.dataFrames++;
      this.dataBytes += this.length;
    }
    const keep = !data || this.handler.keep(this.dataFrames);
    const masked = (h[1]! & 0x80) !== 0;
    if (keep) for (let i = 0; i < 4; i++) this.mask[i] = masked ? h[maskAt + i]! : 0;
    this.payload = keep ? Buffer.allocUnsafe(Math.min(this.length, KEEP_LIMIT)) : null;
    this.filled = 0;
    this.remaining = this.length;
    this.inPayload = true;
    if (this.remaining === 0) this.endFrame();
  }

  private endFrame(): void {
    const payload = this.payload && this.filled < this.payload.length ? this.payload.subarray(0, this.filled) : this.payload;
    this.inPayload = false;
    this.have = 0;
    this.need = 2;
    this.payload = null;
    this.handler.frame(this.opcode, payload, this.length, this.fin);
  }
}
