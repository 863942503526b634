/**
 * The plain TCP path for `ws:` URLs (and `ws+unix:` over a Unix domain
 * socket): node:net straight to the server, with the socket options of
 * SPEC (`lookup`, `family`, `localAddress`).
 */
import { connect, type LookupFunction, type NetConnectOpts, type Socket } from 'node:net';
import type { Observable } from 'rxjs';
import type { Unsubscribable } from 'rxjs';
import { connectSocket, NODE_SOCKETS, socketStream, type SharedReads } from './socket-stream.js';
import type { TransportEvent, TransportObserver, TransportTarget } from './transport.js';

/** node:net's options for the socket itself. */
export interface SocketOptions {
  lookup?: LookupFunction;
  family?: number;
  localAddress?: string;
}

/** The fields of `target` that shape node:net's socket (only those given, so Node's defaults stay). */
export function socketOptions(target: TransportTarget): SocketOptions {
  const options: SocketOptions = {};
  if (target.lookup !== undefined) options.lookup = target.lookup;
  if (target.family !== undefined) options.family = target.family;
  if (target.localAddress !== undefined) options.localAddress = target.localAddress;
  return options;
}

/**
 * The options for `net.connect()`: `path` for a Unix socket, else `host` and `port`, plus the socket options.
 *
 * @example
 * ```ts
 * netOptions(target); // { host: 'example.com', port: 80, family: 6 }, or { path: '/run/app.sock' }
 * ```
 */
export function netOptions(target: TransportTarget): NetConnectOpts {
  if (target.socketPath !== undefined) return { path: target.socketPath };
  return { host: target.host, port: target.port, ...socketOptions(target) };
}

/**
 * Connects to `target.host:target.port` over TCP (or to `target.socketPath`), writes the upgrade request once
 * connected and streams the server's bytes (see {@link socketStream}), read into the shared buffer
 * (`transient` chunks, see socket-stream's `SharedReads`); `noDelay` is set on the socket.
 *
 * @example
 * ```ts
 * netStream(target).subscribe((event) => console.log(event.type)); // open, data, data, …
 * ```
 */
export function netStream(target: TransportTarget): Observable<TransportEvent> {
  return socketStream(target, netSocket(target), 'connect', null, NODE_SOCKETS);
}

/** {@link netStream} straight to an observer (the session's direct path): the teardown, or null when connecting threw. */
export function netConnect(target: TransportTarget, observer: TransportObserver): Unsubscribable | null {
  return connectSocket(target, netSocket(target), 'connect', null, NODE_SOCKETS, observer);
}

/** Makes the socket; node:net reads into the buffer shared by lomond's sockets (`onread`): one allocation less per read. */
function netSocket(target: TransportTarget): (reads: SharedReads | null) => Socket {
  return (reads) => connect(reads === null ? netOptions(target) : { ...netOptions(target), onread: reads });
}
