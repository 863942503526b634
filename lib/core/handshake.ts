/**
 * The opening handshake (RFC 6455 §4.1): the client's upgrade request, and
 * the checks the server's response must pass. Pure: the key is generated and
 * the expected accept value hashed by the caller (see `session/handshake-keys`).
 *
 * @see https://www.rfc-editor.org/rfc/rfc6455#section-4.1
 */
import { HandshakeError } from './errors.js';
import type { Response } from './response.js';
import { base64 } from './sha1.js';
import { authority, type WebSocketTarget } from './url.js';
import { isToken } from './token.js';

/** The GUID of RFC 6455 §1.3, hashed with the key into Sec-WebSocket-Accept. */
export const WEBSOCKET_GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';

/** The opening handshake request, as a transport sends it. */
export interface HandshakeRequest {
  /** Request target: path and query of the URL, e.g. `/feed?x=1`. */
  readonly path: string;
  /** Header lines in order, including Host, Upgrade, Connection, Sec-WebSocket-Key/Version. */
  readonly headers: ReadonlyArray<readonly [string, string]>;
  /** The whole request head (`GET … HTTP/1.1\r\n…\r\n\r\n`) as bytes. */
  readonly bytes: Uint8Array;
}

/** What the request carries beyond the headers the handshake itself sets. */
export interface RequestOptions {
  /** Sec-WebSocket-Protocol values, by preference: unique RFC 7230 tokens. */
  readonly protocols?: readonly string[];
  /**
   * Custom headers (Origin, Authorization, Cookie…). Names must be tokens, values must not contain control
   * characters; an array sends one header line per value (Cookie values are joined with "; " into one line).
   * A custom `Host` replaces the computed one, a custom `User-Agent` wins over `userAgent`, a custom `Origin`
   * over `origin` and a custom `Authorization` over the URL's credentials; the headers the handshake owns
   * (Upgrade, Connection, Sec-WebSocket-*) and body framing headers are refused.
   */
  readonly headers?: Readonly<Record<string, string | readonly string[]>> | ReadonlyArray<readonly [string, string | readonly string[]]>;
  /** User-Agent value; none is sent when absent (the caller passes its default, e.g. `lomond/0.1.0`). */
  readonly userAgent?: string;
  /** Origin header value (RFC 6454 serialisation, e.g. `https://app.example.org`); none when absent. */
  readonly origin?: string;
  /** The Sec-WebSocket-Extensions offer, e.g. from `buildDeflateOffer()`. */
  readonly extensions?: string;
}

/** What a successful response agreed to. */
export interface Accepted {
  /** The subprotocol the server selected, or null. */
  readonly protocol: string | null;
  /** The raw Sec-WebSocket-Extensions value, or null (negotiate it with `negotiateDeflate`). */
  readonly extensions: string | null;
}

/** What {@link checkSelections} compares the response with: what the request offered. */
export interface Offered {
  /** The subprotocols offered. */
  readonly protocols: readonly string[];
  /** True when a Sec-WebSocket-Extensions offer was sent. */
  readonly extensionsOffered: boolean;
}

/** What `checkResponse` compares the response with. */
export interface Expected extends Offered {
  /** base64(SHA-1(key + GUID)), from `acceptFor(key)`. */
  readonly accept: string;
}

/** RFC 9110 §5.5: field values hold no control characters but HTAB (this covers CR, LF and NUL). */
const INVALID_VALUE = /[\0-\x08\n-\x1f\x7f]/;
/** The key is 16 bytes in base64: 22 characters and "==". */
const KEY = /^[A-Za-z0-9+/]{21}[AQgw]==$/;
/** Headers the handshake sets itself, and body framing headers that would desynchronise the stream. */
const FORBIDDEN = new Set([
  'upgrade',
  'connection',
  'sec-websocket-key',
  'sec-websocket-version',
  'sec-websocket-extensions',
  'sec-websocket-protocol',
  'sec-websocket-accept',
  'content-length',
  'transfer-encoding',
]);

/** Tokens that are object-prototype keys in JavaScript: refused as header names. */
const OBJECT_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

/** Host header value: IPv6 literals bracketed, the scheme's default port omitted (RFC 6455 §4.1 item 4). */
function hostHeader(target: WebSocketTarget): string {
  return authority(target.host, target.port === (target.secure ? 443 : 80) ? null : target.port);
}

