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
import { createInflateRaw, type InflateRaw, type ZlibOptions } from 'node:zlib';
import { PayloadTooLargeError, ProtocolError } from '../core/errors.js';
import { Status } from '../core/status.js';
import { ZlibMessageStream, type ZlibJob, type ZlibMessageStreamOptions } from './zlib-message-stream.js';

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
}

/** Sees each inflated chunk in order; returning false stops the message with 1007 "invalid utf-8". */
export type ChunkCheck = (chunk: Uint8Array) => boolean;

/** Receives the inflated message, or the protocol error that stopped it. */
export type InflateCallback = (error: ProtocolError | null, data: Buffer | null) => void;

/** Inflates one message at a time on a persistent zlib stream. */
export class MessageInflater extends ZlibMessageStream<InflateRaw, ProtocolError> {
  private readonly maxSize: number;
  /** The check of the message in progress. */
  private check: ChunkCheck | null = null;

  /** @throws RangeError for window bits outside 8–15 */
  constructor(options: InflaterOptions) {
    super(options, 'inflate');
    this.maxSize = options.maxSize;
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
    // One write with the tail: one zlib job per output chunk, not separate ones for the data and the tail.
    const input = Buffer.allocUnsafe(data.length + DEFLATE_TAIL.length);
    input.set(data, 0);
    input.set(DEFLATE_TAIL, data.length);
    this.start(input, done);
    // After start (which refuses a second message): zlib's output always arrives later, asynchronously.
    this.check = check;
  }

  protected createStream(options: ZlibOptions): InflateRaw {
    return createInflateRaw(options);
  }

  protected streamError(error: Error): ProtocolError {
    // RFC 7692 §8: invalid deflate data; ws closes with 1007 too ("invalid data" for the message).
    return new ProtocolError(`invalid compressed data (${error.message})`, Status.BAD_DATA);
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
