/**
 * A trivial TCP or TLS server on 127.0.0.1 for transport tests: it records
 * the request bytes each client sends (up to the empty line) and answers
 * with canned bytes, optionally ending the connection.
 */
import { createServer as createTcpServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { createServer as createTlsServer, type TlsOptions } from 'node:tls';

/** A canned WebSocket accept for the sample key of RFC 6455 §1.3. */
export const SWITCHING =
  'HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n\r\n';

/** How the server answers. */
export interface RawServerOptions {
  /** TLS server options (key, cert…); plain TCP when absent. */
  readonly tls?: TlsOptions;
  /** Bytes sent once the request head arrived (default {@link SWITCHING}). */
  readonly answer?: string | Buffer;
  /** End the connection after answering (default false). */
  readonly end?: boolean;
}

/** A running raw server. */
export interface RawServer {
  readonly port: number;
  /** Request heads received, as latin1 text, in order. */
  readonly requests: string[];
  /** SNI names the TLS server saw (undefined when the client sent none). */
  readonly servernames: Array<string | undefined>;
  /** Resolves when a server-side socket has closed (for the n-th connection, 0-based). */
  closed(index?: number): Promise<void>;
  /** Resolves with the server-side socket of the n-th connection. */
  connection(index?: number): Promise<Socket>;
  close(): Promise<void>;
}

/** Starts a raw server on 127.0.0.1:0. */
export async function startRawServer(options: RawServerOptions = {}): Promise<RawServer> {
  const requests: string[] = [];
  const servernames: Array<string | undefined> = [];
  const sockets: Socket[] = [];
  const closes: Array<Promise<void>> = [];
  const onSocket = (socket: Socket): void => {
    sockets.push(socket);
    closes.push(new Promise((resolve) => socket.once('close', () => resolve())));
    socket.on('error', () => undefined);
    const servername = (socket as Socket & { servername?: string | false }).servername;
    servernames.push(typeof servername === 'string' ? servername : undefined);
    let head = '';
    const onData = (chunk: Buffer): void => {
      head += chunk.toString('latin1');
      const end = head.indexOf('\r\n\r\n');
      if (end < 0) return;
      socket.off('data', onData);
      requests.push(head.slice(0, end + 4));
      const answer = options.answer ?? SWITCHING;
      socket.write(typeof answer === 'string' ? Buffer.from(answer, 'latin1') : answer);
      if (options.end === true) socket.end();
    };
    socket.on('data', onData);
  };
  const server: Server = options.tls === undefined ? createTcpServer(onSocket) : createTlsServer(options.tls, onSocket);
  server.on('tlsClientError', () => undefined);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const at = <T>(list: T[], index: number): Promise<T> =>
    new Promise((resolve) => {
      const poll = (): void => {
        if (list[index] !== undefined) resolve(list[index]!);
        else setImmediate(poll);
      };
      poll();
    });
  return {
    port: (server.address() as AddressInfo).port,
    requests,
    servernames,
    closed: async (index = 0) => at(closes, index).then(async (closed) => closed),
    connection: (index = 0) => at(sockets, index),
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