function checkValue(name: string, value: unknown): string {
  if (typeof value !== 'string') throw new TypeError(`header ${name.toLowerCase()} must be a string, got ${typeof value}`);
  // Header injection guard: a CR or LF would end the header line and smuggle in others.
  if (INVALID_VALUE.test(value)) throw new TypeError(`invalid header value for ${name.toLowerCase()}: ${JSON.stringify(value)}`);
  return value;
}

/**
 * Checks the subprotocols to offer (RFC 6455 §4.1 item 10): non-empty tokens, all different.
 *
 * @throws TypeError naming the offending value
 */
export function checkProtocols(protocols: unknown): readonly string[] {
  if (!Array.isArray(protocols)) throw new TypeError('protocols must be an array');
  const seen = new Set<string>();
  for (const protocol of protocols) {
    // RFC 6455 §4.1 item 10: "The elements that comprise this value MUST be non-empty strings with characters in the range
    // U+0021 to U+007E not including separator characters as defined in [RFC2616] and MUST all be unique strings."
    if (typeof protocol !== 'string' || !isToken(protocol)) throw new TypeError(`invalid protocol ${JSON.stringify(protocol)}`);
    if (seen.has(protocol)) throw new TypeError(`duplicate protocol ${protocol}`);
    seen.add(protocol);
  }
  return protocols as readonly string[];
}

/**
 * Checks one custom header's name (an RFC 9110 token the handshake does not own) and value.
 *
 * @throws TypeError naming the header and the offending value
 */
export function checkHeader(name: unknown, value: unknown): [string, string] {
  if (typeof name !== 'string' || !isToken(name)) throw new TypeError(`invalid header name ${JSON.stringify(name)}`);
  const lower = name.toLowerCase();
  if (FORBIDDEN.has(lower)) throw new TypeError(`header ${lower} is set by the handshake`);
  // Valid tokens, but names that alter or shadow an object's prototype when used as keys: no real header has them.
  if (OBJECT_KEYS.has(lower)) throw new TypeError(`invalid header name ${JSON.stringify(name)}`);
  return [name, checkValue(name, value)];
}

/**
 * The custom headers as lines: one per value of an array, except Cookie, whose values are joined with "; "
 * (RFC 6265 §5.4: "the user agent MUST NOT attach more than one Cookie header field"), as Node's http does.
 */
function customHeaders(headers: RequestOptions['headers']): Array<[string, string]> {
  const entries: ReadonlyArray<readonly [string, unknown]> = headers === undefined ? [] : Array.isArray(headers) ? headers : Object.entries(headers);
  const checked: Array<[string, string]> = [];
  for (const [name, value] of entries) {
    if (!Array.isArray(value)) {
      checked.push(checkHeader(name, value));
      continue;
    }
    const values = value.map((item: unknown) => checkHeader(name, item)[1]);
    if (values.length === 0) {
      checkHeader(name, ''); // no line to send, but the name must still be one we may send
      continue;
    }
    if (name.toLowerCase() === 'cookie') checked.push([name, values.join('; ')]);
    else for (const item of values) checked.push([name, item]);
  }
  const hosts = checked.filter(([name]) => name.toLowerCase() === 'host');
  if (hosts.length > 1) throw new TypeError('more than one host header');
  return checked;
}

/**
 * The Authorization header for URL credentials (RFC 7617 §2: "the user-id and password are combined with a single
 * colon (":") character" and "The resulting octet sequence is encoded using Base64"; UTF-8 as §2.1's charset).
 */
function basicAuth(credentials: string): string {
  return `Basic ${base64(new TextEncoder().encode(credentials))}`;
}

/**
 * Checks what {@link buildRequest} will send from the caller's options (protocols, custom headers, user
 * agent), without building anything: lets a caller refuse bad options at its own call.
 *
 * @throws TypeError as {@link buildRequest} would
 */
export function checkRequestOptions(options: RequestOptions): void {
  checkProtocols(options.protocols ?? []);
  customHeaders(options.headers);
  if (options.userAgent !== undefined) checkValue('user-agent', options.userAgent);
  if (options.origin !== undefined) checkValue('origin', options.origin);
}

