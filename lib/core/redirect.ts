/**
 * Redirects of the opening handshake (SPEC `followRedirects`): which answers
 * are redirects, where their Location leads, which hops are refused, and
 * when two hops are the same origin (credentials go to the first origin
 * only). RFC 6455 §4.1 leaves it to HTTP: "the server might redirect the
 * client using a 3xx status code (but clients are not required to follow
 * them)".
 *
 * @see https://www.rfc-editor.org/rfc/rfc6455#section-4.1
 * @see https://www.rfc-editor.org/rfc/rfc9110#section-15.4
 */
import { HandshakeError } from './errors.js';
import { parseWebSocketUrl, redactUrl, type WebSocketTarget } from './url.js';

/**
 * The statuses followed: 301, 302, 303, 307 and 308 (RFC 9110 §15.4.2–15.4.9). 300 (a choice), 304 (a cache
 * answer) and 305/306 (deprecated, unused) are no redirect of a request, so they are `rejected` as ever.
 */
const REDIRECTS: ReadonlySet<number> = new Set([301, 302, 303, 307, 308]);

/** Longest Location shown in a rejection reason (the rest is cut). */
const SHOWN_LOCATION = 200;

/** True for a status whose Location the client follows. */
export function isRedirectStatus(statusCode: number): boolean {
  return REDIRECTS.has(statusCode);
}

/** A Location as shown in a reason: credentials redacted, at most {@link SHOWN_LOCATION} characters. */
function shown(location: string): string {
  const text = redactUrl(location);
  return JSON.stringify(text.length > SHOWN_LOCATION ? `${text.slice(0, SHOWN_LOCATION)}…` : text);
}

/** True when `text` is an absolute URL (it has a scheme), not a reference relative to the current one. */
function isAbsolute(text: string): boolean {
  try {
    new URL(text);
    return true;
  } catch {
    return false;
  }
}

/**
 * The URL a Unix socket's request stands for, so that a relative Location can be resolved: the socket
 * serves `ws://host/resource` (`wss:` over TLS).
 */
function unixRequestUrl(target: WebSocketTarget): URL {
  return new URL(`${target.secure ? 'wss' : 'ws'}://${target.url.host === '' ? 'localhost' : target.url.host}${target.resource}`);
}

/**
 * Where a redirect leads. RFC 9110 §10.2.2: the Location "is resolved relative to the target URI"; a fragment
 * is dropped (RFC 6455 §3: "Fragment identifiers are meaningless in the context of WebSocket URIs"), `http:`
 * and `https:` map to `ws:` and `wss:`. From a Unix socket, a relative Location stays on the same socket.
 *
 * @example
 * ```ts
 * redirectTarget(parseWebSocketUrl('wss://a.example/feed'), '/v2/feed'); // wss://a.example/v2/feed
 * ```
 * @param current - the hop that answered with the redirect
 * @param location - the Location header's value
 * @returns the next hop's target
 * @throws {@link HandshakeError} with the reason the redirect is refused: an invalid Location, another scheme,
 *   `wss:` to `ws:` (a downgrade), or a Unix socket named by a server on the network
 */
export function redirectTarget(current: WebSocketTarget, location: string): WebSocketTarget {
  const unix = current.socketPath !== undefined;
  const base = unix ? unixRequestUrl(current) : current.url;
  let resolved: URL;
  try {
    resolved = new URL(location, base);
  } catch {
    throw new HandshakeError(`invalid redirect location ${shown(location)}`);
  }
  resolved.hash = '';
  let next: WebSocketTarget;
  if (unix && !isAbsolute(location) && resolved.host === base.host) {
    // Still the origin the socket serves: the same socket, another request target.
    const url = new URL(current.url.href);
    const colon = url.pathname.indexOf(':');
    url.pathname = `${colon < 0 ? url.pathname : url.pathname.slice(0, colon)}:${resolved.pathname}`;
    url.search = resolved.search;
    next = { ...current, url, resource: resolved.pathname + resolved.search };
  } else {
    try {
      next = parseWebSocketUrl(resolved.href);
    } catch {
      throw new HandshakeError(`invalid redirect location ${shown(location)}`);
    }
    // A server on the network must not make us connect to a local socket.
    if (next.socketPath !== undefined && !unix) throw new HandshakeError(`redirect to a unix socket refused ${shown(location)}`);
  }
  // TLS is never given up on the way: an attacker in the path could otherwise read the rest.
  if (current.secure && !next.secure) throw new HandshakeError(`redirect from wss: to ws: refused ${shown(location)}`);
  return next;
}

/**
 * True when two targets are the same origin (RFC 6454 §4: scheme, host and port; for a Unix socket also its
 * path): credentials and cookies are sent only within the first hop's origin.
 */
export function sameOrigin(a: WebSocketTarget, b: WebSocketTarget): boolean {
  return a.secure === b.secure && a.socketPath === b.socketPath && a.host === b.host && a.port === b.port;
}
