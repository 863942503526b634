/**
 * A tiny local echo server for `lomond --demo` and the examples: node:http
 * upgrade plus lomond's own test framing helpers, so it needs nothing beyond
 * the package itself. It echoes text and binary messages, answers pings and
 * the close handshake. Loopback only.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { Opcode } from '../core/opcode.js';
import { acceptFor } from '../connection/handshake-keys.js';
import { ClientFrameReader } from '../testing/client-frame-reader.js';
import { serverFrame } from '../testing/server-frames.js';

/** A running demo server. */
export interface DemoServer {
  /** `ws://127.0.0.1:<port>/` */
  readonly url: string;
  /** Stops listening and drops every connection. */
  close(): Promise<void>;
}

function serve(socket: Socket, greeting: string | undefined): void {
  const reader = new ClientFrameReader();
  if (greeting !== undefined) socket.write(serverFrame(Opcode.TEXT, greeting));
  socket.on('data', (chunk) => {
    for (const frame of reader.push(chunk)) {
      switch (frame.opcode) {
        case Opcode.TEXT:
        case Opcode.BINARY:
          socket.write(serverFrame(frame.opcode, frame.payload));
          break;
        case Opcode.PING:
          socket.write(serverFrame(Opcode.PONG, frame.payload));
          break;
        case Opcode.CLOSE:
          socket.end(serverFrame(Opcode.CLOSE, frame.payload));
          return;
      }
    }
  });
  socket.on('error', () => socket.destroy());
}

/**
 * Starts the echo server on 127.0.0.1.
 *
 * @param options.port - port to listen on (default: any free port)
 * @param options.greeting - text sent to each client right after the handshake
 */
export async function startDemoServer(options: { port?: number; greeting?: string } = {}): Promise<DemoServer> {
  const sockets = new Set<Socket>();
  const server: Server = createServer((_request, response) => {
    response.writeHead(426, { 'Content-Type': 'text/plain' }).end('websocket only\n');
  });
  server.on('upgrade', (request, socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    const key = request.headers['sec-websocket-key'];
    if (typeof key !== 'string' || request.headers.upgrade?.toLowerCase() !== 'websocket') {
      socket.end('HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    socket.setNoDelay(true);
    socket.write(`HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${acceptFor(key)}\r\n\r\n`);
    serve(socket, options.greeting);
  });
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `ws://127.0.0.1:${port}/`,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
