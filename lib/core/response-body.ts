/**
 * ResponseBodyReader: the first bytes of a refused upgrade's body (SPEC
 * `rejected.body`), because servers explain refusals there. It keeps at most
 * `limit` bytes (4 KiB by default) and knows where the body ends (RFC 9112
 * §6.3): no body for 204 and 304, the final `chunked` coding decoded, else
 * `Content-Length` bytes, else whatever comes until the server closes.
 *
 * Memory follows the bytes kept, never what a header announces: the buffer
 * grows geometrically with the body's bytes up to `limit`. The chunked
 * decoder is a state machine over bytes (no regular expression); framing
 * bytes are consumed and never stored. A malformed chunk ends the body with
 * what was decoded so far: this is an explanation to show, not a message to
 * trust.
 *
 * @see https://www.rfc-editor.org/rfc/rfc9112#section-6.3
 * @see https://www.rfc-editor.org/rfc/rfc9112#section-7.1
 */
import type { Response } from './response.js';

/** SPEC: `rejected.body` holds at most the first 4 KiB of the body. */
export const MAX_REJECTED_BODY = 4096;
/** First size of the buffer (grown geometrically up to the limit). */
const MIN_BUFFER = 256;
/** A chunk size of more hex digits than this is malformed (16^13 bytes is beyond any body, and exact in a double). */
const MAX_SIZE_DIGITS = 13;

const EMPTY = new Uint8Array(0);
const CR = 0x0d;
const LF = 0x0a;

/** How the body's end is found. */
const enum Framing {
  /** RFC 9112 §6.3 item 1: no body at all. */
  None,
  /** Item 5/6: exactly `remaining` bytes. */
  Length,
  /** Item 4: the chunked coding. */
  Chunked,
  /** Item 8 (and 4 for a final coding other than chunked): until the connection closes. */
  UntilClose,
}

/** States of the chunked decoder (RFC 9112 §7.1: `chunk = chunk-size [ chunk-ext ] CRLF chunk-data CRLF`). */
const enum Chunk {
  /** Reading the hex digits of `chunk-size`. */
  Size,
  /** After the size: a chunk extension or whitespace, up to the LF. */
  Extension,
  /** Reading `remaining` bytes of chunk data. */
  Data,
  /** The CR LF after chunk data (`crlf` counts what was seen). */
  DataEnd,
}

/** Options of {@link ResponseBodyReader}. */
export interface ResponseBodyOptions {
  /** Most bytes kept (default {@link MAX_REJECTED_BODY}). */
  readonly limit?: number;
  /**
   * True when the bytes are the body itself, already de-framed (Node's http parser on the http.Agent path):
   * then only `limit` and the end of the stream end it.
   */
  readonly decoded?: boolean;
}

/** A hex digit's value, or -1. */
function hexValue(byte: number): number {
  if (byte >= 0x30 && byte <= 0x39) return byte - 0x30;
  const lower = byte | 0x20;
  return lower >= 0x61 && lower <= 0x66 ? lower - 0x61 + 10 : -1;
}

/**
 * RFC 9110 §8.6: `Content-Length = 1*DIGIT`; a list of identical values may be taken as one ("a recipient MAY
 * either reject the message as invalid or replace that invalid field value with a single instance of the
 * decimal value"). Returns the length, or -1 when invalid (then the body runs until close).
 */
function contentLength(value: string): number {
  let length = -1;
  for (const item of value.split(',')) {
    const text = item.trim();
    if (text.length === 0 || text.length > 15) return -1;
    let n = 0;
    for (let i = 0; i < text.length; i++) {
      const digit = text.charCodeAt(i) - 0x30;
      if (digit < 0 || digit > 9) return -1;
      n = n * 10 + digit;
    }
    if (length >= 0 && n !== length) return -1;
    length = n;
  }
  return length;
}

/** RFC 9112 §6.3: how the body of `response` ends. */
function framingOf(response: Response): { framing: Framing; length: number } {
  // Item 1: "Any response to a HEAD request and any response with a 1xx (Informational), 204 (No Content), or 304
  // (Not Modified) status code is always terminated by the first empty line after the header fields".
  const status = response.statusCode;
  if (status === 204 || status === 304 || (status >= 100 && status <= 199)) return { framing: Framing.None, length: 0 };
  // Item 4: "If a Transfer-Encoding header field is present and the chunked transfer coding is the final encoding,
  // the message body length is determined by reading and decoding the chunked data"; otherwise, in a response,
  // "by reading the connection until it is closed by the server". It overrides Content-Length (item 3).
  const codings = response.getList('transfer-encoding');
  if (codings.length > 0) {
    return { framing: codings[codings.length - 1]!.toLowerCase() === 'chunked' ? Framing.Chunked : Framing.UntilClose, length: 0 };
  }
  const header = response.get('content-length');
  if (header !== undefined) {
    const length = contentLength(header);
    // Item 6: "If a valid Content-Length header field is present ... that is the expected message body length".
    if (length >= 0) return length === 0 ? { framing: Framing.None, length: 0 } : { framing: Framing.Length, length };
  }
  // Item 8: "Otherwise, this is a response message without a declared message body length, so the message body
  // length is determined by the number of octets received prior to the server closing the connection."
  return { framing: Framing.UntilClose, length: 0 };
}

