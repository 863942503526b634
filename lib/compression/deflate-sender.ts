/**
 * DeflateSender: the send path of a connection that negotiated
 * permessage-deflate (RFC 7692 §6, §7.2.1). Messages of at least
 * {@link COMPRESSION_THRESHOLD} bytes are compressed (unless the caller passed
 * `compress: false`) and sent as one frame with RSV1 set; smaller ones go out
 * as they are. zlib is asynchronous, so everything sent after a compressed
 * message (small messages, and the pings, pongs and closes that come through
 * {@link DeflateSender.flushThen}) waits for it: frames leave in call order.
 * With nothing queued, an uncompressed send is written at once, as without
 * compression.
 *
 * ```
 * calls:  sendText(4 KiB) → sendText('hi') → close()
 * wire:   ----------[deflated 4 KiB, RSV1] ['hi'] [close]
 * ```
 *
 * @see https://www.rfc-editor.org/rfc/rfc7692#section-7.2.1
 */
import { MessageDeflater } from './deflater.js';
import type { ZlibLimiter } from './zlib-limiter.js';
import type { DeflateParams } from '../core/deflate-params.js';
import { WebSocketError } from '../core/errors.js';
import { Opcode } from '../core/opcode.js';
import type { ClientProtocol } from '../core/protocol.js';

/**
 * Messages smaller than this many bytes are sent uncompressed (ws's default
 * `threshold` is the same): deflate's framing overhead and the zlib round trip
 * cost more than they save on small payloads.
 */
export const COMPRESSION_THRESHOLD = 1024;

/** The part of {@link ClientProtocol} the sender writes through. */
export type FrameSink = Pick<ClientProtocol, 'sendText' | 'sendBinary' | 'sendDataFrame'>;

/** Options of a {@link DeflateSender}. */
export interface DeflateSenderOptions {
  /** Compress messages of at least this many bytes (default {@link COMPRESSION_THRESHOLD}). */
  readonly threshold?: number;
  /** Limits concurrent zlib jobs (default: the process-wide limiter). */
  readonly limiter?: ZlibLimiter;
  /** Receives an unexpected exception from a deferred write (the connection then ends); default: rethrow. */
  readonly onInternalError?: (error: unknown) => void;
}

/** A send written as it is. */
type PlainItem =
  | { readonly kind: 'text'; readonly text: string }
  | { readonly kind: 'binary'; readonly data: Uint8Array }
  | { readonly kind: 'action'; readonly run: () => void };

/** One queued send. */
type Item = PlainItem | { readonly kind: 'deflate'; readonly opcode: number; readonly data: Uint8Array };

/** Sends data messages through a per-connection deflater, in call order. */
export class DeflateSender {
  private readonly deflater: MessageDeflater;
  private readonly threshold: number;
  private readonly queue: Item[] = [];
  private deflating = false;
  private draining = false;
  private isClosed = false;
  private readonly onInternalError: (error: unknown) => void;

  /**
   * @param sink - the connection's protocol
   * @param params - the negotiated parameters (`clientMaxWindowBits`, `clientNoContextTakeover` are used)
   * @param options - threshold and limiter
   */
  constructor(
    private readonly sink: FrameSink,
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
      limiter: options.limiter,
    });
  }

  /** Sends (or queues) sends waiting for a compressed message. */
  get pending(): number {
    return this.queue.length + (this.deflating ? 1 : 0);
  }

  /** Sends a text message; compressed when `compress !== false` and it has at least `threshold` bytes. */
  sendText(text: string, compress?: boolean): void {
    // A string's UTF-8 length is at least its UTF-16 length: skip the byte count for long strings.
    if (compress !== false && (text.length >= this.threshold || Buffer.byteLength(text, 'utf8') >= this.threshold)) {
      this.push({ kind: 'deflate', opcode: Opcode.TEXT, data: Buffer.from(text, 'utf8') });
    } else {
      this.push({ kind: 'text', text });
    }
  }

  /** Sends a binary message; compressed when `compress !== false` and it has at least `threshold` bytes. */
  sendBinary(data: Uint8Array, compress?: boolean): void {
    if (compress !== false && data.length >= this.threshold) {
      // A copy: zlib reads the bytes later, and the caller may reuse its buffer at once.
      this.push({ kind: 'deflate', opcode: Opcode.BINARY, data: Buffer.from(data) });
    } else {
      this.push({ kind: 'binary', data });
    }
  }

  /** Runs `action` (a ping, pong or close) after every message sent before it was written. */
  flushThen(action: () => void): void {
    this.push({ kind: 'action', run: action });
  }

  /** Drops queued sends and frees the zlib stream (the connection ended). */
  close(): void {
    if (this.isClosed) return;
    this.isClosed = true;
    this.queue.length = 0;
    this.deflating = false;
    this.deflater.close();
  }

  private push(item: Item): void {
    if (this.isClosed) return;
    if (item.kind !== 'deflate' && !this.deflating && this.queue.length === 0) {
      // Nothing to wait for: write now, and let the caller see any error (as without compression).
      this.write(item);
      return;
    }
    this.queue.push(item);
    this.drain();
  }

  /** Writes queued items until one must wait for zlib. */
  private drain(): void {
    if (this.draining) return;
    this.draining = true;
    try {
      while (!this.deflating && !this.isClosed && this.queue.length > 0) {
        const item = this.queue.shift()!;
        if (item.kind === 'deflate') this.startDeflate(item.opcode, item.data);
        else this.writeLater(() => this.write(item));
      }
    } finally {
      this.draining = false;
    }
  }

  private startDeflate(opcode: number, data: Uint8Array): void {
    this.deflating = true;
    this.deflater.deflate(data, (error, payload) => {
      this.deflating = false;
      if (this.isClosed) return;
      // A zlib callback: nothing above would catch an exception, so it ends this connection (onInternalError).
      try {
        // A deflate failure (out of memory) loses nothing: the message can always go out uncompressed.
        this.writeLater(() => {
          if (error !== null || payload === null) this.sink.sendDataFrame(opcode, data, false);
          else this.sink.sendDataFrame(opcode, payload, true);
        });
        this.drain();
      } catch (thrown) {
        this.onInternalError(thrown);
      }
    });
  }

  private write(item: PlainItem): void {
    switch (item.kind) {
      case 'text':
        this.sink.sendText(item.text);
        return;
      case 'binary':
        this.sink.sendBinary(item.data);
        return;
      case 'action':
        item.run();
        return;
    }
  }

  /**
   * Runs a deferred write. The connection may have started closing or ended
   * since the send was accepted: such writes are dropped silently, as a
   * zlib callback has no caller to throw to.
   */
  private writeLater(write: () => void): void {
    try {
      write();
    } catch (error) {
      if (!(error instanceof WebSocketError)) throw error;
    }
  }
}
