/**
 * sendStream: one message sent in fragments from a producer (RFC 6455 §5.4),
 * with bounded memory. Each chunk of the source becomes one fragment; after
 * a fragment, while the connection's `bufferedAmount` is over the
 * high-water mark, the next chunk is not pulled until `drain$` says so, so a
 * 1 GiB generator holds at most the mark plus one chunk. The message ends
 * with an empty final fragment once the source is done (so a chunk goes out
 * as soon as it is produced, without waiting to learn whether it is the
 * last). Pings and pongs may interleave; messages sent meanwhile wait behind
 * the stream and follow its last fragment (see connection/outbox.ts).
 *
 * Text streams: string chunks are encoded as UTF-8 (a surrogate pair split
 * across two chunks is joined), byte chunks are checked to be UTF-8 as they
 * come. Streamed messages are never compressed.
 *
 * A message cannot be taken back once its first fragment left, so when the
 * stream cannot finish — the source throws, a text chunk is not UTF-8, or the
 * subscriber unsubscribes — the connection is closed with 1011 (as
 * python-websockets does), and the peer discards the unfinished message. A
 * close during the stream (ours or the server's) cuts it short the same way;
 * the Observable then errors with the SPEC error.
 */
import { Observable } from 'rxjs';
import { checkBoolean, checkNumber, checkObject } from '../core/checks.js';
import { WebSocketClosingError, WebSocketError } from '../core/errors.js';
import { Opcode } from '../core/opcode.js';
import { Status } from '../core/status.js';
import { Utf8Validator } from '../core/utf8-validator.js';
import type { Connection } from '../connection/connection.js';

/**
 * Options of `sendStream`.
 *
 * @inline
 */
export interface SendStreamOptions {
  /** Send a binary message (default: binary when the first chunk is a Uint8Array, text when it is a string). */
  binary?: boolean;
  /** Wait for drain between chunks while more than this many bytes are buffered (default 1 MiB). */
  highWaterMark?: number;
}

/** `sendStream`'s options once checked. */
export interface CheckedStreamOptions {
  readonly binary: boolean | undefined;
  readonly highWaterMark: number;
}

/**
 * What a stream's source may be.
 *
 * @inline
 */
export type StreamSource = AsyncIterable<string | Uint8Array> | Iterable<string | Uint8Array>;

/** The default `highWaterMark` of `sendStream`: 1 MiB. */
export const STREAM_HIGH_WATER_MARK = 1024 * 1024;

const EMPTY = new Uint8Array(0);

/**
 * Checks `sendStream`'s arguments at the call.
 *
 * @throws TypeError / RangeError naming the value
 */
export function checkStreamArguments(source: unknown, options: unknown): CheckedStreamOptions {
  if (source === null || typeof source !== 'object' || (!(Symbol.asyncIterator in source) && !(Symbol.iterator in source))) {
    throw new TypeError(`source must be an AsyncIterable or an Iterable of strings or Uint8Arrays, got ${source === null ? 'null' : typeof source}`);
  }
  if (typeof source === 'string' || source instanceof Uint8Array) throw new TypeError('source must be an iterable of chunks, not one chunk: use sendText or sendBinary');
  checkObject(options, 'options');
  const { binary, highWaterMark = STREAM_HIGH_WATER_MARK } = (options ?? {}) as SendStreamOptions;
  checkBoolean(binary, 'binary');
  checkNumber(highWaterMark, 'highWaterMark');
  return { binary, highWaterMark };
}

/** Pulls chunks from a sync or async source. */
function iterate(source: StreamSource): AsyncIterator<string | Uint8Array> | Iterator<string | Uint8Array> {
  return Symbol.asyncIterator in source ? source[Symbol.asyncIterator]() : source[Symbol.iterator]();
}

/** The bytes of one chunk of a text message; a high surrogate that ends a string chunk waits for the next. */
class TextChunks {
  private carry = '';
  private readonly validator = new Utf8Validator();

  bytes(chunk: string | Uint8Array, index: number): Uint8Array {
    if (typeof chunk === 'string') {
      let text = this.carry + chunk;
      this.carry = '';
      const last = text.charCodeAt(text.length - 1);
      if (last >= 0xd800 && last <= 0xdbff) {
        this.carry = text.slice(-1);
        text = text.slice(0, -1);
      }
      return Buffer.from(text, 'utf8');
    }
    if (this.carry !== '') throw new TypeError(`chunk ${index} of a text stream: a string ending in half a surrogate pair was followed by bytes`);
    if (!this.validator.push(chunk)) throw new TypeError(`chunk ${index} of a text stream is not valid UTF-8`);
    return chunk;
  }

