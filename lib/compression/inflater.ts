/**
 * MessageInflater: decompresses permessage-deflate messages (RFC 7692 §7.2.2)
 * with one persistent raw inflate stream per connection, asynchronously (the
 * event loop never blocks on a big message) and within a size bound that is
 * enforced while inflating: the output is counted chunk by chunk (zlib hands
 * out 64 KiB at a time) and the stream is destroyed as soon as the total would
 * pass `maxSize`, so a decompression bomb never holds more than `maxSize`
 * bytes of output. Each output chunk may also go through a check (incremental
 * UTF-8 validation) that stops the inflation at the first bad chunk.
 *
 * @see https://www.rfc-editor.org/rfc/rfc7692#section-7.2.2
 */
import { constants, createInflateRaw, type InflateRaw } from 'node:zlib';
import { PayloadTooLargeError, ProtocolError } from '../core/errors.js';
import { Status } from '../core/status.js';
import { zlibWindowBits } from './window-bits.js';
import { zlibLimiter, type ZlibLimiter, type ZlibTicket } from './zlib-limiter.js';

/** RFC 7692 §7.2.2: "Append 4 octets of 0x00 0x00 0xff 0xff to the tail end of the payload of the message." */
export const DEFLATE_TAIL: Uint8Array = Uint8Array.of(0x00, 0x00, 0xff, 0xff);

/**
 * zlib's output chunk: the size bound is checked (and the UTF-8 check runs) once per chunk, so a message
 * that is too large stops at most this many bytes past `maxSize`; each chunk is one threadpool round trip.
 */
const OUTPUT_CHUNK = 64 * 1024;

/** Options of a {@link MessageInflater}. */
export interface InflaterOptions {
  /** The negotiated `server_max_window_bits`, 8–15 (8 inflates with 9, see window-bits). */
  readonly windowBits: number;
  /** `server_no_context_takeover`: start every message with a fresh context. */
  readonly noContextTakeover: boolean;
  /** Largest inflated message, bytes (`maxMessageSize`). */
  readonly maxSize: number;
  /** Limits concurrent zlib jobs (default: the process-wide {@link zlibLimiter}). */
  readonly limiter?: ZlibLimiter;
}

/** Sees each inflated chunk in order; returning false stops the message with 1007 "invalid utf-8". */
export type ChunkCheck = (chunk: Uint8Array) => boolean;

/** Receives the inflated message, or the protocol error that stopped it. */
export type InflateCallback = (error: ProtocolError | null, data: Buffer | null) => void;

/** State of the message being inflated. */
interface Job {
  readonly check: ChunkCheck | null;
  readonly done: InflateCallback;
  readonly chunks: Buffer[];
  total: number;
  ticket: ZlibTicket | null;
  finished: boolean;
}

/** Inflates one message at a time on a persistent zlib stream. */
export class MessageInflater {
  private stream: InflateRaw | null = null;
  /** The stream reached a final deflate block ('end'): the next message needs a new stream. */
  private streamEnded = false;
  private job: Job | null = null;
  private isClosed = false;
  private readonly windowBits: number;
  private readonly limiter: ZlibLimiter;

  /** @throws RangeError for window bits outside 8–15 */
  constructor(private readonly options: InflaterOptions) {
    this.windowBits = zlibWindowBits(options.windowBits);
    this.limiter = options.limiter ?? zlibLimiter;
  }

  /** True after {@link close}. */
  get closed(): boolean {
    return this.isClosed;
  }

  /** True while a message is queued or inflating. */
  get busy(): boolean {
    return this.job !== null;
  }