/**
 * Builds the upgrade request (RFC 6455 §4.1, client requirements 1–12).
 *
 * Header order: Host, Upgrade, Connection, Sec-WebSocket-Key, Sec-WebSocket-Version, then
 * Sec-WebSocket-Protocol, Sec-WebSocket-Extensions, User-Agent, Origin, Authorization (from the URL's
 * credentials) and the custom headers.
 *
 * @example
 * ```ts
 * const request = buildRequest(parseWebSocketUrl('ws://example.com/chat'), 'dGhlIHNhbXBsZSBub25jZQ==');
 * new TextDecoder().decode(request.bytes);
 * // 'GET /chat HTTP/1.1\r\nHost: example.com\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n…\r\n\r\n'
 * ```
 * @param target - from `parseWebSocketUrl`
 * @param key - the Sec-WebSocket-Key: 16 random bytes, base64-encoded (see `createKey`)
 * @param options - protocols, extensions offer, user agent, origin and custom headers
 * @returns the request target, header lines and the encoded request head
 * @throws TypeError for a malformed key, protocols that are not unique tokens, header names that are not tokens,
 *   values with control characters (CR, LF, NUL…), a repeated Host, or headers the handshake owns
 * @see https://www.rfc-editor.org/rfc/rfc6455#section-4.1
 */
export function buildRequest(target: WebSocketTarget, key: string, options: RequestOptions = {}): HandshakeRequest {
  // RFC 6455 §4.1 item 7: "The value of this header field MUST be a nonce consisting of a randomly selected 16-byte value
  // that has been base64-encoded."
  if (typeof key !== 'string' || !KEY.test(key)) throw new TypeError(`invalid key ${JSON.stringify(key)}`);
  const protocols = checkProtocols(options.protocols ?? []);
  const custom = customHeaders(options.headers);
  const customHosts = custom.filter(([name]) => name.toLowerCase() === 'host');
  const has = (header: string): boolean => custom.some(([name]) => name.toLowerCase() === header);

  // RFC 6455 §4.1 items 4–6, 9: "The request MUST contain a |Host| header field", "an |Upgrade| header field whose value
  // MUST include the "websocket" keyword", "a |Connection| header field whose value MUST include the "Upgrade" token",
  // "a header field with the name |Sec-WebSocket-Version|. The value of this header field MUST be 13."
  const headers: Array<readonly [string, string]> = [
    customHosts[0] ?? ['Host', hostHeader(target)],
    ['Upgrade', 'websocket'],
    ['Connection', 'Upgrade'],
    ['Sec-WebSocket-Key', key],
    ['Sec-WebSocket-Version', '13'],
  ];
  if (protocols.length > 0) headers.push(['Sec-WebSocket-Protocol', protocols.join(', ')]);
  if (options.extensions !== undefined) headers.push(['Sec-WebSocket-Extensions', checkValue('sec-websocket-extensions', options.extensions)]);
  if (options.userAgent !== undefined && !has('user-agent')) headers.push(['User-Agent', checkValue('user-agent', options.userAgent)]);
  // RFC 6455 §4.1 item 8: "The request MUST include a header field with the name |Origin| if the request is coming from a
  // browser client. If the request is coming from a non-browser client, the request MAY include this header field".
  if (options.origin !== undefined && !has('origin')) headers.push(['Origin', checkValue('origin', options.origin)]);
  // As curl and ws: an explicit Authorization header wins over the URL's credentials.
  if (target.credentials !== undefined && !has('authorization')) headers.push(['Authorization', basicAuth(target.credentials)]);
  for (const header of custom) if (header !== customHosts[0]) headers.push(header);

  // RFC 6455 §4.1 item 2: "The method of the request MUST be GET, and the HTTP version MUST be at least 1.1."
  const lines = [`GET ${target.resource} HTTP/1.1`, ...headers.map(([name, value]) => `${name}: ${value}`)];
  return { path: target.resource, headers, bytes: new TextEncoder().encode(`${lines.join('\r\n')}\r\n\r\n`) };
}

/**
 * Checks the server's response to the upgrade request (RFC 6455 §4.1, "the client MUST validate the server's
 * response as follows"), in the RFC's order. It does not negotiate extensions: pass `extensions` on to
 * `negotiateDeflate`. An empty Sec-WebSocket-Protocol or Sec-WebSocket-Extensions header fails the handshake,
 * and so does a 101 on HTTP/1.0.
 *
 * @param response - the parsed response head
 * @param expected - the accept value and what the request offered
 * @returns the selected subprotocol and the raw extensions header
 * @throws {@link HandshakeError} with the reason the handshake failed, e.g. "expected status 101, got 403 Forbidden"
 * @see https://www.rfc-editor.org/rfc/rfc6455#section-4.1
 */
