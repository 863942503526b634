/**
 * The TLS path for `wss:` URLs (and `wss+unix:` over a Unix domain socket):
 * node:tls straight to the server, reading as the TCP path does. Certificates are verified unless the
 * user's `tls` options say otherwise.
 */
import { isIP } from 'node:net';
import { connect, type ConnectionOptions } from 'node:tls';
import type { Socket } from 'node:net';
import type { Observable, Unsubscribable } from 'rxjs';
import { socketOptions } from './net.js';
import { connectSocket, NODE_SOCKETS, socketStream, type SharedReads } from './socket-stream.js';
import type { CreateConnectionOptions, TransportEvent, TransportObserver, TransportTarget } from './transport.js';

/**
 * The options for `tls.connect()`: a fresh copy of `target.tls` (never mutated) plus `host`, `port` (or the
 * Unix socket's `path`), the socket options, and `servername`, which defaults to the host name (never to an
 * IP literal: RFC 6066 §3 "Literal IPv4 and IPv6 addresses are not permitted in HostName"). Over a Unix
 * socket, as in ws, SNI names the URL's host when it has one (`wss+unix://api.internal/…`) and none
 * otherwise; the certificate is then checked against `host` (`localhost`). `rejectUnauthorized` is left to
 * Node's default (true) unless the user set it.
 *
 * @param socket - an established byte stream to run TLS over (a proxy tunnel)
 */
export function tlsOptions(target: TransportTarget, socket?: Socket): CreateConnectionOptions {
  const user = target.tls ?? {};
  const options: CreateConnectionOptions = { ...user, host: target.host, port: target.port };
  const named = target.socketPath === undefined || target.url.hostname !== '';
  if (user.servername === undefined && named && isIP(target.host) === 0) options.servername = target.host;
  // Over a tunnel, Node would check the certificate against the proxy's host: `host` above prevents that.
  if (socket !== undefined) return { ...options, socket };
  if (target.socketPath !== undefined) return { ...options, path: target.socketPath };
  return { ...options, ...socketOptions(target) };
}

/**
 * Connects with TLS, writes the upgrade request on `secureConnect` and streams the server's bytes. A
 * certificate problem errors the stream with Node's text ("self-signed certificate in certificate chain",
 * "Hostname/IP does not match certificate's altnames: …").
 */
export function tlsStream(target: TransportTarget): Observable<TransportEvent> {
  return socketStream(target, tlsSocket(target), 'secureConnect', null, NODE_SOCKETS);
}

/** {@link tlsStream} straight to an observer (the session's direct path): the teardown, or null when connecting threw. */
export function tlsConnect(target: TransportTarget, observer: TransportObserver): Unsubscribable | null {
  return connectSocket(target, tlsSocket(target), 'secureConnect', null, NODE_SOCKETS, observer);
}

/**
 * Makes the socket; on Node, node:tls decrypts into the buffer shared by lomond's sockets (`onread`, as for
 * TCP: see socket-stream's `SharedReads`), or straight into a large message's own buffer.
 */
function tlsSocket(target: TransportTarget): (reads: SharedReads | null) => Socket {
  // Node documents `onread` for tls.connect (used without a `socket` option); @types/node lacks it.
  return (reads) => connect(reads === null ? tlsOptions(target) : ({ ...tlsOptions(target), onread: reads } as ConnectionOptions));
}
