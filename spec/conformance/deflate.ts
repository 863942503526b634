/**
 * The scripted server's side of permessage-deflate (RFC 7692 §7.2): a
 * per-connection compressor that honours its own context takeover and
 * window bits, and a synchronous inflater for the client's compressed echoes.
 */
import { constants, createDeflateRaw, deflateRawSync, inflateRawSync, type DeflateRaw } from 'node:zlib';
import type { ServerLog, Step } from './scripted-server.js';
import { frame } from './steps.js';

/** RFC 7692 §7.2.1: the 4 octets removed from the tail of each compressed message. */
const TAIL = Buffer.from([0x00, 0x00, 0xff, 0xff]);

const stripTail = (data: Buffer): Buffer => (data.length >= 4 && data.subarray(-4).equals(TAIL) ? data.subarray(0, -4) : data);

/** One message compressed on its own (as the first message of a connection, or without context takeover). */
export const deflateMessage = (data: Uint8Array, windowBits = 15): Buffer =>
  stripTail(deflateRawSync(data, { windowBits, finishFlush: constants.Z_SYNC_FLUSH }));

/** How the server compresses its messages. */
export interface ServerDeflate {
  /** LZ77 window bits of the server's compressor, 9–15 (zlib has no raw 8-bit window). */
  readonly windowBits: number;
  /** Reset the compressor after each message (server_no_context_takeover). */
  readonly noContextTakeover: boolean;
}

/** Compresses the messages of one connection, in order. */
class Compressor {
  private stream: DeflateRaw | null = null;

  constructor(private readonly params: ServerDeflate) {}

  async compress(data: Uint8Array): Promise<Buffer> {
    if (this.params.noContextTakeover) return deflateMessage(data, this.params.windowBits);
    this.stream ??= createDeflateRaw({ windowBits: this.params.windowBits });
    const stream = this.stream;
    const chunks: Buffer[] = [];
    const onData = (chunk: Buffer): number => chunks.push(chunk);
    stream.on('data', onData);
    stream.write(data);
    await new Promise<void>((resolve) => stream.flush(constants.Z_SYNC_FLUSH, () => resolve()));
    stream.off('data', onData);
    return stripTail(Buffer.concat(chunks));
  }

  close(): void {
    this.stream?.close();
  }
}

const compressors = new WeakMap<ServerLog, Compressor>();

/** Frame options of a compressed message. */
export interface CompressedFrameOptions {
  /** Split the compressed payload into this many bytes per frame (RSV1 only on the first). */
  readonly fragment?: number;
}

/**
 * Sends messages compressed with the connection's compressor (one per
 * connection, created at the first use with `params`).
 */
export const sendCompressed =
  (params: ServerDeflate, messages: ReadonlyArray<{ opcode: number; data: Uint8Array }>, options: CompressedFrameOptions = {}): Step =>
  async (ctx) => {
    let compressor = compressors.get(ctx.log);
    if (compressor === undefined) {
      compressor = new Compressor(params);
      compressors.set(ctx.log, compressor);
    }
    const frames: Uint8Array[] = [];
    for (const { opcode, data } of messages) {
      const payload = await compressor.compress(data);
      const size = options.fragment ?? Math.max(payload.length, 1);
      for (let at = 0, first = true; first || at < payload.length; at += size, first = false) {
        const last = at + size >= payload.length;
        frames.push(frame(first ? opcode : 0x0, payload.subarray(at, at + size), { fin: last, rsv1: first }));
      }
    }
    ctx.write(Buffer.concat(frames));
  };

/** Releases the connection's compressor. */
export const releaseCompressor: Step = (ctx) => {
  compressors.get(ctx.log)?.close();
  compressors.delete(ctx.log);
};

/**
 * Inflates the client's messages (those with RSV1) in order; uncompressed
 * ones pass through. With context takeover each message is inflated with
 * the history of all earlier compressed ones, within `windowBits` (the
 * negotiated client_max_window_bits).
 */
export function inflateAll(messages: ReadonlyArray<{ compressed: boolean; data: Buffer }>, noContextTakeover: boolean, windowBits = 15): Buffer[] {
  const history: Buffer[] = [];
  let before = 0;
  // Inflating with the negotiated client window fails ("invalid distance too far back") if the client used a larger
  // one; zlib only looks at its window once the output buffer is flushed, hence the smallest chunk size.
  const options = { finishFlush: constants.Z_SYNC_FLUSH, windowBits, chunkSize: windowBits < 15 ? 64 : undefined };
  return messages.map((m) => {
    if (!m.compressed) return m.data;
    const input = Buffer.concat([m.data, TAIL]);
    if (noContextTakeover) return inflateRawSync(input, options);
    history.push(input);
    const all = inflateRawSync(Buffer.concat(history), options);
    const out = all.subarray(before);
    before = all.length;
    return out;
  });
}
