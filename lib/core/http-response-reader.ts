/**
 * HttpResponseReader: reads the server's HTTP response head (RFC 9112 §4,
 * §5) incrementally, with a size cap, skips interim 1xx responses (RFC 9110
 * §15.2) and hands back the final head and the bytes after it — the first
 * WebSocket frames, or the tunnel behind a proxy's CONNECT answer — untouched.
 *
 * Memory grows with the bytes received: a head split over chunks is kept in
 * one buffer that grows geometrically up to the cap, and a head that lies
 * in one chunk is parsed where it lies. Parsing is linear (see `http-head`).
 *
 * @see https://www.rfc-editor.org/rfc/rfc9112#section-4
 * @see https://www.rfc-editor.org/rfc/rfc9110#section-15.2
 */
import { HandshakeError } from './errors.js';
import { parseResponseHead } from './http-head.js';
import type { Response } from './response.js';

/** The head ends with an empty line: CR LF CR LF. */
const TERMINATOR = [13, 10, 13, 10] as const;
const CR = 13;
/** First size of the buffer for a head split over chunks. */
const MIN_PENDING = 1024;

/** Options of {@link HttpResponseReader}. */
export interface HttpResponseReaderOptions {
  /**
   * Largest response head accepted, in bytes, the final CRLF CRLF included (default 16 KiB). Interim 1xx
   * heads count towards it too: together with the final head they must fit.
   */
  readonly maxHeaderSize?: number;
}

/** The parsed head and the bytes that followed it. */
export interface HttpResponseHead {
  readonly response: Response;
  /** Bytes after the head: the first WebSocket frames (a view of the last chunk, not a copy). */
  readonly rest: Uint8Array;
}

/**
 * RFC 9110 §15.2: "A client MUST be able to parse one or more 1xx responses received prior to a final response,
 * even if the client does not expect one. A user agent MAY ignore unexpected 1xx responses." 101 is final here:
 * after it the bytes are no longer HTTP (RFC 9110 §15.2.2).
 */
const isInterim = (statusCode: number): boolean => statusCode >= 100 && statusCode <= 199 && statusCode !== 101;

/**
 * Accumulates the server's bytes until the empty line that ends the final response head, then parses it.
 *
 * @example
 * ```ts
 * const reader = new HttpResponseReader();
 * reader.push(bytes('HTTP/1.1 103 Early Hints\r\nLink: </a>\r\n\r\nHTTP/1.1 101 Switching Protocols\r\nUpgrade: web'));  // null
 * reader.push(bytes('socket\r\n\r\n\x81\x02hi'));                           // { response (101), rest: <81 02 68 69> }
 * ```
 */
export class HttpResponseReader {
  private readonly maxHeaderSize: number;
  /** Bytes of the unfinished head from earlier chunks (a copy), or null. */
  private pending: Uint8Array | null = null;
  private pendingLength = 0;
  /** Bytes of response heads consumed so far over all chunks, interim heads included. */
  private size = 0;
  /** How many bytes of CR LF CR LF the scan has matched so far (0–3); it carries over chunk boundaries. */
  private matched = 0;

  /**
   * @param options - `maxHeaderSize` (default 16384)
   * @throws RangeError when `maxHeaderSize` is not a positive integer
   */
  constructor(options: HttpResponseReaderOptions = {}) {
    const max = options.maxHeaderSize ?? 16 * 1024;
    if (!Number.isInteger(max) || max < 1) throw new RangeError(`invalid maxHeaderSize ${max}`);
    this.maxHeaderSize = max;
  }

  /**
   * Feeds bytes as they arrive. The reader copies what it keeps, so callers may reuse their buffers.
   *
   * @param chunk - the next bytes from the server, split anywhere
   * @returns null until the final (non-1xx, or 101) head is complete, then that response and the bytes after
   *   it (after which the reader is empty again)
   * @throws {@link HandshakeError} for a malformed status or header line (interim heads included), obsolete
   *   line folding, or heads larger than `maxHeaderSize` together ("response head exceeds 16384 bytes")
   */
  push(chunk: Uint8Array): HttpResponseHead | null {
    let offset = 0;
    for (;;) {
      const end = this.scan(chunk, offset);
      if (end < 0) {
        this.keep(chunk, offset, chunk.length);
        return null;
      }
      const response = parseResponseHead(this.take(chunk, offset, end));
      offset = end;
      if (!isInterim(response.statusCode)) {
        this.pending = null;
        this.size = 0;
        return { response, rest: chunk.subarray(end) };
      }
      // RFC 9112 §6.3: "any response with a 1xx (Informational) ... status code is always terminated by the first
      // empty line after the header fields": no body to skip. Its bytes still count towards the cap.
    }
  }

  /** Returns the index in `chunk` just past CR LF CR LF, or -1; enforces the size cap byte by byte. */
  private scan(chunk: Uint8Array, from: number): number {
    for (let i = from; i < chunk.length; i++) {
      const byte = chunk[i]!;
      if (byte === TERMINATOR[this.matched]) this.matched++;
      else this.matched = byte === CR ? 1 : 0;
      this.size++;
      if (this.matched === TERMINATOR.length) {
        this.matched = 0;
        return i + 1;
      }
      if (this.size >= this.maxHeaderSize) throw new HandshakeError(`response head exceeds ${this.maxHeaderSize} bytes`);
    }
    return -1;
  }

  /** Copies `chunk[start, end)` after the pending bytes, growing the buffer geometrically (never past the cap). */
  private keep(chunk: Uint8Array, start: number, end: number): void {
    const length = end - start;
    if (length === 0) return;
    const need = this.pendingLength + length;
    let pending = this.pending;
    if (pending === null || need > pending.length) {
      const grown = new Uint8Array(Math.min(this.maxHeaderSize, Math.max(need, MIN_PENDING, 2 * (pending?.length ?? 0))));
      if (pending !== null) grown.set(pending.subarray(0, this.pendingLength));
      this.pending = pending = grown;
    }
    pending.set(chunk.subarray(start, end), this.pendingLength);
    this.pendingLength = need;
  }

  /** The complete head without its terminator: a view of `chunk` when nothing is pending, else the joined copy. */
  private take(chunk: Uint8Array, start: number, end: number): Uint8Array {
    if (this.pendingLength === 0) return chunk.subarray(start, end - TERMINATOR.length);
    this.keep(chunk, start, end);
    const head = this.pending!.subarray(0, this.pendingLength - TERMINATOR.length);
    this.pendingLength = 0;
    return head;
  }
}
