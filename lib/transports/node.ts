/**
 * nodeTransport: the default Transport on Node. It picks one path per
 * connection: the user's http.Agent, else a proxy (explicit `proxies` or the
 * environment), else a direct TCP (`ws:`) or TLS (`wss:`) connection.
 */
import { defer } from 'rxjs';
import { agentStream } from './agent.js';
import { netStream } from './net.js';
import { proxyStream } from './proxy.js';
import { resolveProxy } from './proxy-env.js';
import { tlsStream } from './tls.js';
import type { Transport } from './transport.js';

/**
 * The Node transport:
 * 1. `target.agent` set → `http.request`/`https.request` through the agent ({@link agentStream});
 * 2. else a proxy from {@link resolveProxy} (read at each subscription, so environment changes apply to
 *    the next connection) → HTTP CONNECT tunnel ({@link proxyStream});
 * 3. else node:net ({@link netStream}) for `ws:`, node:tls ({@link tlsStream}) for `wss:`.
 *
 * `open` reports the proxy as `http://***:***@host:port` when it has credentials, `http://host:port`
 * without, and null for a direct connection.
 */
export const nodeTransport: Transport = {
  open: (target) =>
    defer(() => {
      if (target.agent !== undefined) return agentStream(target, target.agent);
      const proxy = resolveProxy(target, target.proxies);
      if (proxy !== null) return proxyStream(target, proxy);
      return target.secure ? tlsStream(target) : netStream(target);
    }),
};
