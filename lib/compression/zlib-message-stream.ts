/**
 * ZlibMessageStream: what {@link MessageInflater} and {@link MessageDeflater}
 * share. One message at a time goes through one persistent raw zlib stream:
 * the message waits for a slot of the zlib limiter, is written once (the
 * stream's default flush is Z_SYNC_FLUSH, so the write is flushed: one
 * threadpool job per output chunk), its output is collected chunk by chunk and
 * handed over joined. With no context takeover the stream is reset after each
 * message; a stream that reached a final block ('end') is replaced. A zlib
 * error, or a subclass's verdict on a chunk, fails the message and drops the
 * stream. Subclasses create the stream and say what a chunk means; a new
 * stream may start from a preset dictionary (the inflater's window, after
 * messages it inflated synchronously, outside the stream).
 */
import { constants, type DeflateRaw, type InflateRaw, type ZlibOptions } from 'node:zlib';
import { zlibWindowBits } from './window-bits.js';
import { zlibLimiter, type ZlibLimiter, type ZlibTicket } from './zlib-limiter.js';

/**
 * zlib's output chunk: each is one threadpool round trip, and the unit in which output is checked (the
 * inflater's size bound and UTF-8 check), so a message that is too large stops at most this far past it.
 */
export const OUTPUT_CHUNK = 64 * 1024;

/** The message in progress. */
export interface ZlibJob<E extends Error> {
  readonly done: (error: E | null, data: Buffer | null) => void;
  readonly chunks: Buffer[];
  total: number;
  ticket: ZlibTicket | null;
  finished: boolean;
}

/** Settings every message stream has. */
export interface ZlibMessageStreamOptions {
  /** The negotiated window bits, 8–15 (see window-bits). */
  readonly windowBits: number;
  /** Reset the context after each message. */
  readonly noContextTakeover: boolean;
  /** Limits concurrent zlib jobs (default: the process-wide {@link zlibLimiter}). */
  readonly limiter?: ZlibLimiter;
}

/** One message at a time through a persistent raw zlib stream; see the file's comment. */
export abstract class ZlibMessageStream<S extends InflateRaw | DeflateRaw, E extends Error> {
  protected job: ZlibJob<E> | null = null;
  private stream: S | null = null;
  /** The stream reached a final deflate block ('end'): the next message needs a new stream. */
  private streamEnded = false;
  private isClosed = false;
  /** The window bits given to zlib (see window-bits). */
  protected readonly windowBits: number;
  /** Reset the context after each message. */
  protected readonly noContextTakeover: boolean;
  private readonly limiter: ZlibLimiter;

  /**
   * @param what - `'inflate'` or `'deflate'`, for the errors of misuse
   * @throws RangeError for window bits outside 8–15
   */
  constructor(
    options: ZlibMessageStreamOptions,
    private readonly what: 'inflate' | 'deflate',
  ) {
    this.windowBits = zlibWindowBits(options.windowBits);
    this.noContextTakeover = options.noContextTakeover;
    this.limiter = options.limiter ?? zlibLimiter;
  }

  /** True after {@link close}. */
  get closed(): boolean {
    return this.isClosed;
  }

  /** True while a message is queued or in zlib. */
  get busy(): boolean {
    return this.job !== null;
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

  /**
   * Runs one message: `input` goes into zlib once the limiter has a slot; `done` is called once,
   * asynchronously, unless the stream is closed first.
   *
   * @throws Error when a message is already in progress (callers wait for `done`), or after close
   */
  protected start(input: Uint8Array, done: (error: E | null, data: Buffer | null) => void): void {
    if (this.isClosed) throw new Error(`${this.what}r is closed`);
    if (this.job !== null) throw new Error(`${this.what} already in progress`);
    const job: ZlibJob<E> = { done, chunks: [], total: 0, ticket: null, finished: false };
    this.job = job;
    job.ticket = this.limiter.run((release) => {
      if (job.finished) return release();
      const stream = this.openStream();
      if (input.length > 0) stream.write(input, () => this.flushed(job));
      else stream.flush(constants.Z_SYNC_FLUSH, () => this.flushed(job));
    });
  }

  /** Makes the zlib stream, with these options (window bits, Z_SYNC_FLUSH as the default flush, chunk size). */
  protected abstract createStream(options: ZlibOptions): S;

  /** One output chunk of the message in progress: collect it, or {@link fail}. */
  protected abstract received(job: ZlibJob<E>, chunk: Buffer): void;

  /** The error a zlib stream error becomes. */
  protected abstract streamError(error: Error): E;

  /**
   * What the message's joined output becomes (default: itself).
   *
   * @param data - the output
   * @param _ended - the message ended with a final deflate block: the next message starts on a fresh stream
   */
  protected output(data: Buffer, _ended: boolean): Buffer {
    return data;
  }

  /** The preset dictionary a new stream starts from (default: none, an empty window). */
  protected dictionary(): Uint8Array | null {
    return null;
  }

  /** Ends the message in progress with `error` and drops the stream (it cannot be trusted for the next message). */
  protected fail(error: E): void {
    this.dropStream();
    const job = this.job;
    if (job !== null && !job.finished) this.complete(job, error, null);
  }

  private openStream(): S {
    if (this.stream !== null && !this.streamEnded) return this.stream;
    this.dropStream();
    const options: ZlibOptions = { windowBits: this.windowBits, flush: constants.Z_SYNC_FLUSH, chunkSize: OUTPUT_CHUNK };
    const dictionary = this.dictionary();
    if (dictionary !== null) options.dictionary = dictionary;
    const stream = this.createStream(options);
    stream.on('data', (chunk: Buffer) => {
      const job = this.job;
      if (job !== null && !job.finished) this.received(job, chunk);
    });
    stream.on('error', (error: Error) => this.fail(this.streamError(error)));
    stream.on('end', () => {
      if (this.stream === stream) this.streamEnded = true;
    });
    this.stream = stream;
    this.streamEnded = false;
    return stream;
  }

  /** Destroys the zlib stream (if any): the next message starts on a new one. */
  protected dropStream(): void {
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

  private flushed(job: ZlibJob<E>): void {
    if (job.finished) return;
    const data = job.chunks.length === 1 ? job.chunks[0]! : Buffer.concat(job.chunks, job.total);
    const ended = this.streamEnded;
    if (ended) this.dropStream();
    // RFC 7692 §7.1.1.1/§7.1.1.2: with no context takeover each message starts with an empty LZ77 window.
    else if (this.noContextTakeover) this.stream?.reset();
    this.complete(job, null, this.output(data, ended));
  }

  private complete(job: ZlibJob<E>, error: E | null, data: Buffer | null): void {
    job.finished = true;
    this.job = null;
    job.ticket?.cancel(); // frees the limiter slot
    job.done(error, data);
  }
}
