/**
 * MessageDeflater: compresses permessage-deflate messages (RFC 7692 §7.2.1)
 * with one persistent raw deflate stream per connection, asynchronously. Each
 * message is flushed with Z_SYNC_FLUSH and the trailing 00 00 FF FF is cut
 * off; with `client_no_context_takeover` the stream is reset after every
 * message.
 *
 * @see https://www.rfc-editor.org/rfc/rfc7692#section-7.2.1
 */
import { createDeflateRaw, type DeflateRaw, type ZlibOptions } from 'node:zlib';
import { ZlibMessageStream, type ZlibJob, type ZlibMessageStreamOptions } from './zlib-message-stream.js';

/** Options of a {@link MessageDeflater}. */
export interface DeflaterOptions extends ZlibMessageStreamOptions {
  /** The negotiated `client_max_window_bits`, 8–15 (8 deflates with 9, see window-bits). */
  readonly windowBits: number;
  /** `client_no_context_takeover`: reset the context after each message. */
  readonly noContextTakeover: boolean;
  /** zlib compression level 0–9 (default zlib's default, 6). */
  readonly level?: number;
  /** zlib memLevel 1–9 (default zlib's default, 8). */
  readonly memLevel?: number;
}

/** Receives the compressed payload (tail removed), or the zlib error. */
export type DeflateCallback = (error: Error | null, payload: Buffer | null) => void;

/** Compresses one message at a time on a persistent zlib stream. */
export class MessageDeflater extends ZlibMessageStream<DeflateRaw, Error> {
  /** level and memLevel, as zlib takes them (only those given). */
  private readonly tuning: ZlibOptions;

  /** @throws RangeError for window bits outside 8–15 */
  constructor(options: DeflaterOptions) {
    super(options, 'deflate');
    const tuning: ZlibOptions = {};
    if (options.level !== undefined) tuning.level = options.level;
    if (options.memLevel !== undefined) tuning.memLevel = options.memLevel;
    this.tuning = tuning;
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
    this.start(data, done);
  }

  protected createStream(options: ZlibOptions): DeflateRaw {
    return createDeflateRaw({ ...options, ...this.tuning });
  }

  protected streamError(error: Error): Error {
    return error;
  }

  protected received(job: ZlibJob<Error>, chunk: Buffer): void {
    job.chunks.push(chunk);
    job.total += chunk.length;
  }

  /** RFC 7692 §7.2.1: "Remove 4 octets (that are 0x00 0x00 0xff 0xff) from the tail end." */
  protected override output(data: Buffer): Buffer {
    return data.subarray(0, Math.max(0, data.length - 4));
  }
}
