/**
 * The `createConnection` path (SPEC, as in ws and Node's http): the user's
 * function makes the socket, with the options node:net (`ws:`) or node:tls
 * (`wss:`) would have been given, and lomond runs the upgrade over it. It
 * never goes through a proxy: making the socket is the caller's business.
 */
import { TLSSocket } from 'node:tls';
import type { Socket } from 'node:net';
import { Observable } from 'rxjs';
import { netOptions } from './net.js';
import { openSocket, pipeSocket, socketStream, transportError } from './socket-stream.js';
import { tlsOptions } from './tls.js';
import type { CreateConnection, TransportEvent, TransportTarget } from './transport.js';

/**
 * The event to wait for before the socket can take the upgrade request, or null when it is up already: a
 * socket still connecting waits for `connect`, a TLS socket until its handshake is over (`secureConnect`;
 * `authorized` or an `authorizationError` says it is).
 */
export function readyEvent(socket: Socket): 'connect' | 'secureConnect' | null {
  if (socket instanceof TLSSocket) return !socket.connecting && (socket.authorized || socket.authorizationError != null) ? null : 'secureConnect';
  return socket.connecting ? 'connect' : null;
}

/**
 * Calls `create` with `netOptions(target)` (`ws:`) or `tlsOptions(target)` (`wss:`, certificates verified
 * by default) and streams the upgrade over the socket it returns, like {@link socketStream}. A throw, or
 * something that is not a socket, errors the stream ("createConnection must return a socket, got …").
 */
export function customStream(target: TransportTarget, create: CreateConnection): Observable<TransportEvent> {
  return new Observable<TransportEvent>((subscriber) => {
    let socket: Socket;
    try {
      socket = create(target.secure ? tlsOptions(target) : { ...netOptions(target) });
    } catch (error) {
      subscriber.error(transportError(error));
      return;
    }
    if (socket === null || typeof socket !== 'object' || typeof socket.write !== 'function' || typeof socket.on !== 'function') {
      subscriber.error(new Error(`createConnection must return a socket, got ${socket === null ? 'null' : typeof socket}`));
      return;
    }
    const event = readyEvent(socket);
    if (event !== null) return socketStream(target, () => socket, event).subscribe(subscriber);
    const unpipe = pipeSocket(subscriber, socket);
    openSocket(subscriber, socket, target.request.bytes, null);
    return unpipe;
  });
}
