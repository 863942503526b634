/**
 * Hops: the upgrade requests of one subscription. The first goes to the
 * user's URL; with `followRedirects`, each 301/302/303/307/308 answer leads
 * to one more, up to `maxRedirects`, each with a fresh Sec-WebSocket-Key and
 * over a transport of its own (the session opens it). Credentials — the
 * URL's `user:pass`, custom `Authorization` and `Cookie` headers — and a
 * custom `Host` go only to the first hop's origin, as in curl and ws.
 */
import { buildRequest, type RequestOptions } from '../core/handshake.js';
import { HandshakeError } from '../core/errors.js';
import { redirectTarget, sameOrigin } from '../core/redirect.js';
import type { Response } from '../core/response.js';
import { redactUrl, type WebSocketTarget } from '../core/url.js';
import type { TransportTarget } from '../transports/transport.js';
import { acceptFor, createKey } from '../connection/handshake-keys.js';
import type { WebSocketOptions } from './options.js';

/** One upgrade request: where it goes and what the answer must carry. */
export interface Hop {
  /** The hop's URL as events show it (credentials redacted). */
  readonly url: string;
  /** What the transport connects to and sends. */
  readonly target: TransportTarget;
  /** The Sec-WebSocket-Accept value the answer must carry. */
  readonly accept: string;
}

/** What every hop's request is built from. */
export interface HopOptions {
  /** Validated WebSocketOptions (protocols, userAgent, origin, the socket and TLS options…). */
  readonly wsOptions: WebSocketOptions;
  /** The custom headers of the first hop. */
  readonly headers: RequestOptions['headers'];
  /** The Sec-WebSocket-Extensions offer, or undefined. */
  readonly extensions: string | undefined;
  /** The User-Agent value. */
  readonly userAgent: string;
  /** Most redirects followed. */
  readonly maxRedirects: number;
}

/** Headers that carry credentials or name the first host: not sent to another origin. */
const FIRST_ORIGIN_ONLY = new Set(['authorization', 'cookie', 'host']);

/** The custom headers without those of {@link FIRST_ORIGIN_ONLY}. */
function withoutCredentials(headers: RequestOptions['headers']): RequestOptions['headers'] {
  if (headers === undefined) return undefined;
  const entries = Array.isArray(headers) ? headers : Object.entries(headers);
  return entries.filter(([name]) => !FIRST_ORIGIN_ONLY.has(name.toLowerCase()));
}

/** The redirects of one subscription; see the file's comment. */
export class Hops {
  private redirects = 0;
  private current: WebSocketTarget;

  constructor(
    private readonly first: WebSocketTarget,
    private readonly options: HopOptions,
  ) {
    this.current = first;
  }

  /**
   * The first hop.
   *
   * @param url - the URL as events show it (the user's text, redacted)
   * @throws TypeError for invalid custom headers (checked at the call already, so only a changed object)
   */
  start(url: string): Hop {
    return { ...this.hop(this.first, this.options.headers), url };
  }

  /**
   * The hop a redirect answer leads to, or the reason it is not followed (the attempt is then `rejected`):
   * "redirect 302 without a location header", "too many redirects (more than 10)", a refused target
   * (see {@link redirectTarget}).
   */
  follow(response: Response): Hop | string {
    const location = response.get('location');
    if (location === undefined) return `redirect ${response.statusCode} without a location header`;
    if (++this.redirects > this.options.maxRedirects) return `too many redirects (more than ${this.options.maxRedirects})`;
    let next: WebSocketTarget;
    try {
      next = redirectTarget(this.current, location);
    } catch (error) {
      if (error instanceof HandshakeError) return error.message;
      throw error;
    }
    this.current = next;
    if (!sameOrigin(this.first, next)) {
      return this.hop({ ...next, credentials: undefined }, withoutCredentials(this.options.headers));
    }
    return this.hop({ ...next, credentials: next.credentials ?? this.first.credentials }, this.options.headers);
  }

  private hop(target: WebSocketTarget, headers: RequestOptions['headers']): Hop {
    const { wsOptions, extensions, userAgent } = this.options;
    const key = createKey();
    const request = buildRequest(target, key, { protocols: wsOptions.protocols ?? [], headers, userAgent, origin: wsOptions.origin, extensions });
    return {
      url: redactUrl(target.url.href),
      accept: acceptFor(key),
      target: {
        url: target.url,
        secure: target.secure,
        host: target.host,
        port: target.port,
        socketPath: target.socketPath,
        request,
        tls: wsOptions.tls,
        proxies: wsOptions.proxies,
        agent: wsOptions.agent,
        lookup: wsOptions.lookup,
        family: wsOptions.family,
        localAddress: wsOptions.localAddress,
        createConnection: wsOptions.createConnection,
        http2: wsOptions.http2,
      },
    };
  }
}
