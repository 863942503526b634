/**
 * SendQueue: the opt-in offline queue of a WebSocket object (SPEC
 * `sendQueue`). While there is no open connection (before the first `ready`,
 * during persist's back-off), `sendText`/`sendBinary`/`sendJson` queue their
 * message here instead of throwing `WebSocketUnavailableError`; the queue is
 * flushed in order at the next `ready`, before the application sees that
 * event (so before anything it sends after `ready`). The queue is bounded by
 * `maxMessages` and `maxBytes`; `overflow` says what gives when it is full.
 */
import { checkNumber, checkObject } from '../core/checks.js';
import { copyBytes } from '../core/bytes.js';
import { SendQueueFullError } from '../core/errors.js';
import { utf8Length } from '../core/utf8-length.js';

/**
 * SPEC `sendQueue` (WebSocketOptions).
 *
 * @inline
 */
export interface SendQueueOptions {
  /** Most messages queued (default 1000). */
  maxMessages?: number;
  /** Most payload bytes queued, UTF-8 for text (default 16 MiB). */
  maxBytes?: number;
  /**
   * When a message does not fit: `'error'` (default) throws `SendQueueFullError` (a `WebSocketUnavailableError`) and queues nothing;
   * `'drop-oldest'` drops the oldest messages until it fits; `'drop-newest'` drops the new one.
   */
  overflow?: 'error' | 'drop-oldest' | 'drop-newest';
}

/** A queued message; binary payloads are copies (the caller may reuse its buffer). */
export type QueuedMessage =
  | { readonly text: string; readonly bytes: number; readonly compress: boolean | undefined }
  | { readonly data: Uint8Array; readonly bytes: number; readonly compress: boolean | undefined };

const OVERFLOW = new Set(['error', 'drop-oldest', 'drop-newest']);

/**
 * Validates `sendQueue` options; returns them with defaults applied, or null when there is no queue.
 *
 * @throws TypeError / RangeError naming the option and the value
 */
export function resolveSendQueueOptions(options: SendQueueOptions | undefined): Required<SendQueueOptions> | null {
  if (options === undefined) return null;
  checkObject(options, 'sendQueue');
  if (options === null) throw new TypeError('sendQueue must be an object, got null');
  checkNumber(options.maxMessages, 'sendQueue.maxMessages', 1);
  checkNumber(options.maxBytes, 'sendQueue.maxBytes', 0);
  if (options.overflow !== undefined && !OVERFLOW.has(options.overflow)) {
    throw new TypeError(`sendQueue.overflow must be 'error', 'drop-oldest' or 'drop-newest', got ${JSON.stringify(options.overflow)}`);
  }
  return { maxMessages: options.maxMessages ?? 1000, maxBytes: options.maxBytes ?? 16 * 1024 * 1024, overflow: options.overflow ?? 'error' };
}

/** Messages waiting for the next open connection, in order. */
export class SendQueue {
  private messages: QueuedMessage[] = [];
  private size = 0;

  constructor(private readonly options: Required<SendQueueOptions>) {}

  /** Messages waiting. */
  get length(): number {
    return this.messages.length;
  }

  /** Payload bytes waiting (UTF-8 for text). */
  get bytes(): number {
    return this.size;
  }

  /** Queues a text message. @throws {@link SendQueueFullError} with overflow 'error' */
  pushText(text: string, compress: boolean | undefined): void {
    this.push({ text, bytes: utf8Length(text), compress });
  }

  /** Queues a copy of a binary message. @throws {@link SendQueueFullError} with overflow 'error' */
  pushBinary(data: Uint8Array, compress: boolean | undefined): void {
    this.push({ data: copyBytes(data), bytes: data.length, compress });
  }

  private push(message: QueuedMessage): void {
    const { maxMessages, maxBytes, overflow } = this.options;
    const fits = (): boolean => this.messages.length < maxMessages && this.size + message.bytes <= maxBytes;
    if (!fits()) {
      if (overflow === 'error') {
        throw new SendQueueFullError(
          `send queue full: ${this.messages.length} messages, ${this.size} bytes (maxMessages ${maxMessages}, maxBytes ${maxBytes})`,
        );
      }
      // 'drop-newest', or a message larger than the whole queue: the new message is the one dropped.
      if (overflow === 'drop-newest' || message.bytes > maxBytes) return;
      while (!fits()) this.size -= this.messages.shift()!.bytes;
    }
    this.messages.push(message);
    this.size += message.bytes;
  }

  /** Hands every queued message to `send`, oldest first, and empties the queue. */
  flush(send: (message: QueuedMessage) => void): void {
    const messages = this.messages;
    this.messages = [];
    this.size = 0;
    for (const message of messages) send(message);
  }
}
