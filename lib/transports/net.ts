/**
 * The plain TCP path for `ws:` URLs: node:net straight to the server.
 */
import { connect } from 'node:net';
import type { Observable } from 'rxjs';
import { socketStream } from './socket-stream.js';
import type { TransportEvent, TransportTarget } from './transport.js';

/**
 * Connects to `target.host:target.port` over TCP, writes the upgrade request once connected and streams
 * the server's bytes (see {@link socketStream}); `noDelay` is set on the socket.
 *
 * @example
 * ```ts
 * netStream(target).subscribe((event) => console.log(event.type)); // open, data, data, …
 * ```
 */
export function netStream(target: TransportTarget): Observable<TransportEvent> {
  return socketStream(target, () => connect({ host: target.host, port: target.port }), 'connect');
}
