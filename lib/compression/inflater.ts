/**
 * MessageInflater: decompresses permessage-deflate messages (RFC 7692 §7.2.2)
 * within a size bound that is enforced while inflating, two ways:
 *
 * - **synchronously** ({@link MessageInflater.inflateSync}), for a message
 *   whose compressed payload has at most {@link SYNC_INFLATE_MAX_INPUT}
 *   bytes: one `inflateRawSync` call, no threadpool round trip (which costs
 *   several times the inflating of a small message). Its output is bounded by
 *   zlib's `maxOutputLength`, at min(`maxSize`, {@link SYNC_INFLATE_MAX_OUTPUT}),
 *   so the event loop never blocks long: a message that goes past it takes
 *   the async way instead (or, when the bound is `maxSize`, fails with 1009).
 * - **asynchronously** ({@link MessageInflater.inflate}), on one persistent
 *   raw inflate stream per connection (the event loop never blocks on a big
 *   message): the output is counted chunk by chunk (zlib hands out 64 KiB at
 *   a time) and the stream is destroyed as soon as the total would pass
 *   `maxSize`, so a decompression bomb never holds more than `maxSize` bytes
 *   of output. Each output chunk may also go through a check (incremental
 *   UTF-8 validation) that stops the inflation at the first bad chunk.
 *
 * With context takeover both ways share the LZ77 window: the inflater keeps
 * the last 2^windowBits bytes of output itself ({@link InflateWindow}); a
 * synchronous inflate starts from them as its preset dictionary, and so does
 * the next async stream after one (the old stream, which never saw that
 * message, is dropped). One message at a time, in the caller's order.
 *
 * ```
 * small, small, large, small (context takeover):
 * sync(dict=W0)→W1  sync(dict=W1)→W2  stream(dictionary=W2) async→W3  sync(dict=W3)→W4
 * ```
 *
 * @see https://www.rfc-editor.org/rfc/rfc7692#section-7.2.2
 */
import { constants, createInflateRaw, inflateRawSync, type InflateRaw, type ZlibOptions } from 'node:zlib';
import { PayloadTooLargeError, ProtocolError } from '../core/errors.js';
import { Status } from '../core/status.js';
import { InflateWindow } from './inflate-window.js';
import { OUTPUT_CHUNK, ZlibMessageStream, type ZlibJob, type ZlibMessageStreamOptions } from './zlib-message-stream.js';

/** RFC 7692 §7.2.2: "Append 4 octets of 0x00 0x00 0xff 0xff to the tail end of the payload of the message." */
export const DEFLATE_TAIL: Uint8Array = Uint8Array.of(0x00, 0x00, 0xff, 0xff);

/** Options of a {@link MessageInflater}. */
export interface InflaterOptions extends ZlibMessageStreamOptions {
  /** The negotiated `server_max_window_bits`, 8–15 (8 inflates with 9, see window-bits). */
  readonly windowBits: number;
  /** `server_no_context_takeover`: start every message with a fresh context. */
  readonly noContextTakeover: boolean;
  /** Largest inflated message, bytes (`maxMessageSize`). */
  readonly maxSize: number;
  /** Inflate synchronously a message of at most this many compressed bytes (default {@link SYNC_INFLATE_MAX_INPUT}; 0: never). */
  readonly syncMaxInput?: number;
  /** Most output of a synchronous inflate (default {@link SYNC_INFLATE_MAX_OUTPUT}; never more than `maxSize`). */
  readonly syncMaxOutput?: number;
}

/**
 * Compressed payloads of at most this many bytes are inflated synchronously. Measured on the bench's
 * market-data JSON (≈ 3.5× compression), Node 20, idle 2-core VM: a synchronous inflate costs 10 µs at 1 KiB
 * of output, 41 µs at 16 KiB, 165 µs at 64 KiB (18 KiB compressed); the async way 40, 124 and 347 µs of
 * wall time (more under load: a threadpool round trip, ≈ 370 µs on a busy machine). Synchronous stays
 * cheaper at every size, so the limit is about how long one message may hold the event loop: 16 KiB
 * compressed is ≈ 150 µs of such JSON.
 */
