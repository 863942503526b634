/**
 * MessageDeflater: compresses permessage-deflate messages (RFC 7692 §7.2.1)
 * with one persistent raw deflate stream per connection, asynchronously. Each
 * message is flushed with Z_SYNC_FLUSH and the trailing 00 00 FF FF is cut
 * off; with `client_no_context_takeover` the stream is reset after every
 * message.
 *
 * @see https://www.rfc-editor.org/rfc/rfc7692#section-7.2.1
 */
import { constants, createDeflateRaw, type DeflateRaw } from 'node:zlib';
import { zlibWindowBits } from './window-bits.js';
import { zlibLimiter, type ZlibLimiter, type ZlibTicket } from './zlib-limiter.js';

/** Options of a {@link MessageDeflater}. */
export interface DeflaterOptions {
  /** The negotiated `client_max_window_bits`, 8–15 (8 deflates with 9, see window-bits). */
  readonly windowBits: number;
  /** `client_no_context_takeover`: reset the context after each message. */
  readonly noContextTakeover: boolean;
  /** zlib compression level 0–9 (default zlib's default, 6). */
  readonly level?: number;
  /** Limits concurrent zlib jobs (default: the process-wide {@link zlibLimiter}). */
  readonly limiter?: ZlibLimiter;
}

/** Receives the compressed payload (tail removed), or the zlib error. */
export type DeflateCallback = (error: Error | null, payload: Buffer | null) => void;

interface Job {
  readonly done: DeflateCallback;
  readonly chunks: Buffer[];
  total: number;
  ticket: ZlibTicket | null;
  finished: boolean;
}

/** Compresses one message at a time on a persistent zlib stream. */
export class MessageDeflater {
  private stream: DeflateRaw | null = null;
  private job: Job | null = null;
  private isClosed = false;
  private readonly windowBits: number;
  private readonly limiter: ZlibLimiter;

  /** @throws RangeError for window bits outside 8–15 */
  constructor(private readonly options: DeflaterOptions) {
    this.windowBits = zlibWindowBits(options.windowBits);
    this.limiter = options.limiter ?? zlibLimiter;
  }

  /** True after {@link close}. */
  get closed(): boolean {
    return this.isClosed;
  }

  /** True while a message is queued or compressing. */
  get busy(): boolean {
    return this.job !== null;
  }

  /**
   * Compresses one whole message. `done` is called once, asynchronously,
   * unless the deflater is closed first. The caller must not modify `data` until then.
   *
   * @param data - the message payload
   * @param done - receives the payload to send with RSV1 set
   * @throws Error when a message is already in progress (callers wait for `done`), or after close
   */
  deflate(data: Uint8Array, done: DeflateCallback): void {
    if (this.isClosed) throw new Error('deflater is closed');
    if (this.job !== null) throw new Error('deflate already in progress');
    const job: Job = { done, chunks: [], total: 0, ticket: null, finished: false };
    this.job = job;
    job.ticket = this.limiter.run((release) => {
      if (job.finished) return release();
      const stream = this.openStream();
      // The stream's default flush is Z_SYNC_FLUSH: a write is one zlib job per output chunk, already flushed.
      if (data.length > 0) stream.write(data, () => this.flushed(job));
      else stream.flush(constants.Z_SYNC_FLUSH, () => this.flushed(job));
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

  private openStream(): DeflateRaw {
    if (this.stream !== null) return this.stream;
    const stream = createDeflateRaw({ windowBits: this.windowBits, flush: constants.Z_SYNC_FLUSH, chunkSize: 64 * 1024, ...(this.options.level === undefined ? {} : { level: this.options.level }) });
    stream.on('data', (chunk: Buffer) => {
      const job = this.job;
      if (job === null || job.finished) return;
      job.chunks.push(chunk);
      job.total += chunk.length;
    });
    stream.on('error', (error: Error) => {
      this.dropStream();
      const job = this.job;
      if (job !== null && !job.finished) this.complete(job, error, null);
    });
    this.stream = stream;
    return stream;
  }

  private dropStream(): void {
    const stream = this.stream;
    this.stream = null;
    if (stream === null) return;
    stream.removeAllListeners('data');
    stream.removeAllListeners('error');
    stream.on('error', () => {});
    stream.destroy();
  }

  private flushed(job: Job): void {
    if (job.finished) return;
    const all = job.chunks.length === 1 ? job.chunks[0]! : Buffer.concat(job.chunks, job.total);
    // RFC 7692 §7.2.1: "Remove 4 octets (that are 0x00 0x00 0xff 0xff) from the tail end."
    const payload = all.subarray(0, Math.max(0, all.length - 4));
    // RFC 7692 §7.1.1.2: with client_no_context_takeover the client "MUST start compressing each new message
    // with an empty LZ77 sliding window".
    if (this.options.noContextTakeover) this.stream?.reset();
    this.complete(job, null, payload);
  }

  private complete(job: Job, error: Error | null, payload: Buffer | null): void {
    job.finished = true;
    this.job = null;
    job.ticket?.cancel();
    job.done(error, payload);
  }
}
