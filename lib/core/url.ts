/**
 * The user's WebSocket URL (RFC 6455 §3): parsed, checked, and reduced to
 * what connecting needs.
 *
 * `http:` and `https:` are accepted and mapped to `ws:` and `wss:`, as the
 * WHATWG WebSocket constructor and the `ws` package do: RFC 6455 §3 only
 * defines `ws`/`wss`, but the mapping is unambiguous and spares users a
 * confusing error. `ws+unix:` and `wss+unix:` name a Unix domain socket in
 * the syntax of the `ws` package: `ws+unix:///path/to.sock:/request/path`
 * (the socket path, a colon, the request target). Every other scheme is
 * refused.
 *
 * @see https://www.rfc-editor.org/rfc/rfc6455#section-3
 */

/** Where to connect, from a ws:, wss:, ws+unix: or wss+unix: URL. */
export interface WebSocketTarget {
  /** The parsed URL; its scheme is `ws:`, `wss:` (http:/https: are mapped), `ws+unix:` or `wss+unix:`. */
  readonly url: URL;
  /** True for wss: (and https:, wss+unix:). */
  readonly secure: boolean;
  /** Host name or IP literal, without IPv6 brackets (for a Unix socket: the URL's host, else `localhost`). */
  readonly host: string;
  /** TCP port, 80/443 filled in (for a Unix socket it only shapes the Host header). */
  readonly port: number;
  /** Path and query: the request target ("/" at least), never the fragment. */
  readonly resource: string;
  /** The Unix domain socket to connect to (ws+unix:, wss+unix:), percent-decoded; undefined for TCP. */
  readonly socketPath?: string;
  /** `user:password` from the URL, percent-decoded (sent as Basic auth); undefined without. */
  readonly credentials?: string;
}

/** Schemes we accept, and the WebSocket scheme each stands for. */
const SCHEMES: Readonly<Record<string, 'ws:' | 'wss:'>> = { 'ws:': 'ws:', 'wss:': 'wss:', 'http:': 'ws:', 'https:': 'wss:' };
/** The Unix domain socket schemes (ws's `ws+unix:`, and its TLS twin), and whether each is secure. */
const UNIX_SCHEMES: Readonly<Record<string, boolean>> = { 'ws+unix:': false, 'wss+unix:': true };

/**
 * The `user:password` of a URL, percent-decoded (URL keeps them encoded), or undefined without any.
 *
 * @throws TypeError for a malformed percent escape (the URL shown redacted)
 */
function credentialsOf(url: URL, text: string): string | undefined {
  if (url.username === '' && url.password === '') return undefined;
  try {
    return `${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}`;
  } catch {
    throw new TypeError(`invalid url credentials encoding ${JSON.stringify(redactUrl(text))}`);
  }
}

/**
 * A `ws+unix:` / `wss+unix:` URL's target: the path up to the first colon is the socket (percent-decoded),
 * the rest the request path ("/" when empty), as in `ws`; the Host header names the URL's host or `localhost`.
 */
function unixTarget(url: URL, text: string, secure: boolean): WebSocketTarget {
  const path = url.pathname;
  const colon = path.indexOf(':');
  const encoded = colon < 0 ? path : path.slice(0, colon);
  let socketPath: string;
  try {
    socketPath = decodeURIComponent(encoded);
  } catch {
    socketPath = '';
  }
  if (socketPath === '') throw new TypeError(`url has no unix socket path ${JSON.stringify(redactUrl(text))}`);
  const request = colon < 0 ? '' : path.slice(colon + 1);
  return {
    url,
    secure,
    host: url.hostname === '' ? 'localhost' : bareHost(url.hostname),
    port: url.port === '' ? (secure ? 443 : 80) : Number(url.port),
    resource: (request.startsWith('/') ? request : `/${request}`) + url.search,
    socketPath,
    credentials: credentialsOf(url, text),
  };
}