/**
 * Collects the first bytes of a response body.
 *
 * @example
 * ```ts
 * const reader = new ResponseBodyReader(new Response(403, 'Forbidden', [['Content-Length', '6']]));
 * reader.push(bytes('no way'));  // true: the body is complete
 * reader.body();                 // the 6 bytes "no way"
 * ```
 */
export class ResponseBodyReader {
  private readonly limit: number;
  private framing: Framing;
  /** Bytes left of the body (Length) or of the current chunk (Chunked, state Data). */
  private remaining: number;
  private chunk = Chunk.Size;
  /** Hex digits read of the current chunk size. */
  private digits = 0;
  /** Bytes of CR LF seen after chunk data. */
  private crlf = 0;
  private buffer: Uint8Array = EMPTY;
  private length = 0;
  private complete: boolean;

  /**
   * @param response - the response head, whose status and headers say how the body is framed
   * @param options - `limit` (default 4096), `decoded`
   * @throws RangeError when `limit` is not a non-negative integer
   */
  constructor(response: Response, options: ResponseBodyOptions = {}) {
    const limit = options.limit ?? MAX_REJECTED_BODY;
    if (!Number.isInteger(limit) || limit < 0) throw new RangeError(`invalid limit ${limit}`);
    this.limit = limit;
    const { framing, length } = options.decoded === true ? { framing: Framing.UntilClose, length: 0 } : framingOf(response);
    this.framing = framing;
    this.remaining = length;
    this.complete = framing === Framing.None || limit === 0;
  }

  /** True once the body ended or `limit` bytes were kept: nothing more is read. */
  get done(): boolean {
    return this.complete;
  }

  /**
   * Feeds bytes that followed the head, split anywhere.
   *
   * @returns {@link done}
   */
  push(chunk: Uint8Array): boolean {
    if (this.complete || chunk.length === 0) return this.complete;
    switch (this.framing) {
      case Framing.Length: {
        const take = Math.min(this.remaining, chunk.length);
        this.remaining -= take;
        this.keep(chunk, 0, take);
        if (this.remaining === 0) this.complete = true;
        break;
      }
      case Framing.Chunked:
        this.chunked(chunk);
        break;
      default:
        this.keep(chunk, 0, chunk.length);
    }
    return this.complete;
  }

  /** The bytes kept so far (a copy of exactly that length; empty when there were none). */
  body(): Uint8Array {
    return this.length === 0 ? new Uint8Array(0) : this.buffer.slice(0, this.length);
  }

  /** Runs the chunked decoder over `chunk`, one state at a time. */
  private chunked(chunk: Uint8Array): void {
    let i = 0;
    while (i < chunk.length && !this.complete) {
      const byte = chunk[i]!;
      switch (this.chunk) {
        case Chunk.Size: {
          const value = hexValue(byte);
          if (value >= 0) {
            if (++this.digits > MAX_SIZE_DIGITS) return this.malformed();
            this.remaining = this.remaining * 16 + value;
            i++;
            break;
          }
          if (this.digits === 0) return this.malformed();
          this.chunk = Chunk.Extension;
          break;
        }
        case Chunk.Extension: {
          // `chunk-ext = *( BWS ";" BWS chunk-ext-name [ BWS "=" BWS chunk-ext-val ] )`: skipped, never stored.
          const lf = chunk.indexOf(LF, i);
          if (lf < 0) return;
          i = lf + 1;
          // RFC 9112 §7.1: "The chunked transfer coding is complete when a chunk with a chunk-size of zero is
          // received"; trailers may follow, but the body is over.
          if (this.remaining === 0) this.complete = true;
          else this.chunk = Chunk.Data;
          break;
        }
        case Chunk.Data: {
          const take = Math.min(this.remaining, chunk.length - i);
          this.keep(chunk, i, i + take);
          this.remaining -= take;
          i += take;
          if (this.remaining === 0) {
            this.chunk = Chunk.DataEnd;
            this.crlf = 0;
          }
          break;
        }
        case Chunk.DataEnd: {
          if (byte !== (this.crlf === 0 ? CR : LF)) return this.malformed();
          i++;
          if (++this.crlf === 2) {
            this.chunk = Chunk.Size;
            this.digits = 0;
          }
          break;
        }
      }
    }
  }

  /** A chunk that breaks the grammar ends the body with what was decoded. */
  private malformed(): void {
    this.complete = true;
  }

  /** Copies `chunk[start, end)` up to the limit, growing the buffer geometrically. */
  private keep(chunk: Uint8Array, start: number, end: number): void {
    const take = Math.min(end - start, this.limit - this.length);
    if (take > 0) {
      const need = this.length + take;
      if (need > this.buffer.length) {
        const grown = new Uint8Array(Math.min(this.limit, Math.max(need, MIN_BUFFER, 2 * this.buffer.length)));
        grown.set(this.buffer.subarray(0, this.length));
        this.buffer = grown;
      }
      this.buffer.set(chunk.subarray(start, start + take), this.length);
      this.length = need;
    }
    if (this.length >= this.limit) this.complete = true;
  }
}