export function checkResponse(response: Response, expected: Expected): Accepted {
  // 1. "If the status code received from the server is not 101, the client handles the response per HTTP procedures."
  if (response.statusCode !== 101) {
    throw new HandshakeError(`expected status 101, got ${response.statusCode} ${response.status}`.trimEnd());
  }
  // RFC 6455 §4.1: "the HTTP version MUST be at least 1.1", and RFC 9110 §15.2: "Since HTTP/1.0 did not define any
  // 1xx status codes, a server MUST NOT send a 1xx response to an HTTP/1.0 client": an HTTP/1.0 101 is no upgrade.
  if (response.httpVersion === '1.0') throw new HandshakeError('expected http version 1.1 for status 101, got 1.0');
  // 2. "If the response lacks an |Upgrade| header field or the |Upgrade| header field contains a value that is not an
  //    ASCII case-insensitive match for the value "websocket", the client MUST _Fail the WebSocket Connection_."
  const upgrade = response.get('upgrade');
  if (upgrade === undefined) throw new HandshakeError('missing upgrade header');
  if (upgrade.toLowerCase() !== 'websocket') throw new HandshakeError(`invalid upgrade header ${upgrade}`);
  // 3. "If the response lacks a |Connection| header field or the |Connection| header field doesn't contain a token that
  //    is an ASCII case-insensitive match for the value "Upgrade", the client MUST _Fail the WebSocket Connection_."
  const connection = response.get('connection');
  if (connection === undefined) throw new HandshakeError('missing connection header');
  if (!response.getList('connection').some((token) => token.toLowerCase() === 'upgrade')) {
    throw new HandshakeError(`invalid connection header ${connection}`);
  }
  // 4. "If the response lacks a |Sec-WebSocket-Accept| header field or the |Sec-WebSocket-Accept| contains a value other
  //    than the base64-encoded SHA-1 of the concatenation of the |Sec-WebSocket-Key| (as a string, not base64-decoded)
  //    with the string "258EAFA5-E914-47DA-95CA-C5AB0DC85B11" ... the client MUST _Fail the WebSocket Connection_."
  const accept = response.get('sec-websocket-accept');
  if (accept === undefined) throw new HandshakeError('missing sec-websocket-accept header');
  if (accept !== expected.accept) throw new HandshakeError(`invalid sec-websocket-accept ${accept}`);
  return checkSelections(response, expected);
}

/**
 * Checks the extensions and the subprotocol a response selected against what was offered (RFC 6455 §4.1
 * items 5 and 6); shared by the HTTP/1.1 upgrade and RFC 8441's extended CONNECT, whose §5 uses these
 * headers "as defined in [RFC6455]".
 *
 * @returns the selected subprotocol and the raw extensions header
 * @throws {@link HandshakeError} for an empty header, or a selection that was not offered
 */
export function checkSelections(response: Response, expected: Offered): Accepted {
  // 5. "If the response includes a |Sec-WebSocket-Extensions| header field and this header field indicates the use of an
  //    extension that was not present in the client's handshake ... the client MUST _Fail the WebSocket Connection_."
  //    §9.1: `Sec-WebSocket-Extensions = extension-list` and `extension-list = 1#extension`: a header without an
  //    element (empty, or only commas and spaces) is malformed, not absent.
  const extensions = response.get('sec-websocket-extensions') ?? null;
  if (extensions !== null && response.getList('sec-websocket-extensions').length === 0) throw new HandshakeError('empty sec-websocket-extensions header');
  if (extensions !== null && !expected.extensionsOffered) throw new HandshakeError(`unexpected extensions ${extensions} (none offered)`);
  // 6. "If the response includes a |Sec-WebSocket-Protocol| header field and this header field indicates the use of a
  //    subprotocol that was not present in the client's handshake ... the client MUST _Fail the WebSocket Connection_."
  const protocol = response.get('sec-websocket-protocol') ?? null;
  if (protocol !== null) {
    // §4.2.2: the server replies with "a single value representing the subprotocol"; an empty one selects nothing
    // and is no valid answer (§11.3.4: the value is a token).
    const selected = response.getList('sec-websocket-protocol').length;
    if (selected === 0) throw new HandshakeError('empty sec-websocket-protocol header');
    if (selected !== 1) throw new HandshakeError(`more than one protocol ${protocol}`);
    if (expected.protocols.length === 0) throw new HandshakeError(`unexpected protocol ${protocol} (none offered)`);
    if (!expected.protocols.includes(protocol)) throw new HandshakeError(`unexpected protocol ${protocol}`);
  }
  return { protocol, extensions };
}
