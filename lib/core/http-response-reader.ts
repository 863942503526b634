/**
 * HttpResponseReader: reads the server's HTTP response head (RFC 9112 §4,
 * §5) incrementally, with a size cap, and hands back the bytes after it —
 * the first WebSocket frames — untouched.
 *
 * @see https://www.rfc-editor.org/rfc/rfc9112#section-4
 */
import { HandshakeError } from './errors.js';
import { Response } from './response.js';

/** RFC 9112 §4: `HTTP-version SP status-code SP [ reason-phrase ]`; the trailing SP is tolerated missing. */
const STATUS_LINE = /^HTTP\/1\.[01] ([1-5][0-9]{2})(?: ([\t\x20-\x7e\x80-\xff]*))?$/;
/** RFC 9112 §5: `field-name ":" OWS field-value OWS`; no whitespace before the colon, no control characters. */
const HEADER_LINE = /^([!#$%&'*+\-.^_`|~0-9A-Za-z]+):[\t ]*([\t\x20-\x7e\x80-\xff]*?)[\t ]*$/;
/** The head ends with an empty line: CR LF CR LF. */
const TERMINATOR = [13, 10, 13, 10] as const;
const CR = 13;

/** Options of {@link HttpResponseReader}. */
export interface HttpResponseReaderOptions {
  /** Largest response head accepted, in bytes, the final CRLF CRLF included (default 16 KiB). */
  readonly maxHeaderSize?: number;
}

/** The parsed head and the bytes that followed it. */
export interface HttpResponseHead {
  readonly response: Response;
  /** Bytes after the head: the first WebSocket frames (a view of the last chunk, not a copy). */
  readonly rest: Uint8Array;
}

/**
 * Accumulates the server's bytes until the empty line that ends the response head, then parses it.
 *
 * @example
 * ```ts
 * const reader = new HttpResponseReader();
 * reader.push(bytes('HTTP/1.1 101 Switching Protocols\r\nUpgrade: web'));  // null
 * reader.push(bytes('socket\r\n\r\n\x81\x02hi'));                           // { response, rest: <81 02 68 69> }
 * ```
 */
export class HttpResponseReader {
  private readonly maxHeaderSize: number;
  private chunks: Uint8Array[] = [];
  /** Bytes of the head consumed so far, over all chunks. */
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
   * @returns null until the head is complete, then the response and the bytes after the head (after which
   *   the reader is empty again)
   * @throws {@link HandshakeError} for a malformed status or header line, obsolete line folding, or a head
   *   larger than `maxHeaderSize` ("response head exceeds 16384 bytes")
   */
  push(chunk: Uint8Array): HttpResponseHead | null {
    const end = this.scan(chunk);
    if (end < 0) {
      if (chunk.length > 0) this.chunks.push(chunk.slice());
      return null;
    }
    const head = this.chunks.length === 0 ? chunk.subarray(0, end) : concat([...this.chunks, chunk.subarray(0, end)], this.size);
    this.chunks = [];
    this.size = 0;
    this.matched = 0;
    return { response: parseHead(latin1(head.subarray(0, head.length - TERMINATOR.length))), rest: chunk.subarray(end) };
  }

  /** Returns the index in `chunk` just past CR LF CR LF, or -1; enforces the size cap byte by byte. */
  private scan(chunk: Uint8Array): number {
    for (let i = 0; i < chunk.length; i++) {
      const byte = chunk[i]!;
      if (byte === TERMINATOR[this.matched]) this.matched++;
      else this.matched = byte === CR ? 1 : 0;
      this.size++;
      if (this.matched === TERMINATOR.length) return i + 1;
      if (this.size >= this.maxHeaderSize) throw new HandshakeError(`response head exceeds ${this.maxHeaderSize} bytes`);
    }
    return -1;
  }
}

function concat(parts: readonly Uint8Array[], length: number): Uint8Array {
  const out = new Uint8Array(length);
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

/** Decodes bytes one to one into code points 0–255 (HTTP field values are octets; TextDecoder's "latin1" is windows-1252). */
function latin1(bytes: Uint8Array): string {
  let text = '';
  for (let i = 0; i < bytes.length; i += 4096) text += String.fromCharCode(...bytes.subarray(i, i + 4096));
  return text;
}

function parseHead(head: string): Response {
  const [statusLine, ...lines] = head.split('\r\n');
  const status = STATUS_LINE.exec(statusLine!);
  if (!status) throw new HandshakeError(`invalid status line ${JSON.stringify(statusLine!.slice(0, 80))}`);
  const headers: Array<[string, string]> = [];
  for (const line of lines) {
    // RFC 9112 §5.2: "A user agent that receives an obs-fold in a response message ... MUST replace each received
    // obs-fold with one or more SP octets prior to interpreting the field value"; we refuse it instead, as it only
    // comes from broken or hostile servers.
    if (line.startsWith(' ') || line.startsWith('\t')) throw new HandshakeError(`obsolete line folding ${JSON.stringify(line.slice(0, 80))}`);
    const match = HEADER_LINE.exec(line);
    if (!match) throw new HandshakeError(`invalid header line ${JSON.stringify(line.slice(0, 80))}`);
    headers.push([match[1]!, match[2]!]);
  }
  return new Response(Number(status[1]), status[2] ?? '', headers);
}
