/**
 * How `http2: true` finds its way to a server (lib/transports/http2-dial.ts):
 * ALPN h2 over TLS, h2c with prior knowledge for ws:, an HTTP CONNECT proxy,
 * and the fallbacks to HTTP/1.1 — on the same TLS socket when ALPN picked
 * http/1.1, on a new connection when the server does not enable the
 * extended CONNECT or does not speak h2c.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer as createH2cServer, type IncomingHttpHeaders } from 'node:http2';
import { createServer as createHttpsServer, type Server as HttpsServer } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo, Socket } from 'node:net';
import { WebSocketServer } from 'ws';
import { isConnectFail, isReady, type Ready, type Text } from '../../lib/index.js';
import { startH2Server, type LocalH2Server } from '../helpers/h2-server.js';
import { nextMessage, open, type Live } from '../helpers/h2-client.js';
import { startProxy, type LocalProxy } from '../helpers/proxy-server.js';
import { tlsFixtures } from '../helpers/tls-fixtures.js';
import { echoOverStream } from '../helpers/ws-stream-echo.js';
import { startWsServer, type LocalWsServer } from '../helpers/ws-server.js';

describe('http2: true, reaching the server', () => {
  const lives: Live[] = [];
  const closers: Array<() => Promise<void>> = [];
  const connect = (url: string, options: Parameters<typeof open>[1] = {}): Live => {
    const live = open(url, { tls: { ca: tlsFixtures().ca }, ...options });
    lives.push(live);
    return live;
  };
  const echo = async (live: Live, text: string): Promise<string> => {
    const message = nextMessage(live);
    live.ws.sendText(text);
    return ((await message) as Text).text;
  };
  afterEach(async () => {
    for (const live of lives.splice(0)) live.subscription.unsubscribe();
    for (const close of closers.splice(0)) await close();
  });
  const h2 = async (options: Parameters<typeof startH2Server>[0] = {}): Promise<LocalH2Server> => {
    const server = await startH2Server(options);
    closers.push(() => server.close());
    return server;
  };

  it('speaks h2c with prior knowledge to a ws: URL (:scheme http)', async () => {
    const server = await h2({ tls: false });
    const live = connect(server.url);
    expect(((await live.next(isReady)) as Ready).response.httpVersion).toBe('2');
    expect(await echo(live, 'over h2c')).toBe('over h2c');
    expect(server.requests[0]).toMatchObject({ ':scheme': 'http', ':authority': `127.0.0.1:${server.port}` });
  });

  it('speaks h2c over a Unix socket (ws+unix:)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lomond-h2-unix-'));
    const path = join(dir, 'h2.sock');
    const server = createH2cServer({ settings: { enableConnectProtocol: true } });
    server.on('stream', (stream, headers) => {
      seen.push(headers);
      stream.respond({ ':status': '200' });
      echoOverStream(stream);
    });
    const seen: IncomingHttpHeaders[] = [];
    await new Promise<void>((resolve) => server.listen(path, resolve));
    closers.push(async () => {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      rmSync(dir, { recursive: true, force: true });
    });
    const live = connect(`ws+unix://${path}:/feed`);
    expect(((await live.next(isReady)) as Ready).response.httpVersion).toBe('2');
    expect(await echo(live, 'over a unix socket')).toBe('over a unix socket');
    expect(seen[0]).toMatchObject({ ':scheme': 'http', ':path': '/feed', ':authority': 'localhost' });
    live.ws.close();
    await live.done;
  });

  it('falls back to HTTP/1.1 on the same TLS socket when ALPN picks http/1.1 (one TCP connection, one handshake)', async () => {
    const { cert, key } = tlsFixtures();
    const https: HttpsServer = createHttpsServer({ cert, key });
    let connections = 0;
    let handshakes = 0;
    https.on('connection', () => connections++);
    https.on('secureConnection', () => handshakes++);
    const sockets = new Set<Socket>();
    https.on('connection', (socket: Socket) => sockets.add(socket));
    const wss = new WebSocketServer({ server: https });
    wss.on('connection', (ws) => ws.on('message', (data, isBinary) => ws.send(data, { binary: isBinary })));
    await new Promise<void>((resolve) => https.listen(0, '127.0.0.1', resolve));
    closers.push(async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => wss.close(() => https.close(() => resolve())));
    });
    const live = connect(`wss://127.0.0.1:${(https.address() as AddressInfo).port}/`);
    expect(((await live.next(isReady)) as Ready).response.httpVersion).toBe('1.1');
    expect(await echo(live, 'over http/1.1')).toBe('over http/1.1');
    expect([connections, handshakes]).toEqual([1, 1]);
  });

  it('falls back to a new HTTP/1.1 connection when the server does not enable the extended CONNECT, and remembers it', async () => {
    const server = await h2({ enableConnectProtocol: false, allowHTTP1: true });
    const first = connect(server.url);
    expect(((await first.next(isReady)) as Ready).response.httpVersion).toBe('1.1');
    expect(await echo(first, 'fallback')).toBe('fallback');
    expect(server.requests).toEqual([]);
    expect(server.http1Upgrades).toBe(1);
    expect(server.connections).toBe(2);
    // The next connection goes to HTTP/1.1 at once: no TLS handshake spent on an h2 session it cannot use.
    const second = connect(server.url);
    await second.next(isReady);
    expect(server.connections).toBe(3);
  });

  it('falls back to HTTP/1.1 when a ws: server does not speak h2c', async () => {
    const server: LocalWsServer = await startWsServer();
    closers.push(() => server.close());
    const live = connect(server.url);
    expect(((await live.next(isReady)) as Ready).response.httpVersion).toBe('1.1');
    expect(await echo(live, 'plain')).toBe('plain');
  });

  it('tunnels through an HTTP CONNECT proxy, with TLS and ALPN h2 inside the tunnel, one tunnel for all', async () => {
    const server = await h2();
    const proxy: LocalProxy = await startProxy();
    closers.push(() => proxy.close());
    const one = connect(server.url, { proxies: { https: proxy.url() } });
    const two = connect(server.url, { proxies: { https: proxy.url() } });
    const [ready] = (await Promise.all([one.next(isReady), two.next(isReady)])) as Ready[];
    expect(ready!.response.httpVersion).toBe('2');
    expect(one.events[1]).toMatchObject({ name: 'connected', proxy: proxy.url() });
    expect(await echo(two, 'through the proxy')).toBe('through the proxy');
    expect(proxy.connects.map((seen) => seen.target)).toEqual([`127.0.0.1:${server.port}`]);
    expect(server.connections).toBe(1);
  });

  it('reports a refused TCP connection as connect_fail with Node\'s text', async () => {
    const server = await h2();
    const port = server.port;
    await server.close();
    closers.length = 0;
    const live = connect(`wss://127.0.0.1:${port}/`);
    expect((await live.next(isConnectFail)).reason).toBe(`connect ECONNREFUSED 127.0.0.1:${port}`);
  });

  it('reports an untrusted certificate as connect_fail with Node\'s text', async () => {
    const server = await h2();
    const live = connect(server.url, { tls: {} });
    expect((await live.next(isConnectFail)).reason).toMatch(/self-signed certificate|unable to (get|verify)/);
  });
});
