/**
 * followRedirects / maxRedirects (SPEC), end to end on 127.0.0.1: each hop a
 * new TCP connection within one subscription; credentials, Authorization and
 * Cookie only to the first origin; wss: → ws: refused; too many → rejected.
 * Two ports of 127.0.0.1 are two origins (RFC 6454 §4: scheme, host, port).
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import { connect$ } from '../../lib/connect.js';
import type { Connected, Rejected, WebSocketEvent } from '../../lib/events/events.js';
import { startWsServer, type LocalWsServer } from '../helpers/ws-server.js';
import { tlsFixtures } from '../helpers/tls-fixtures.js';

/** A server that answers every upgrade with `status` and `Location: location(request)`. */
interface Redirector {
  readonly port: number;
  readonly requests: IncomingMessage[];
  close(): Promise<void>;
}

async function startRedirector(location: (request: IncomingMessage) => string | undefined, status = 302, tls = false): Promise<Redirector> {
  const requests: IncomingMessage[] = [];
  const sockets = new Set<Socket>();
  const server: Server = tls ? createHttpsServer({ key: tlsFixtures().key, cert: tlsFixtures().cert }) : createServer();
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  server.on('upgrade', (request: IncomingMessage, socket: Socket) => {
    requests.push(request);
    const to = location(request);
    const lines = [`HTTP/1.1 ${status} Moved`, 'Content-Length: 5', 'Connection: close'];
    if (to !== undefined) lines.push(`Location: ${to}`);
    socket.end(`${lines.join('\r\n')}\r\n\r\nmoved`);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    requests,
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

const SESSION = { pingRate: 0, poll: 600_000, proxies: {}, connectTimeout: 5000, closeTimeout: 1000 };
const names = (events: WebSocketEvent[]): string[] => events.map((e) => e.name);

/** Connects, waits for ready (then closes) or the end; returns the events. */
async function run(url: string, options: object = {}): Promise<WebSocketEvent[]> {
  const events: WebSocketEvent[] = [];
  await new Promise<void>((resolve) => {
    const subscription = connect$(url, { ...SESSION, ...options }).subscribe({
      next: (event) => {
        events.push(event);
        if (event.name === 'ready') {
          subscription.unsubscribe();
          resolve();
        }
      },
      complete: resolve,
    });
  });
  return events;
}

describe('followRedirects', () => {
  let ws: LocalWsServer;
  let headersSeen: IncomingMessage['headers'][];
  const cleanup: Array<() => Promise<void>> = [];

  beforeEach(async () => {
    headersSeen = [];
    ws = await startWsServer({}, (socket, request) => {
      headersSeen.push(request.headers);
      socket.on('message', (data) => socket.send(data));
    });
    cleanup.push(() => ws.close());
  });
  afterEach(async () => {
    for (const close of cleanup.splice(0)) await close();
  });
  const redirector = async (...args: Parameters<typeof startRedirector>): Promise<Redirector> => {
    const server = await startRedirector(...args);
    cleanup.push(() => server.close());
    return server;
  };

  it('is off by default: a 302 is rejected, with its body, as before', async () => {
    const from = await redirector(() => ws.url);
    const events = await run(`ws://127.0.0.1:${from.port}/`);
    expect(names(events)).toEqual(['connecting', 'connected', 'rejected', 'disconnected']);
    expect(events[2]).toMatchObject({ reason: 'expected status 101, got 302 Moved' });
    expect(new TextDecoder().decode((events[2] as Rejected).body)).toBe('moved');
  });

  it.each([301, 302, 303, 307, 308])('follows a %i within one subscription, each hop with its own connected', async (status) => {
    const from = await redirector(() => `${ws.url}feed?x=1`, status);
    const events = await run(`ws://127.0.0.1:${from.port}/start`, { followRedirects: true });
    expect(names(events)).toEqual(['connecting', 'connected', 'connected', 'ready']);
    expect((events[1] as Connected).url).toBe(`ws://127.0.0.1:${from.port}/start`);
    expect((events[2] as Connected).url).toBe(`${ws.url}feed?x=1`);
    expect(from.requests).toHaveLength(1);
    expect(headersSeen).toHaveLength(1);
  });

  it('resolves a relative Location and keeps credentials within the origin', async () => {
    const server = await redirector((request) => (request.url === '/old' ? '/new' : undefined));
    // Same origin: the redirector itself answers /new without a Location, so the attempt ends rejected.
    const events = await run(`ws://user:pa%20ss@127.0.0.1:${server.port}/old`, { followRedirects: true, headers: { Cookie: 'c=1', 'X-Keep': 'k' } });
    expect(server.requests.map((r) => r.url)).toEqual(['/old', '/new']);
    const second = server.requests[1]!.headers;
    expect(second.authorization).toBe(`Basic ${Buffer.from('user:pa ss').toString('base64')}`);
    expect(second.cookie).toBe('c=1');
    expect(events.at(-2)).toMatchObject({ name: 'rejected', reason: 'redirect 302 without a location header' });
  });

  it('drops the URL credentials, Authorization and Cookie on a cross-origin hop, keeping the rest', async () => {
    const from = await redirector(() => ws.url);
    await run(`ws://user:pass@127.0.0.1:${from.port}/`, { followRedirects: true, headers: { Cookie: ['a=1', 'b=2'], 'X-Keep': 'yes' }, origin: 'https://app.example' });
    expect(from.requests[0]!.headers).toMatchObject({ authorization: `Basic ${Buffer.from('user:pass').toString('base64')}`, cookie: 'a=1; b=2' });
    expect(headersSeen[0]).toMatchObject({ 'x-keep': 'yes', origin: 'https://app.example' });
    expect(headersSeen[0]!.authorization).toBeUndefined();
    expect(headersSeen[0]!.cookie).toBeUndefined();

    const fromAuth = await redirector(() => ws.url);
    await run(`ws://127.0.0.1:${fromAuth.port}/`, { followRedirects: true, headers: { Authorization: 'Bearer t' } });
    expect(fromAuth.requests[0]!.headers.authorization).toBe('Bearer t');
    expect(headersSeen[1]!.authorization).toBeUndefined();
  });

  it('rejects after maxRedirects with a clear reason', async () => {
    let server: Redirector | null = null;
    server = await redirector(() => `ws://127.0.0.1:${server!.port}/again`);
    const events = await run(`ws://127.0.0.1:${server.port}/`, { followRedirects: true, maxRedirects: 3 });
    expect(server.requests).toHaveLength(4);
    expect(names(events)).toEqual(['connecting', 'connected', 'connected', 'connected', 'connected', 'rejected', 'disconnected']);
    expect(events.at(-2)).toMatchObject({ reason: 'too many redirects (more than 3)', response: { statusCode: 302 } });
    expect(events.at(-1)).toMatchObject({ name: 'disconnected', graceful: true });
  });

  it('follows ws: to wss: and refuses wss: to ws:', async () => {
    const { ca } = tlsFixtures();
    const secure = await redirector(() => ws.url, 302, true);
    const events = await run(`wss://localhost:${secure.port}/`, { followRedirects: true, tls: { ca } });
    expect(events.at(-2)).toMatchObject({ name: 'rejected', reason: `redirect from wss: to ws: refused "${ws.url}"` });
    expect(headersSeen).toHaveLength(0);

    const up = await redirector(() => `wss://localhost:${secure.port}/`);
    const upEvents = await run(`ws://127.0.0.1:${up.port}/`, { followRedirects: true, tls: { ca } });
    expect(names(upEvents)).toEqual(['connecting', 'connected', 'connected', 'rejected', 'disconnected']);
    expect(upEvents.at(-2)).toMatchObject({ reason: `redirect from wss: to ws: refused "${ws.url}"` });
    expect(secure.requests).toHaveLength(2);
  });

  it('counts every hop against one connectTimeout', async () => {
    // The second hop's server never answers: a raw listener that accepts and stays silent.
    const silent = createServer();
    const held = new Set<Socket>();
    silent.on('connection', (socket: Socket) => held.add(socket));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    cleanup.push(async () => {
      for (const socket of held) socket.destroy();
      await new Promise<void>((resolve) => silent.close(() => resolve()));
    });
    const from = await redirector(() => `ws://127.0.0.1:${(silent.address() as AddressInfo).port}/`);
    const started = Date.now();
    const events = await run(`ws://127.0.0.1:${from.port}/`, { followRedirects: true, connectTimeout: 300 });
    expect(names(events)).toEqual(['connecting', 'connected', 'connected', 'connect_fail']);
    expect(events.at(-1)).toMatchObject({ reason: 'connect timeout after 300 ms' });
    expect(Date.now() - started).toBeLessThan(5000);
  });
});