export const SYNC_INFLATE_MAX_INPUT = 16 * 1024;

/**
 * The most output a synchronous inflate may make (zlib's `maxOutputLength`): ≈ 0.2–0.7 ms of zlib work.
 * A small payload that inflates to more (very compressible data, or a bomb) is inflated the async way.
 */
export const SYNC_INFLATE_MAX_OUTPUT = 256 * 1024;

/** The code Node gives an error ('Z_DATA_ERROR' from zlib, 'ERR_BUFFER_TOO_LARGE', …), if any. */
function errorCode(error: unknown): string | undefined {
  // Not `instanceof Error`: an error from another realm (a vm context, jest's sandbox) is one too.
  const code = typeof error === 'object' && error !== null ? (error as { code?: unknown }).code : undefined;
  return typeof code === 'string' ? code : undefined;
}

/** RFC 7692 §8: invalid deflate data; ws closes with 1007 too ("invalid data" for the message). */
const invalidData = (error: Error): ProtocolError => new ProtocolError(`invalid compressed data (${error.message})`, Status.BAD_DATA);

/** What `inflateRawSync` returns with `info: true` (the engine tells how much input it consumed). */
interface SyncResult {
  readonly buffer: Buffer;
  readonly engine: { readonly bytesWritten: number };
}

/** Sees each inflated chunk in order; returning false stops the message with 1007 "invalid utf-8". */
export type ChunkCheck = (chunk: Uint8Array) => boolean;

/** Receives the inflated message, or the protocol error that stopped it. */
export type InflateCallback = (error: ProtocolError | null, data: Buffer | null) => void;

/** Inflates one message at a time on a persistent zlib stream. */
export class MessageInflater extends ZlibMessageStream<InflateRaw, ProtocolError> {
  private readonly maxSize: number;
  private readonly syncMaxInput: number;
  /** maxOutputLength of a synchronous inflate: min(maxSize, syncMaxOutput), at least 1 (zlib's minimum). */
  private readonly syncMaxOutput: number;
  /** The shared LZ77 window (context takeover only). */
  private readonly window: InflateWindow | null;
  /** The check of the message in progress. */
  private check: ChunkCheck | null = null;

  /** @throws RangeError for window bits outside 8–15 */
  constructor(options: InflaterOptions) {
    super(options, 'inflate');
    this.maxSize = options.maxSize;
    this.syncMaxInput = options.syncMaxInput ?? SYNC_INFLATE_MAX_INPUT;
    this.syncMaxOutput = Math.max(1, Math.min(options.maxSize, options.syncMaxOutput ?? SYNC_INFLATE_MAX_OUTPUT));
    this.window = options.noContextTakeover ? null : new InflateWindow(2 ** this.windowBits);
  }