/**
 * Parses a WebSocket URL into the target to connect to.
 *
 * @example
 * ```ts
 * parseWebSocketUrl('wss://example.com/feed?x=1');
 * // { secure: true, host: 'example.com', port: 443, resource: '/feed?x=1', url: URL }
 * parseWebSocketUrl('ws+unix:///run/app.sock:/feed');
 * // { secure: false, host: 'localhost', port: 80, resource: '/feed', socketPath: '/run/app.sock', url: URL }
 * ```
 * @param input - a `ws:`/`wss:` URL (`http:`/`https:` are mapped to them) or a `ws+unix:`/`wss+unix:` one, as a
 *   string or URL
 * @returns the connection target
 * @throws TypeError for a non-string, an unparsable URL, another scheme, a fragment, a Unix URL without a
 *   socket path, or malformed percent escapes in the credentials
 * @see https://www.rfc-editor.org/rfc/rfc6455#section-3
 */
export function parseWebSocketUrl(input: string | URL): WebSocketTarget {
  if (typeof input !== 'string' && !(input instanceof URL)) throw new TypeError(`invalid url type ${input === null ? 'null' : typeof input}`);
  const text = String(input);
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new TypeError(`invalid url ${JSON.stringify(redactUrl(text))}`);
  }
  const scheme = SCHEMES[url.protocol];
  const unix = UNIX_SCHEMES[url.protocol];
  if (scheme === undefined && unix === undefined) throw new TypeError(`invalid url scheme ${url.protocol}`);
  // RFC 6455 §3: "Fragment identifiers are meaningless in the context of WebSocket URIs and MUST NOT be used on these URIs."
  // An empty fragment ("ws://h/#") leaves url.hash empty, so look for the "#" itself.
  if (url.href.includes('#')) throw new TypeError(`url must not have a fragment ${JSON.stringify(redactUrl(text))}`);
  if (scheme === undefined) return unixTarget(url, text, unix!);
  // Switching between special schemes is allowed by the URL standard, so this always takes.
  if (url.protocol !== scheme) url.protocol = scheme;
  const secure = scheme === 'wss:';
  return {
    url,
    secure,
    host: bareHost(url.hostname),
    // URL drops a scheme's default port, so an empty port means 80/443.
    port: url.port === '' ? (secure ? 443 : 80) : Number(url.port),
    // RFC 6455 §3: resource name is the path ("/" if empty) plus "?" and the query if present.
    resource: url.pathname + url.search,
    credentials: credentialsOf(url, text),
  };
}

/**
 * A URL fit to show in events, errors and logs: credentials (`user:pass@`) become `***:***@`, so a reader
 * still sees that some were given; anything else is kept as written. Works on unparsable text too (the
 * userinfo is whatever lies between `//` and the last `@` of the authority).
 *
 * @example
 * ```ts
 * redactUrl('wss://alice:s3cret@example.com/feed'); // 'wss://***:***@example.com/feed'
 * redactUrl('ws://example.com/');                   // 'ws://example.com/'
 * ```
 */
export function redactUrl(text: string): string {
  const start = text.indexOf('//');
  if (start < 0) return text;
  let end = start + 2;
  while (end < text.length && text[end] !== '/' && text[end] !== '?' && text[end] !== '#') end++;
  const at = text.lastIndexOf('@', end - 1);
  if (at < start + 2) return text;
  return `${text.slice(0, start + 2)}***:***${text.slice(at)}`;
}

/** A URL's `hostname` as sockets want it: URL keeps IPv6 literals bracketed (`[::1]`), sockets take them bare. */
export function bareHost(hostname: string): string {
  return hostname.startsWith('[') ? hostname.slice(1, -1) : hostname;
}

/**
 * `host:port` as written in a Host header or a CONNECT request target (RFC 9112 §3.2.3 authority-form): an
 * IPv6 literal in brackets; `port` is left out when null (a scheme's default port).
 *
 * @example
 * ```ts
 * authority('::1', 8080);        // '[::1]:8080'
 * authority('example.com', null); // 'example.com'
 * ```
 */
export function authority(host: string, port: number | null): string {
  const name = host.includes(':') ? `[${host}]` : host;
  return port === null ? name : `${name}:${port}`;
}
