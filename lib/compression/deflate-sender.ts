/**
 * DeflateSender: the send path of a connection that negotiated
 * permessage-deflate (RFC 7692 §6, §7.2.1). Messages of at least
 * {@link COMPRESSION_THRESHOLD} bytes are compressed (unless the caller passed
 * `compress: false`) and sent as one frame with RSV1 set; smaller ones go out
 * as they are.
 *
 * zlib is asynchronous, so a compressed message reserves its place in the
 * connection's order when it is sent ({@link OrderedSink.reserve}) and its
 * frame fills that place when zlib is done: everything written after it
 * (small messages, pings' neighbours, a close frame, the echo of the
 * server's) leaves after it, and nothing is ever written "later" where an
 * error would have no caller. The bytes are copied at the call, so the caller
 * may reuse its buffer at once. Messages are compressed one at a time, in
 * call order, on the connection's persistent zlib stream.
 *
 * ```
 * calls:  sendText(4 KiB) → sendText('hi') → close()
 * order:  [slot: 4 KiB deflating] ['hi'] [close]
 * wire:   ----------[deflated 4 KiB, RSV1] ['hi'] [close]
 * ```
 *
 * @see https://www.rfc-editor.org/rfc/rfc7692#section-7.2.1
 */
import { MessageDeflater } from './deflater.js';
import type { ZlibLimiter } from './zlib-limiter.js';
import type { DeflateParams } from '../core/deflate-params.js';
import { Opcode } from '../core/opcode.js';
import type { ClientProtocol } from '../core/protocol.js';

/**
 * Messages smaller than this many bytes are sent uncompressed (ws's default
 * `threshold` is the same): deflate's framing overhead and the zlib round trip
 * cost more than they save on small payloads.
 */
export const COMPRESSION_THRESHOLD = 1024;

/** The part of {@link ClientProtocol} the sender uses: plain sends, and the frame of a deflated payload. */
export type FrameSink = Pick<ClientProtocol, 'sendText' | 'sendBinary' | 'encodeDataFrame'>;

/** Where frames take their place in the connection's order (the connection's outbox). */
export interface OrderedSink<S> {
  /** Reserves the next place for a message of `size` bytes whose frame comes later. */
  reserve(size: number): S;
  /** The reserved message's frame: it leaves in its place. */
  fill(slot: S, frame: Uint8Array): void;
}

/** Options of a {@link DeflateSender}. */
export interface DeflateSenderOptions {
  /** Compress messages of at least this many bytes (default {@link COMPRESSION_THRESHOLD}). */
  readonly threshold?: number;
  /** zlib compression level 0–9 (default zlib's). */
  readonly level?: number;
  /** zlib memLevel 1–9 (default zlib's). */
  readonly memLevel?: number;
  /** Limits concurrent zlib jobs (default: the process-wide limiter). */
  readonly limiter?: ZlibLimiter;
  /** Receives an unexpected exception from a zlib callback (the connection then ends); default: rethrow. */
  readonly onInternalError?: (error: unknown) => void;
}

/** A message waiting for zlib, with its place in the order. */
interface Job<S> {
  readonly opcode: number;
  readonly data: Uint8Array;
  readonly slot: S;
}

/** Sends data messages through a per-connection deflater, in call order. */
export class DeflateSender<S = unknown> {
  private readonly deflater: MessageDeflater;
  private readonly threshold: number;
  /** Messages waiting for zlib, oldest first from `head`. */
  private jobs: Job<S>[] = [];
  private head = 0;
  private deflating = false;
  private isClosed = false;
  private readonly onInternalError: (error: unknown) => void;

  /**
   * @param sink - the connection's protocol (plain sends, and frames for deflated payloads)
   * @param order - the connection's outbox (places reserved for compressed messages)
   * @param params - the negotiated parameters (`clientMaxWindowBits`, `clientNoContextTakeover` are used)
   * @param options - threshold, zlib level and memLevel, limiter
   */
  constructor(
    private readonly sink: FrameSink,
    private readonly order: OrderedSink<S>,
    params: DeflateParams,
    options: DeflateSenderOptions = {},
  ) {
    this.threshold = options.threshold ?? COMPRESSION_THRESHOLD;
    this.onInternalError =
      options.onInternalError ??
      ((error) => {
        throw error;
      });
    this.deflater = new MessageDeflater({
      windowBits: params.clientMaxWindowBits,
      noContextTakeover: params.clientNoContextTakeover,
      level: options.level,
      memLevel: options.memLevel,
      limiter: options.limiter,
    });
  }

  /** Messages accepted and not yet compressed (including the one zlib is working on). */
  get pending(): number {
    return this.jobs.length - this.head + (this.deflating ? 1 : 0);
  }

  /** Sends a text message; compressed when `compress !== false` and it has at least `threshold` bytes. */
  sendText(text: string, compress?: boolean): void {
    // A string's UTF-8 length is at least its UTF-16 length: skip the byte count for long strings.
    if (compress !== false && (text.length >= this.threshold || Buffer.byteLength(text, 'utf8') >= this.threshold)) {
      this.enqueue(Opcode.TEXT, Buffer.from(text, 'utf8'));
    } else {
      this.sink.sendText(text);
    }
  }

  /** Sends a binary message; compressed when `compress !== false` and it has at least `threshold` bytes. */
  sendBinary(data: Uint8Array, compress?: boolean): void {
    // A copy: zlib reads the bytes later, and the caller may reuse its buffer at once.
    if (compress !== false && data.length >= this.threshold) this.enqueue(Opcode.BINARY, Buffer.from(data));
    else this.sink.sendBinary(data);
  }

  /** Frees the zlib stream and forgets queued messages (the connection ended; the outbox drops their places). */
  close(): void {
    if (this.isClosed) return;
    this.isClosed = true;
    this.jobs = [];
    this.head = 0;
    this.deflating = false;
    this.deflater.close();
  }

  private enqueue(opcode: number, data: Uint8Array): void {
    if (this.isClosed) return;
    this.jobs.push({ opcode, data, slot: this.order.reserve(data.length) });
    if (!this.deflating) this.next();
  }

  /** Starts compressing the oldest waiting message, if any. */
  private next(): void {
    if (this.head === this.jobs.length) {
      this.jobs = [];
      this.head = 0;
      return;
    }
    const job = this.jobs[this.head]!;
    this.jobs[this.head++] = undefined as unknown as Job<S>;
    this.deflating = true;
    this.deflater.deflate(job.data, (error, payload) => {
      this.deflating = false;
      if (this.isClosed) return;
      // A zlib callback: nothing above would catch an exception, so it ends this connection (onInternalError).
      try {
        // A deflate failure (out of memory) loses nothing: the message can always go out uncompressed.
        const frame =
          error !== null || payload === null
            ? this.sink.encodeDataFrame(job.opcode, job.data, false)
            : this.sink.encodeDataFrame(job.opcode, payload, true);
        this.order.fill(job.slot, frame);
        if (!this.isClosed) this.next();
      } catch (thrown) {
        this.onInternalError(thrown);
      }
    });
  }
}
