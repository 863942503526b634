/**
 * parseResponseHead: the status line and header fields of an HTTP/1.x
 * response head (RFC 9112 §4, §5), read from bytes in one linear pass.
 *
 * No regular expression looks at these bytes: lines are found with
 * `indexOf`, a field name is checked with a token table, optional whitespace
 * is trimmed with loops and a value is checked byte by byte, so a hostile
 * head costs time in proportion to its length (the regular expression this
 * replaces backtracked for hours on 16 KiB of spaces).
 *
 * @see https://www.rfc-editor.org/rfc/rfc9112#section-4
 * @see https://www.rfc-editor.org/rfc/rfc9112#section-5
 */
import { HandshakeError } from './errors.js';
import { Response } from './response.js';
import { isTokenChar } from './token.js';

const HTAB = 0x09;
const LF = 0x0a;
const CR = 0x0d;
const SP = 0x20;
const COLON = 0x3a;
const DIGIT_0 = 0x30;
/** `HTTP/1.` — RFC 9112 §2.3: `HTTP-version = HTTP-name "/" DIGIT "." DIGIT`; the minor digit is read apart. */
const VERSION_PREFIX = [0x48, 0x54, 0x54, 0x50, 0x2f, 0x31, 0x2e] as const;
/** The shortest status line: `HTTP/1.1 101`. */
const MIN_STATUS_LINE = 12;
/** Longest excerpt of a bad line quoted in an error. */
const QUOTE = 80;


/**
 * RFC 9110 §5.5: `field-value = *field-content` of `field-vchar = VCHAR / obs-text`, SP and HTAB: every byte
 * but the controls (HTAB excepted) and DEL. This rejects CR, LF and NUL ("a recipient of CR, LF, or NUL within
 * a field value MUST either reject the message or replace each of those characters with SP").
 */
function isFieldByte(byte: number): boolean {
  return byte >= SP ? byte !== 0x7f : byte === HTAB;
}

const isSpace = (byte: number): boolean => byte === SP || byte === HTAB;

/** Decodes bytes one to one into code points 0–255 (HTTP field values are octets; TextDecoder's "latin1" is windows-1252). */
export function latin1(bytes: Uint8Array, start = 0, end = bytes.length): string {
  let text = '';
  // In pieces of 4096: fromCharCode takes the bytes as arguments, and the stack bounds how many.
  for (let at = start; at < end; at += 4096) text += String.fromCharCode.apply(null, bytes.subarray(at, Math.min(end, at + 4096)) as unknown as number[]);
  return text;
}

function quote(bytes: Uint8Array, start: number, end: number): string {
  return JSON.stringify(latin1(bytes, start, Math.min(end, start + QUOTE)));
}

/** The index of the CR of the next CR LF at or after `from`, or `end`; a bare CR stays in its line (and fails it). */
function lineEnd(head: Uint8Array, from: number, end: number): number {
  let at = from;
  for (;;) {
    const cr = head.indexOf(CR, at);
    if (cr < 0 || cr >= end) return end;
    if (cr + 1 < end && head[cr + 1] === LF) return cr;
    at = cr + 1;
  }
}

/**
 * Parses a response head: the bytes before the empty line, i.e. without the final CR LF CR LF.
 *
 * @example
 * ```ts
 * parseResponseHead(bytes('HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket'));
 * // Response { statusCode: 101, status: 'Switching Protocols', httpVersion: '1.1', rawHeaders: [['Upgrade', 'websocket']] }
 * ```
 * @throws {@link HandshakeError} "invalid status line …", "invalid header line …" or "obsolete line folding …"
 *   (quoting at most 80 characters of the line)
 */
export function parseResponseHead(head: Uint8Array): Response {
  const end = head.length;
  const statusEnd = lineEnd(head, 0, end);
  const statusCode = parseStatusLine(head, statusEnd);
  const headers: Array<[string, string]> = [];
  for (let start = statusEnd + 2; start < end + 2; ) {
    const stop = lineEnd(head, start, end);
    headers.push(parseHeaderLine(head, start, stop));
    start = stop + 2;
  }
  const reason = statusEnd > MIN_STATUS_LINE ? latin1(head, MIN_STATUS_LINE + 1, statusEnd) : '';
  return new Response(statusCode, reason, headers, head[7] === DIGIT_0 ? '1.0' : '1.1');
}

/**
 * Checks the status line (the first `end` bytes) and returns its status code.
 * RFC 9112 §4: `status-line = HTTP-version SP status-code SP [ reason-phrase ]`; the trailing SP is tolerated missing.
 */
function parseStatusLine(head: Uint8Array, end: number): number {
  let valid = end >= MIN_STATUS_LINE && head[8] === SP && (head[7] === DIGIT_0 || head[7] === DIGIT_0 + 1);
  for (let i = 0; valid && i < VERSION_PREFIX.length; i++) valid = head[i] === VERSION_PREFIX[i];
  // RFC 9112 §4: `status-code = 3DIGIT`; classes 1xx to 5xx (RFC 9110 §15).
  const d0 = head[9]! - DIGIT_0;
  const d1 = head[10]! - DIGIT_0;
  const d2 = head[11]! - DIGIT_0;
  valid &&= d0 >= 1 && d0 <= 5 && d1 >= 0 && d1 <= 9 && d2 >= 0 && d2 <= 9;
  // RFC 9112 §4: `reason-phrase = 1*( HTAB / SP / VCHAR / obs-text )`.
  if (valid && end > MIN_STATUS_LINE) valid = head[MIN_STATUS_LINE] === SP;
  for (let i = MIN_STATUS_LINE + 1; valid && i < end; i++) valid = isFieldByte(head[i]!);
  if (!valid) throw new HandshakeError(`invalid status line ${quote(head, 0, end)}`);
  return d0 * 100 + d1 * 10 + d2;
}

/** RFC 9112 §5: `field-line = field-name ":" OWS field-value OWS`; no whitespace before the colon, no control characters. */
function parseHeaderLine(head: Uint8Array, start: number, end: number): [string, string] {
  // RFC 9112 §5.2: "A user agent that receives an obs-fold in a response message ... MUST replace each received
  // obs-fold with one or more SP octets prior to interpreting the field value"; we refuse it instead, as it only
  // comes from broken or hostile servers.
  if (start < end && isSpace(head[start]!)) throw new HandshakeError(`obsolete line folding ${quote(head, start, end)}`);
  const colon = head.indexOf(COLON, start);
  let valid = colon > start && colon < end;
  // RFC 9112 §5.1: "No whitespace is allowed between the field name and colon."
  for (let i = start; valid && i < colon; i++) valid = isTokenChar(head[i]!);
  for (let i = colon + 1; valid && i < end; i++) valid = isFieldByte(head[i]!);
  if (!valid) throw new HandshakeError(`invalid header line ${quote(head, start, end)}`);
  // RFC 9112 §5.1: "A field line value might be preceded and/or followed by optional whitespace (OWS) ... excluded
  // by parsers when extracting the field line value".
  let from = colon + 1;
  let to = end;
  while (from < to && isSpace(head[from]!)) from++;
  while (to > from && isSpace(head[to - 1]!)) to--;
  return [latin1(head, start, colon), latin1(head, from, to)];
}
