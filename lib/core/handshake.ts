/**
 * The opening handshake (RFC 6455 §4.1): the client's upgrade request, and
 * the checks its response must pass.
 *
 * @see https://www.rfc-editor.org/rfc/rfc6455#section-4.1
 */
import { HandshakeError } from './errors.js';
import type { Response } from './response.js';
import type { WebSocketTarget } from './url.js';
import type { HandshakeRequest } from '../transports/transport.js';

/** The GUID of RFC 6455 §1.3, hashed with the key into Sec-WebSocket-Accept. */
export const WEBSOCKET_GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';

/** What the request carries beyond the mandatory headers. */
export interface RequestOptions {
  /** Sec-WebSocket-Protocol values (RFC 7230 tokens). */
  readonly protocols?: readonly string[];
  /** Custom headers; values must not contain CR, LF or NUL. */
  readonly headers?: Readonly<Record<string, string>> | ReadonlyArray<readonly [string, string]>;
  /** User-Agent value. */
  readonly userAgent?: string;
  /** Sec-WebSocket-Extensions offer. */
  readonly extensions?: string;
}

/** What a successful response agreed to. */
export interface Accepted {
  readonly protocol: string | null;
  /** The raw Sec-WebSocket-Extensions value, or null. */
  readonly extensions: string | null;
}

const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
/** Headers the handshake owns; users may not set them. */
const RESERVED = new Set(['host', 'upgrade', 'connection', 'sec-websocket-key', 'sec-websocket-version', 'sec-websocket-extensions', 'sec-websocket-protocol']);

function hostHeader(target: WebSocketTarget): string {
  const host = target.host.includes(':') ? `[${target.host}]` : target.host;
  const defaultPort = target.secure ? 443 : 80;
  return target.port === defaultPort ? host : `${host}:${target.port}`;
}

/**
 * Builds the upgrade request (RFC 6455 §4.1, client requirements 1–12).
 *
 * @throws TypeError for protocols that are not unique tokens, header names that are not tokens,
 *   values with CR/LF/NUL, or headers the handshake owns
 */
export function buildRequest(target: WebSocketTarget, key: string, options: RequestOptions = {}): HandshakeRequest {
  const headers: Array<[string, string]> = [
    ['Host', hostHeader(target)],
    ['Upgrade', 'websocket'],
    ['Connection', 'Upgrade'],
    ['Sec-WebSocket-Key', key],
    ['Sec-WebSocket-Version', '13'],
  ];
  const protocols = options.protocols ?? [];
  const seen = new Set<string>();
  for (const protocol of protocols) {
    // RFC 6455 §4.1: each protocol "MUST be ... unique strings" conforming to token.
    if (typeof protocol !== 'string' || !TOKEN.test(protocol)) throw new TypeError(`invalid protocol ${JSON.stringify(protocol)}`);
    if (seen.has(protocol)) throw new TypeError(`duplicate protocol ${protocol}`);
    seen.add(protocol);
  }
  if (protocols.length > 0) headers.push(['Sec-WebSocket-Protocol', protocols.join(', ')]);
  if (options.extensions) headers.push(['Sec-WebSocket-Extensions', options.extensions]);
  if (options.userAgent) headers.push(['User-Agent', checkValue('user-agent', options.userAgent)]);
  const custom = Array.isArray(options.headers) ? options.headers : Object.entries(options.headers ?? {});
  for (const [name, value] of custom) {
    if (typeof name !== 'string' || !TOKEN.test(name)) throw new TypeError(`invalid header name ${JSON.stringify(name)}`);
    if (RESERVED.has(name.toLowerCase())) throw new TypeError(`header ${name} is set by the handshake`);
    if (name.toLowerCase() === 'user-agent' && options.userAgent) {
      headers.splice(headers.findIndex(([n]) => n === 'User-Agent'), 1);
    }
    headers.push([name, checkValue(name, String(value))]);
  }
  const head = `GET ${target.resource} HTTP/1.1\r\n${headers.map(([name, value]) => `${name}: ${value}`).join('\r\n')}\r\n\r\n`;
  return { path: target.resource, headers, bytes: new TextEncoder().encode(head) };
}

function checkValue(name: string, value: string): string {
  // Header injection guard: RFC 9110 §5.5 field values never contain CR, LF or NUL.
  if (/[\r\n\0]/.test(value)) throw new TypeError(`invalid header value for ${name.toLowerCase()}`);
  return value;
}

/**
 * Checks the server's response (RFC 6455 §4.1, "the client MUST validate the server's response").
 *
 * @throws {@link HandshakeError} with the reason the handshake failed
 */
export function checkResponse(
  response: Response,
  expected: { readonly accept: string; readonly protocols: readonly string[]; readonly extensionsOffered: boolean },
): Accepted {
  // 1. "If the status code received from the server is not 101, the client handles the response per HTTP procedures."
  if (response.statusCode !== 101) throw new HandshakeError(`expected status 101, got ${response.statusCode} ${response.status}`.trimEnd());
  // 2. "If the response lacks an |Upgrade| header field or the |Upgrade| header field contains a value that is not
  //     an ASCII case-insensitive match for the value "websocket", the client MUST _Fail the WebSocket Connection_."
  const upgrade = response.get('upgrade');
  if (upgrade === undefined) throw new HandshakeError('missing upgrade header');
  if (upgrade.toLowerCase() !== 'websocket') throw new HandshakeError(`invalid upgrade header ${upgrade}`);
  // 3. "If the response lacks a |Connection| header field or the |Connection| header field doesn't contain a token
  //     that is an ASCII case-insensitive match for the value "Upgrade", the client MUST _Fail the WebSocket Connection_."
  if (!response.getList('connection').some((token) => token.toLowerCase() === 'upgrade')) {
    throw new HandshakeError('connection header lacks upgrade');
  }
  // 4. "If the |Sec-WebSocket-Accept| contains a value other than the base64-encoded SHA-1 of the concatenation
  //     of the |Sec-WebSocket-Key| ... the client MUST _Fail the WebSocket Connection_."
  const accept = response.get('sec-websocket-accept');
  if (accept === undefined) throw new HandshakeError('missing sec-websocket-accept header');
  if (accept.trim() !== expected.accept) throw new HandshakeError(`invalid sec-websocket-accept ${accept}`);
  // 5. "If the response includes a |Sec-WebSocket-Extensions| header field and this header field indicates the use
  //     of an extension that was not present in the client's handshake ... the client MUST _Fail the WebSocket Connection_."
  const extensions = response.get('sec-websocket-extensions') ?? null;
  if (extensions !== null && !expected.extensionsOffered) throw new HandshakeError(`unexpected extensions ${extensions}`);
  // 6. "If the response includes a |Sec-WebSocket-Protocol| header field and this header field indicates the use of
  //     a subprotocol that was not present in the client's handshake ... the client MUST _Fail the WebSocket Connection_."
  const protocol = response.get('sec-websocket-protocol') ?? null;
  if (protocol !== null) {
    if (protocol.includes(',')) throw new HandshakeError(`more than one protocol selected: ${protocol}`);
    if (!expected.protocols.includes(protocol.trim())) throw new HandshakeError(`unexpected protocol ${protocol}`);
  }
  return { protocol: protocol === null ? null : protocol.trim(), extensions };
}