  /**
   * Inflates one message's payload (the joined frames, without the tail) synchronously, when it is small
   * enough: at most `syncMaxInput` compressed bytes, and at most min(`maxSize`, `syncMaxOutput`) inflated.
   * The whole output goes through `check` once.
   *
   * @param data - the compressed payload
   * @param check - optional check of the output (e.g. UTF-8), or null
   * @returns the data; or a {@link PayloadTooLargeError} (1009) or a {@link ProtocolError} (1007); or null
   *   when the message must go through {@link inflate} instead (too large for a synchronous call), which
   *   then starts from the same context: nothing of this attempt is kept
   * @throws Error when a message is already in progress (callers wait for its `done`), or after close
   */
  inflateSync(data: Uint8Array, check: ChunkCheck | null): Buffer | ProtocolError | null {
    if (this.closed) throw new Error('inflater is closed');
    if (this.busy) throw new Error('inflate already in progress');
    if (data.length > this.syncMaxInput) return null;
    const input = withTail(data);
    const window = this.window;
    const options: ZlibOptions & { info: true } = {
      windowBits: this.windowBits,
      finishFlush: constants.Z_SYNC_FLUSH,
      maxOutputLength: this.syncMaxOutput,
      chunkSize: syncChunkSize(data.length, this.syncMaxOutput),
      info: true,
    };
    const dictionary = window?.view() ?? null;
    if (dictionary !== null) options.dictionary = dictionary;
    let result: SyncResult;
    try {
      result = inflateRawSync(input, options) as unknown as SyncResult;
    } catch (error) {
      const code = errorCode(error);
      if (code === 'ERR_BUFFER_TOO_LARGE') {
        // zlib stopped at the bound, with at most one chunk more than it made (then dropped).
        if (this.syncMaxOutput < this.maxSize) return null;
        return new PayloadTooLargeError(`inflated message exceeds ${this.maxSize} bytes`);
      }
      if (code?.startsWith('Z_') === true) return invalidData(error as Error);
      throw error;
    }
    const out = result.buffer;
    if (check !== null && out.length > 0 && !check(out)) return new ProtocolError('invalid utf-8', Status.BAD_DATA);
    if (window !== null) {
      // Input left over (the tail, at least): the message ended with a final block, and the next one starts afresh.
      if (result.engine.bytesWritten < input.length) window.clear();
      else window.push(out);
      // The async stream missed this message: the next async one starts on a new stream, from the window.
      this.dropStream();
    }
    return out;
  }

  /**
   * Inflates one message's payload (the joined frames, without the tail) asynchronously.
   * `done` is called once, asynchronously, unless the inflater is closed first.
   *
   * @param data - the compressed payload
   * @param check - optional per-chunk check (e.g. UTF-8), or null
   * @param done - receives the data, or a {@link PayloadTooLargeError} (1009) or a {@link ProtocolError} (1007)
   * @throws Error when a message is already in progress (callers wait for `done`), or after close
   */
  inflate(data: Uint8Array, check: ChunkCheck | null, done: InflateCallback): void {
    // One write with the tail: one zlib job per output chunk, not separate ones for the data and the tail.
    this.start(withTail(data), done);
    // After start (which refuses a second message): zlib's output always arrives later, asynchronously.
    this.check = check;
  }

  protected override dictionary(): Uint8Array | null {
    // A new stream starts from the window: after synchronous messages it holds what the stream would have
    // seen (otherwise it is empty: a fresh context, or no context takeover).
    return this.window?.view() ?? null;
  }

  protected override output(data: Buffer, ended: boolean): Buffer {
    const window = this.window;
    if (window !== null) {
      if (ended) window.clear();
      else window.push(data);
    }
    return data;
  }

  protected createStream(options: ZlibOptions): InflateRaw {
    return createInflateRaw(options);
  }

  protected streamError(error: Error): ProtocolError {
    return invalidData(error);
  }

  protected received(job: ZlibJob<ProtocolError>, chunk: Buffer): void {
    job.total += chunk.length;
    if (job.total > this.maxSize) {
      // Stop at once: this chunk is dropped and the stream destroyed, so no more output is made.
      this.fail(new PayloadTooLargeError(`inflated message exceeds ${this.maxSize} bytes`));
      return;
    }
    if (this.check !== null && !this.check(chunk)) {
      this.fail(new ProtocolError('invalid utf-8', Status.BAD_DATA));
      return;
    }
    job.chunks.push(chunk);
  }
}

/** The payload followed by the 4-octet tail, in one buffer (one write, one zlib call). */
function withTail(data: Uint8Array): Buffer {
  const input = Buffer.allocUnsafe(data.length + DEFLATE_TAIL.length);
  input.set(data, 0);
  input.set(DEFLATE_TAIL, data.length);
  return input;
}

/**
 * zlib's output chunk for a synchronous inflate: about 4× the compressed size as a power of two, 1–64 KiB
 * (so a small message's data does not hold a 16 KiB buffer, and a larger one is not made of many chunks).
 */
function syncChunkSize(compressed: number, bound: number): number {
  let size = 1024;
  while (size < compressed * 4 && size < OUTPUT_CHUNK) size *= 2;
  return Math.min(size, Math.max(64, bound));
}