  /**
   * Inflates one message's payload (the joined frames, without the tail).
   * `done` is called once, asynchronously, unless the inflater is closed first.
   *
   * @param data - the compressed payload
   * @param check - optional per-chunk check (e.g. UTF-8), or null
   * @param done - receives the data, or a {@link PayloadTooLargeError} (1009) or a {@link ProtocolError} (1007)
   * @throws Error when a message is already in progress (callers wait for `done`), or after close
   */
  inflate(data: Uint8Array, check: ChunkCheck | null, done: InflateCallback): void {
    if (this.isClosed) throw new Error('inflater is closed');
    if (this.job !== null) throw new Error('inflate already in progress');
    const job: Job = { check, done, chunks: [], total: 0, ticket: null, finished: false };
    this.job = job;
    job.ticket = this.limiter.run((release) => {
      if (job.finished) return release();
      const stream = this.openStream();
      // One write, flushed (the stream's default flush is Z_SYNC_FLUSH): one zlib job per output chunk,
      // instead of separate jobs for the data, the tail and the flush.
      const input = Buffer.allocUnsafe(data.length + DEFLATE_TAIL.length);
      input.set(data, 0);
      input.set(DEFLATE_TAIL, data.length);
      stream.write(input, () => this.flushed(job));
    });
  }

  /** Destroys the zlib stream and frees its slot; a message in progress never completes. */
  close(): void {
    if (this.isClosed) return;
    this.isClosed = true;
    const job = this.job;
    if (job !== null) {
      job.finished = true;
      job.ticket?.cancel();
      this.job = null;
    }
    this.dropStream();
  }

  private openStream(): InflateRaw {
    if (this.stream !== null && !this.streamEnded) return this.stream;
    this.dropStream();
    const stream = createInflateRaw({ windowBits: this.windowBits, flush: constants.Z_SYNC_FLUSH, chunkSize: OUTPUT_CHUNK });
    stream.on('data', (chunk: Buffer) => this.received(chunk));
    stream.on('error', (error: Error) => {
      // RFC 7692 §8: invalid deflate data; ws closes with 1007 too ("invalid data" for the message).
      this.fail(new ProtocolError(`invalid compressed data (${error.message})`, Status.BAD_DATA), true);
    });
    stream.on('end', () => {
      if (this.stream === stream) this.streamEnded = true;
    });
    this.stream = stream;
    this.streamEnded = false;
    return stream;
  }

  private dropStream(): void {
    const stream = this.stream;
    this.stream = null;
    if (stream === null) return;
    stream.removeAllListeners('data');
    stream.removeAllListeners('end');
    // Errors from a stream being torn down are of no interest, but must not be unhandled.
    stream.removeAllListeners('error');
    stream.on('error', () => {});
    stream.destroy();
  }

  private received(chunk: Buffer): void {
    const job = this.job;
    if (job === null || job.finished) return;
    job.total += chunk.length;
    if (job.total > this.options.maxSize) {
      // Stop at once: this chunk is dropped and the stream destroyed, so no more output is made.
      this.fail(new PayloadTooLargeError(`inflated message exceeds ${this.options.maxSize} bytes`), true);
      return;
    }
    if (job.check !== null && !job.check(chunk)) {
      this.fail(new ProtocolError('invalid utf-8', Status.BAD_DATA), true);
      return;
    }
    job.chunks.push(chunk);
  }

  private flushed(job: Job): void {
    if (job.finished) return;
    const data = job.chunks.length === 1 ? job.chunks[0]! : Buffer.concat(job.chunks, job.total);
    if (this.streamEnded) this.dropStream();
    // RFC 7692 §7.1.1.1: with server_no_context_takeover the server "MUST start compressing each new message
    // with an empty LZ77 sliding window", so we may (and do) inflate each message with a fresh context.
    else if (this.options.noContextTakeover) this.stream?.reset();
    this.complete(job, null, data);
  }

  /** Ends the current message with `error`; `dropStream` when the stream cannot be reused. */
  private fail(error: ProtocolError, dropStream: boolean): void {
    const job = this.job;
    if (job === null || job.finished) {
      if (dropStream) this.dropStream();
      return;
    }
    if (dropStream) this.dropStream();
    this.complete(job, error, null);
  }

  private complete(job: Job, error: ProtocolError | null, data: Buffer | null): void {
    job.finished = true;
    this.job = null;
    job.ticket?.cancel(); // frees the limiter slot
    job.done(error, data);
  }
}
