/**
 * An in-process HTTP proxy on 127.0.0.1 (the npm `proxy` package, v2) for
 * transport tests: it records every CONNECT it sees and can demand Basic
 * credentials (407 otherwise).
 */
import type { IncomingHttpHeaders } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { createProxy } from 'proxy';

/** A CONNECT the proxy received. */
export interface SeenConnect {
  /** The request target, e.g. `127.0.0.1:8080`. */
  readonly target: string;
  readonly headers: IncomingHttpHeaders;
}

/** A running proxy. */
export interface LocalProxy {
  readonly port: number;
  /** `http://127.0.0.1:PORT`, with `userinfo@` inserted when given (already URL-encoded). */
  url(userinfo?: string): string;
  /** Every CONNECT so far, in order. */
  readonly connects: SeenConnect[];
  /** Destroys open tunnels and stops listening. */
  close(): Promise<void>;
}

/**
 * Starts a proxy on 127.0.0.1:0.
 *
 * @param auth - when given, CONNECTs must carry `Proxy-Authorization: Basic base64(user:pass)`
 */
export async function startProxy(auth?: { user: string; pass: string }): Promise<LocalProxy> {
  const server = createProxy();
  const sockets = new Set<Socket>();
  const connects: SeenConnect[] = [];
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  server.prependListener('connect', (req) => connects.push({ target: req.url ?? '', headers: req.headers }));
  if (auth !== undefined) {
    const expected = `Basic ${Buffer.from(`${auth.user}:${auth.pass}`, 'utf8').toString('base64')}`;
    server.authenticate = (req) => req.headers['proxy-authorization'] === expected;
  }
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    port,
    url: (userinfo) => `http://${userinfo === undefined ? '' : `${userinfo}@`}127.0.0.1:${port}`,
    connects,
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
