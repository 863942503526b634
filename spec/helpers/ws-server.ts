/**
 * A real `ws` WebSocketServer on 127.0.0.1 for integration tests, with a
 * plain http server underneath so tests can also refuse the upgrade.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { WebSocketServer, type ServerOptions, type WebSocket as WsSocket } from 'ws';

/** A running server and how to reach and stop it. */
export interface LocalWsServer {
  readonly url: string;
  readonly port: number;
  readonly wss: WebSocketServer;
  readonly http: Server;
  /** Answer the next upgrades with this status instead of accepting. */
  refuseWith(status: number | null, headers?: Record<string, string>): void;
  /** Resolves with the next server-side socket. */
  nextConnection(): Promise<WsSocket>;
  close(): Promise<void>;
}

/** Starts a ws server; `onConnection` defaults to echoing every message. */
export async function startWsServer(
  options: Omit<ServerOptions, 'server' | 'port' | 'noServer'> = {},
  onConnection: (socket: WsSocket, request: IncomingMessage) => void = (socket) =>
    socket.on('message', (data, isBinary) => socket.send(data, { binary: isBinary })),
  port = 0,
): Promise<LocalWsServer> {
  const http = createServer();
  const wss = new WebSocketServer({ noServer: true, ...options });
  const sockets = new Set<Socket>();
  let refusal: { status: number; headers: Record<string, string> } | null = null;
  const waiting: Array<(socket: WsSocket) => void> = [];
  http.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  http.on('upgrade', (request, socket, head) => {
    if (refusal) {
      const lines = [`HTTP/1.1 ${refusal.status} Refused`, 'Connection: close', 'Content-Length: 0'];
      for (const [name, value] of Object.entries(refusal.headers)) lines.push(`${name}: ${value}`);
      socket.end(lines.join('\r\n') + '\r\n\r\n');
      return;
    }
    wss.handleUpgrade(request, socket, head, (ws) => {
      onConnection(ws, request);
      waiting.shift()?.(ws);
      wss.emit('connection', ws, request);
    });
  });
  await new Promise<void>((resolve) => http.listen(port, '127.0.0.1', resolve));
  const actual = (http.address() as AddressInfo).port;
  return {
    url: `ws://127.0.0.1:${actual}/`,
    port: actual,
    wss,
    http,
    refuseWith: (status, headers = {}) => {
      refusal = status === null ? null : { status, headers };
    },
    nextConnection: () => new Promise((resolve) => waiting.push(resolve)),
    close: async () => {
      for (const client of wss.clients) client.terminate();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => http.close(() => resolve()));
    },
  };
}
