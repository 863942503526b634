/**
 * The opening handshake over HTTP/2 (RFC 8441 §4–5): the extended CONNECT
 * request made from the HTTP/1.1 upgrade request, and the checks its
 * response must pass. Pure: the transport sends the headers and hands the
 * response back.
 *
 * @see https://www.rfc-editor.org/rfc/rfc8441#section-5
 */
import { HandshakeError } from './errors.js';
import { checkSelections, type Accepted, type HandshakeRequest, type Offered } from './handshake.js';
import type { Response } from './response.js';

/** An HTTP/2 header block as node:http2 takes it: pseudo-headers first, lower-case names, repeated names as arrays. */
export type Http2Headers = Record<string, string | string[]>;

/**
 * Header fields the HTTP/1.1 request carries that have no place in the extended CONNECT: the host (it becomes
 * `:authority`), the RFC 6455 upgrade machinery, and HTTP/2's connection-specific fields.
 */
const DROPPED = new Set([
  // RFC 8441 §5: "[RFC6455] requires the use of a Host header field that is also not part of HTTP/2. The Host
  // information is conveyed as part of the :authority pseudo-header field".
  'host',
  // RFC 8441 §5: "[RFC6455] requires the use of Connection and Upgrade header fields that are not part of HTTP/2.
  // They MUST NOT be included in the CONNECT request defined here."
  'connection',
  'upgrade',
  // RFC 8441 §5: "Implementations using this extended CONNECT to bootstrap WebSockets do not do the processing of the
  // Sec-WebSocket-Key and Sec-WebSocket-Accept header fields of [RFC6455]".
  'sec-websocket-key',
  // RFC 9113 §8.2.2: "An endpoint MUST NOT generate an HTTP/2 message containing connection-specific header fields";
  // it names Keep-Alive, Proxy-Connection and Transfer-Encoding (and TE other than "trailers", never sent here).
  'keep-alive',
  'proxy-connection',
  'transfer-encoding',
  'te',
]);

/**
 * The extended CONNECT for a WebSocket (RFC 8441 §4–5) from the HTTP/1.1 upgrade request that
 * `buildRequest` made: `:authority` is its Host header, `:path` its request target; Sec-WebSocket-Version,
 * -Protocol, -Extensions, User-Agent and the custom headers follow with lower-case names, in order.
 *
 * @example
 * ```ts
 * buildExtendedConnect(buildRequest(parseWebSocketUrl('wss://example.com/chat'), key), true);
 * // { ':method': 'CONNECT', ':protocol': 'websocket', ':scheme': 'https', ':path': '/chat',
 * //   ':authority': 'example.com', 'sec-websocket-version': '13', … }
 * ```
 * @param request - the HTTP/1.1 upgrade request
 * @param secure - true for `wss:`
 * @see https://www.rfc-editor.org/rfc/rfc8441#section-5
 */
export function buildExtendedConnect(request: HandshakeRequest, secure: boolean): Http2Headers {
  let authority = '';
  for (const [name, value] of request.headers) {
    if (name.toLowerCase() === 'host') {
      authority = value;
      break;
    }
  }
  // RFC 8441 §4: "On requests that contain the :protocol pseudo-header field, the :scheme and :path pseudo-header
  // fields of the target URI (see Section 5) MUST also be included."
  // §5: "The :protocol pseudo-header field MUST be included in the CONNECT request, and it MUST have a value of
  // `websocket`"; "The scheme of the target URI ... MUST be "https" for "wss"-schemed WebSockets and "http" for
  // "ws"-schemed WebSockets."
  const headers: Http2Headers = Object.create(null);
  headers[':method'] = 'CONNECT';
  headers[':protocol'] = 'websocket';
  headers[':scheme'] = secure ? 'https' : 'http';
  headers[':path'] = request.path;
  headers[':authority'] = authority;
  for (const [name, value] of request.headers) {
    // RFC 8441 §5: "Note that HTTP/1 header field names were case insensitive, whereas HTTP/2 requires they be
    // encoded as lowercase."
    const key = name.toLowerCase();
    if (DROPPED.has(key)) continue;
    const previous = headers[key];
    if (previous === undefined) headers[key] = value;
    else if (typeof previous === 'string') headers[key] = [previous, value];
    else previous.push(value);
  }
  return headers;
}

/**
 * Checks the response to the extended CONNECT (RFC 8441 §5): `:status` 200, then the subprotocol and
 * extensions as RFC 6455 §4.1 checks them. There is no Upgrade, Connection or Sec-WebSocket-Accept to check.
 *
 * @returns the selected subprotocol and the raw extensions header
 * @throws {@link HandshakeError} with the reason, e.g. "expected status 200, got 403 Forbidden"
 * @see https://www.rfc-editor.org/rfc/rfc8441#section-5
 */
export function checkExtendedConnectResponse(response: Response, offered: Offered): Accepted {
  // RFC 8441 §5.1 shows the server's acceptance as ":status = 200"; RFC 9110 §15.3: "The 2xx (Successful) class of
  // status code indicates that the client's request was successfully received"; a 2xx other than 200 (204 No Content,
  // 206) promises no WebSocket on the stream and is treated like any other refusal.
  if (response.statusCode !== 200) {
    throw new HandshakeError(`expected status 200, got ${response.statusCode} ${response.status}`.trimEnd());
  }
  // RFC 8441 §5: "The Origin [RFC6454], Sec-WebSocket-Version, Sec-WebSocket-Protocol, and Sec-WebSocket-Extensions
  // header fields are used in the CONNECT request and response-header fields as defined in [RFC6455]."
  return checkSelections(response, offered);
}
