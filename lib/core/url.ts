/**
 * The user's WebSocket URL (RFC 6455 §3): parsed, checked, and reduced to
 * what connecting needs.
 *
 * @see https://www.rfc-editor.org/rfc/rfc6455#section-3
 */

/** Where to connect, from a ws: or wss: URL. */
export interface WebSocketTarget {
  readonly url: URL;
  /** True for wss:. */
  readonly secure: boolean;
  /** Host name or IP literal, without IPv6 brackets. */
  readonly host: string;
  /** TCP port, 80/443 filled in. */
  readonly port: number;
  /** Path and query: the request target ("/" at least). */
  readonly resource: string;
}

/**
 * Parses a `ws:`/`wss:` URL.
 *
 * @throws TypeError for a non-string, an unparsable URL, another scheme, or a fragment
 */
export function parseWebSocketUrl(input: string | URL): WebSocketTarget {
  if (typeof input !== 'string' && !(input instanceof URL)) throw new TypeError('url must be a string');
  let url: URL;
  try {
    url = new URL(String(input));
  } catch {
    throw new TypeError(`invalid url ${JSON.stringify(String(input))}`);
  }
  if (url.protocol !== 'ws:' && url.protocol !== 'wss:') {
    throw new TypeError(`url scheme must be ws: or wss:, got ${url.protocol}`);
  }
  // RFC 6455 §3: "Fragment identifiers are meaningless in the context of WebSocket URIs and MUST NOT be used"
  if (url.hash !== '' || String(input).includes('#')) throw new TypeError('url must not contain a fragment');
  if (url.hostname === '') throw new TypeError('url has no host');
  const secure = url.protocol === 'wss:';
  const host = url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
  return {
    url,
    secure,
    host,
    port: url.port === '' ? (secure ? 443 : 80) : Number(url.port),
    resource: (url.pathname || '/') + url.search,
  };
}