  /** What is left at the end: a lone high surrogate becomes U+FFFD as in any string; bytes must end a sequence. */
  end(): Uint8Array {
    if (!this.validator.end()) throw new TypeError('a text stream ended in the middle of a UTF-8 sequence');
    return this.carry === '' ? EMPTY : Buffer.from(this.carry, 'utf8');
  }
}

function checkChunk(chunk: unknown, index: number): string | Uint8Array {
  if (typeof chunk === 'string' || chunk instanceof Uint8Array) return chunk;
  throw new TypeError(`chunk ${index} must be a string or a Uint8Array, got ${chunk === null ? 'null' : typeof chunk}`);
}

/**
 * Sends one message in fragments from `source` over `conn`; see the file's comment. Cold: each subscription
 * sends the message once; emits once and completes after the last fragment is queued.
 */
export function sendStream$(conn: () => Connection, source: StreamSource, options: CheckedStreamOptions): Observable<void> {
  return new Observable<void>((subscriber) => {
    let stopped = false;
    let started = false;
    let finished = false;
    /** Fragments sent so far. */
    let sent = 0;
    let iterator: ReturnType<typeof iterate> | null = null;
    let waiting: { unsubscribe(): void } | null = null;
    let connection: Connection;

    /** The message cannot be completed: close with 1011 so that the peer discards it (nothing sent yet: just step aside). */
    const abandon = (reason: string): void => {
      if (!started || finished) return;
      finished = true;
      if (sent === 0) {
        connection.releaseStream();
        return;
      }
      try {
        if (connection.isActive) connection.close(Status.UNEXPECTED_CONDITION, reason);
      } catch {
        // Closing already: the close frame in flight cuts the message short just the same.
      }
    };

    const drain = (mark: number): Promise<void> =>
      new Promise((resolve, reject) => {
        waiting = connection.drain$(mark).subscribe({ complete: resolve, error: reject });
      });

    const run = async (): Promise<void> => {
      connection = conn();
      // The message's place in the order is taken now: what is sent after subscribing follows it.
      connection.startStream();
      started = true;
      iterator = iterate(source);
      let opcode = options.binary === undefined ? null : options.binary ? Opcode.BINARY : Opcode.TEXT;
      let text: TextChunks | null = null;
      for (;;) {
        const step = await iterator.next();
        if (stopped) return;
        if (step.done === true) break;
        const chunk = checkChunk(step.value, sent);
        if (opcode === null) opcode = typeof chunk === 'string' ? Opcode.TEXT : Opcode.BINARY;
        if (opcode === Opcode.TEXT) text ??= new TextChunks();
        const bytes = text !== null ? text.bytes(chunk, sent) : typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk;
        connection.sendFragment(opcode, bytes, sent === 0, false);
        sent++;
        if (connection.bufferedAmount > options.highWaterMark) {
          await drain(options.highWaterMark);
          if (stopped) return;
        }
      }
      // The last fragment, empty unless a text stream ended in half a surrogate pair (an empty source: one empty message).
      connection.sendFragment(opcode ?? Opcode.BINARY, text?.end() ?? EMPTY, sent === 0, true);
      finished = true;
    };

    run().then(
      () => {
        if (stopped) return;
        subscriber.next();
        subscriber.complete();
      },
      (error: unknown) => {
        if (stopped) return;
        const cut = error instanceof WebSocketClosingError || (error instanceof WebSocketError && started && !connection.isActive);
        if (!cut) abandon(error instanceof TypeError ? 'message stream failed: invalid chunk' : 'message stream failed');
        finished = true;
        void iterator?.return?.();
        subscriber.error(describe(error, connection));
      },
    );

    return () => {
      if (finished) return;
      stopped = true;
      waiting?.unsubscribe();
      abandon('message stream cancelled');
      void Promise.resolve(iterator?.return?.()).catch(() => undefined);
    };
  });
}

/** The error the stream ends with: a close that cut it short says how many messages behind it were abandoned. */
function describe(error: unknown, connection: Connection | undefined): unknown {
  const abandoned = connection?.abandoned ?? 0;
  if (error instanceof WebSocketClosingError && abandoned > 0) {
    return new WebSocketClosingError(`${error.message}: the streamed message was cut short, and ${abandoned} message(s) sent behind it were abandoned`);
  }
  return error;
}
