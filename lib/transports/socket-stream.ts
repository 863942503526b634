/**
 * socketStream: adapts a connecting node:net / node:tls socket to the
 * Transport stream. Once `readyEvent` fires it writes the upgrade request and
 * emits `open`; then every chunk as `data`, completes on close, errors with
 * Node's own message on failure; unsubscribing destroys the socket.
 */
import { Observable } from 'rxjs';
import type { Socket } from 'node:net';
import type { TransportConnection, TransportEvent, TransportTarget } from './transport.js';

/** The write side of a Node socket. */
export function socketConnection(socket: Socket): TransportConnection {
  return {
    write: (data) => void socket.write(data),
    writev: (chunks) => {
      socket.cork();
      for (const chunk of chunks) socket.write(chunk);
      socket.uncork();
    },
    end: () => void socket.end(),
    destroy: () => void socket.destroy(),
    get bufferedAmount() {
      return socket.writableLength;
    },
  };
}

/**
 * Wraps `connect()` (which must return a connecting socket) as a cold stream.
 *
 * @param readyEvent - 'connect' for TCP, 'secureConnect' for TLS
 * @param proxy - the redacted proxy URL reported in `open`, or null
 */
export function socketStream(target: TransportTarget, connect: () => Socket, readyEvent: string, proxy: string | null = null): Observable<TransportEvent> {
  return new Observable<TransportEvent>((subscriber) => {
    let socket: Socket;
    try {
      socket = connect();
    } catch (error) {
      subscriber.error(error);
      return;
    }
    let failed = false;
    socket.once(readyEvent, () => {
      socket.setNoDelay(true);
      socket.write(target.request.bytes);
      subscriber.next({ type: 'open', connection: socketConnection(socket), proxy });
    });
    socket.on('data', (chunk: Buffer) => subscriber.next({ type: 'data', chunk }));
    socket.once('error', (error) => {
      failed = true;
      subscriber.error(error);
    });
    socket.once('close', () => {
      if (!failed) subscriber.complete();
    });
    return () => {
      socket.removeAllListeners('data');
      socket.on('error', () => undefined); // a late error after teardown must not crash the process
      socket.destroy();
    };
  });
}
