/**
 * The TLS path for `wss:` URLs: node:tls straight to the server. Certificates
 * are verified unless the user's `tls` options say otherwise.
 */
import { isIP } from 'node:net';
import { connect, type ConnectionOptions } from 'node:tls';
import type { Socket } from 'node:net';
import type { Observable } from 'rxjs';
import { socketStream } from './socket-stream.js';
import type { TransportEvent, TransportTarget } from './transport.js';

/**
 * The options for `tls.connect()`: a fresh copy of `target.tls` (never mutated) plus `host`, `port` and
 * `servername`, which defaults to the host name (never to an IP literal: RFC 6066 §3 "Literal IPv4 and IPv6
 * addresses are not permitted in HostName"). `rejectUnauthorized` is left to Node's default (true) unless
 * the user set it.
 *
 * @param socket - an established byte stream to run TLS over (a proxy tunnel)
 */
export function tlsOptions(target: TransportTarget, socket?: Socket): ConnectionOptions {
  const user = target.tls ?? {};
  const options: ConnectionOptions = { ...user, host: target.host, port: target.port };
  if (user.servername === undefined && isIP(target.host) === 0) options.servername = target.host;
  // Over a tunnel, Node would check the certificate against the proxy's host: `host` above prevents that.
  if (socket !== undefined) options.socket = socket;
  return options;
}

/**
 * Connects with TLS, writes the upgrade request on `secureConnect` and streams the server's bytes. A
 * certificate problem errors the stream with Node's text ("self-signed certificate in certificate chain",
 * "Hostname/IP does not match certificate's altnames: …").
 */
export function tlsStream(target: TransportTarget): Observable<TransportEvent> {
  return socketStream(target, () => connect(tlsOptions(target)), 'secureConnect');
}
