/**
 * A local node:http2 server on 127.0.0.1 for RFC 8441 tests: TLS (ALPN h2,
 * and http/1.1 through a `ws` server when `allowHTTP1`) or h2c, with
 * SETTINGS_ENABLE_CONNECT_PROTOCOL = 1 unless told otherwise, and the small
 * RFC 6455 echo of ws-stream-echo.ts on each extended CONNECT stream.
 */
import { createSecureServer, createServer, type Http2Server, type Http2SecureServer, type ServerHttp2Session, type ServerHttp2Stream, type IncomingHttpHeaders, type Settings } from 'node:http2';
import type { AddressInfo, Socket } from 'node:net';
import { WebSocketServer } from 'ws';
import { tlsFixtures } from './tls-fixtures.js';
import { echoOverStream, type EchoRecord } from './ws-stream-echo.js';

/** How the server answers one extended CONNECT. */
export type StreamHandler = (stream: ServerHttp2Stream, headers: IncomingHttpHeaders) => void;

/** A running server and its controls. */
export interface LocalH2Server {
  /** `wss://127.0.0.1:port/` or `ws://…` (h2c). */
  readonly url: string;
  readonly port: number;
  /** The CA to trust (TLS servers). */
  readonly ca: string;
  readonly server: Http2Server | Http2SecureServer;
  /** TCP connections accepted so far. */
  readonly connections: number;
  /** Extended CONNECT requests received so far, with their headers. */
  readonly requests: IncomingHttpHeaders[];
  /** HTTP/1.1 upgrades received so far (allowHTTP1). */
  readonly http1Upgrades: number;
  /** What each echo saw, in order of the streams. */
  readonly echoes: EchoRecord[];
  /** The sessions open now. */
  readonly sessions: Set<ServerHttp2Session>;
  /** The streams open now. */
  readonly streams: Set<ServerHttp2Stream>;
  /** Replaces how the next streams are answered (default: 200 and the echo). */
  handle(handler: StreamHandler | null): void;
  /** Destroys every session, then stops listening. */
  close(): Promise<void>;
}

/** Options of {@link startH2Server}. */
export interface H2ServerOptions {
  /** TLS with ALPN (default true); false for h2c. */
  readonly tls?: boolean;
  /** Send SETTINGS_ENABLE_CONNECT_PROTOCOL = 1 (default true). */
  readonly enableConnectProtocol?: boolean;
  /** Also accept HTTP/1.1 over TLS (ALPN http/1.1), with a `ws` server behind it. */
  readonly allowHTTP1?: boolean;
  /** Other SETTINGS (maxConcurrentStreams…). */
  readonly settings?: Settings;
  /** Answer permessage-deflate offers, deflating the echo. */
  readonly deflate?: boolean;
  /** Listen on this port (a restart on the same port). */
  readonly port?: number;
}

/** Starts a server; see {@link H2ServerOptions}. */
export async function startH2Server(options: H2ServerOptions = {}): Promise<LocalH2Server> {
  const secure = options.tls !== false;
  const { ca, cert, key } = tlsFixtures();
  const settings: Settings = { ...options.settings, enableConnectProtocol: options.enableConnectProtocol !== false };
  const server = secure ? createSecureServer({ cert, key, settings, allowHTTP1: options.allowHTTP1 === true }) : createServer({ settings });
  const sockets = new Set<Socket>();
  const sessions = new Set<ServerHttp2Session>();
  const streams = new Set<ServerHttp2Stream>();
  const requests: IncomingHttpHeaders[] = [];
  const echoes: EchoRecord[] = [];
  let connections = 0;
  let http1Upgrades = 0;
  let handler: StreamHandler | null = null;

  const echo: StreamHandler = (stream, headers) => {
    const offered = String(headers['sec-websocket-extensions'] ?? '');
    const deflate = options.deflate === true && offered.includes('permessage-deflate');
    const response: Record<string, string> = { ':status': '200' };
    if (deflate) response['sec-websocket-extensions'] = 'permessage-deflate; server_no_context_takeover; client_no_context_takeover';
    const protocol = headers['sec-websocket-protocol'];
    if (typeof protocol === 'string') response['sec-websocket-protocol'] = protocol.split(',')[0]!.trim();
    stream.respond(response);
    echoes.push(echoOverStream(stream, { deflate }));
  };

  server.on('connection', (socket: Socket) => {
    connections++;
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  server.on('secureConnection', () => undefined);
  server.on('session', (session: ServerHttp2Session) => {
    sessions.add(session);
    session.on('close', () => sessions.delete(session));
    session.on('error', () => undefined);
  });
  server.on('stream', (stream: ServerHttp2Stream, headers: IncomingHttpHeaders) => {
    streams.add(stream);
    stream.on('close', () => streams.delete(stream));
    stream.on('error', () => undefined);
    if (headers[':method'] !== 'CONNECT' || headers[':protocol'] !== 'websocket') {
      stream.respond({ ':status': '404' });
      stream.end();
      return;
    }
    requests.push(headers);
    (handler ?? echo)(stream, headers);
  });
  if (options.allowHTTP1 === true) {
    const wss = new WebSocketServer({ noServer: true, perMessageDeflate: options.deflate === true });
    server.on('upgrade', (request, socket, head) => {
      http1Upgrades++;
      wss.handleUpgrade(request, socket as Socket, head, (ws) => ws.on('message', (data, isBinary) => ws.send(data, { binary: isBinary })));
    });
  }
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `${secure ? 'wss' : 'ws'}://127.0.0.1:${port}/`,
    port,
    ca,
    server,
    get connections() {
      return connections;
    },
    requests,
    get http1Upgrades() {
      return http1Upgrades;
    },
    echoes,
    sessions,
    streams,
    handle: (next) => {
      handler = next;
    },
    close: async () => {
      for (const session of sessions) session.destroy();
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
