/**
 * HttpResponseReader: reads the server's HTTP response head (RFC 9112 §4,
 * §5) incrementally, with a size cap, and hands back the bytes after it —
 * the first WebSocket frames — untouched.
 */
import { HandshakeError } from './errors.js';
import { Response } from './response.js';

const STATUS_LINE = /^HTTP\/1\.[01] (\d{3})(?: (.*))?$/;
const HEADER_LINE = /^([!#$%&'*+\-.^_`|~0-9A-Za-z]+):[ \t]*(.*?)[ \t]*$/;
const decoder = new TextDecoder('latin1');

/** Accumulates bytes until CRLF CRLF. */
export class HttpResponseReader {
  private readonly maxHeaderSize: number;
  private buffered: Uint8Array = new Uint8Array(0);

  constructor(options: { maxHeaderSize?: number } = {}) {
    this.maxHeaderSize = options.maxHeaderSize ?? 16 * 1024;
  }

  /**
   * Feeds bytes; null until the head is complete, then the response and the bytes after the head.
   *
   * @throws {@link HandshakeError} for a malformed head or one over `maxHeaderSize`
   */
  push(chunk: Uint8Array): { response: Response; rest: Uint8Array } | null {
    const previous = this.buffered.length;
    let data: Uint8Array;
    if (previous === 0) data = chunk;
    else {
      data = new Uint8Array(previous + chunk.length);
      data.set(this.buffered, 0);
      data.set(chunk, previous);
    }
    // Search from just before the new bytes: the terminator may straddle chunks.
    const end = findTerminator(data, Math.max(0, previous - 3));
    if (end < 0) {
      if (data.length > this.maxHeaderSize) throw new HandshakeError(`response head exceeds ${this.maxHeaderSize} bytes`);
      this.buffered = previous === 0 ? chunk.slice() : data;
      return null;
    }
    if (end > this.maxHeaderSize) throw new HandshakeError(`response head exceeds ${this.maxHeaderSize} bytes`);
    this.buffered = new Uint8Array(0);
    return { response: parseHead(decoder.decode(data.subarray(0, end))), rest: data.subarray(end + 4) };
  }
}

function findTerminator(data: Uint8Array, from: number): number {
  for (let i = from; i + 3 < data.length; i++) {
    if (data[i] === 13 && data[i + 1] === 10 && data[i + 2] === 13 && data[i + 3] === 10) return i;
  }
  return -1;
}

function parseHead(head: string): Response {
  const lines = head.split('\r\n');
  const status = STATUS_LINE.exec(lines[0]!);
  if (!status) throw new HandshakeError(`invalid status line ${JSON.stringify(lines[0]!.slice(0, 80))}`);
  const headers: Array<[string, string]> = [];
  for (const line of lines.slice(1)) {
    // RFC 9112 §5.2: obsolete line folding is rejected by a client that does not support it.
    if (line.startsWith(' ') || line.startsWith('\t')) throw new HandshakeError('obsolete line folding in response head');
    const match = HEADER_LINE.exec(line);
    if (!match) throw new HandshakeError(`invalid header line ${JSON.stringify(line.slice(0, 80))}`);
    headers.push([match[1]!, match[2]!]);
  }
  return new Response(Number(status[1]), status[2] ?? '', headers);
}
