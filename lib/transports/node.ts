/**
 * nodeTransport: the default Transport on Node. It picks one path per
 * connection: the user's http.Agent, else the user's `createConnection`,
 * else a proxy (explicit `proxies` or the environment; never for a Unix
 * socket), else a direct TCP (`ws:`) or TLS (`wss:`) connection.
 */
import { defer, type Observable, type Unsubscribable } from 'rxjs';
import { agentStream } from './agent.js';
import { customStream } from './custom.js';
import { http2Stream } from './http2.js';
import { netConnect, netStream } from './net.js';
import { proxyStream } from './proxy.js';
import { resolveProxy } from './proxy-env.js';
import { tlsConnect, tlsStream } from './tls.js';
import type { Transport, TransportEvent, TransportObserver, TransportSource, TransportTarget } from './transport.js';

/**
 * The Node transport:
 * 1. `target.agent` set → `http.request`/`https.request` through the agent ({@link agentStream});
 * 2. else `target.createConnection` set → the socket it makes ({@link customStream});
 * 3. else, unless `target.socketPath` names a Unix socket, a proxy from {@link resolveProxy} (read at each
 *    subscription, so environment changes apply to the next connection) → HTTP CONNECT tunnel ({@link proxyStream});
 *    with `target.http2`, RFC 8441 on a shared HTTP/2 session ({@link http2Stream}), through that proxy if any;
 * 4. else node:net ({@link netStream}) for `ws:`, node:tls ({@link tlsStream}) for `wss:` (to `socketPath` when set).
 *
 * `open` reports the proxy as `http://***:***@host:port` when it has credentials, `http://host:port`
 * without, and null for a direct connection.
 */
export const nodeTransport: Transport = {
  open: (target) => defer(() => routedStream(target) ?? (target.secure ? tlsStream(target) : netStream(target))),
};

/**
 * The stream of paths 1–3 above for `target` (reading the proxy environment once), or null for the direct
 * TCP/TLS path of 4.
 */
function routedStream(target: TransportTarget): Observable<TransportEvent> | null {
  if (target.agent !== undefined) return agentStream(target, target.agent);
  if (target.createConnection !== undefined) return customStream(target, target.createConnection);
  const proxy = target.socketPath === undefined ? resolveProxy(target, target.proxies) : null;
  if (target.http2 === true) return http2Stream(target, proxy);
  if (proxy !== null) return proxyStream(target, proxy);
  return null;
}

/** No teardown left to do: connecting threw, and the observer got the error. */
const NOTHING: Unsubscribable = { unsubscribe: () => undefined };

/**
 * What the session connects through for `target` over `transport`, right away: for {@link nodeTransport}'s
 * direct TCP and TLS paths, a function that connects straight to the pipeline's head; else the stream of the
 * path (or of the custom transport).
 */
export function transportSource(transport: Transport, target: TransportTarget): TransportSource {
  if (transport !== nodeTransport) return transport.open(target);
  return routedStream(target) ?? ((observer: TransportObserver) => (target.secure ? tlsConnect(target, observer) : netConnect(target, observer)) ?? NOTHING);
}
