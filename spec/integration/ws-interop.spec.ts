/**
 * connect$ against the real `ws` server on 127.0.0.1: echo at the framing
 * length boundaries, both close directions, a vanishing server, a refused
 * upgrade, and no leaked handles afterwards.
 */
import { filter, firstValueFrom, lastValueFrom, take, tap, toArray } from 'rxjs';
import { connect$ } from '../../lib/connect.js';
import { WebSocket } from '../../lib/websocket.js';
import type { WebSocketEvent } from '../../lib/events/events.js';
import { startWsServer, type LocalWsServer } from '../helpers/ws-server.js';
import { waitFor } from '../helpers/wait-for.js';

const SIZES = [0, 125, 126, 65535, 65536, 64 * 1024 + 1, 16 * 1024 * 1024];
const session = { pingRate: 0, poll: 60_000, closeTimeout: 2000, connectTimeout: 5000 };

let server: LocalWsServer;
beforeEach(async () => {
  server = await startWsServer({ maxPayload: 64 * 1024 * 1024 });
});
afterEach(async () => {
  await server.close();
});

/** Connects, sends one message at ready, returns the first message event and closes. */
async function echo(send: (ws: WebSocket) => void): Promise<WebSocketEvent> {
  const ws = new WebSocket(server.url, { maxMessageSize: 64 * 1024 * 1024 });
  const reply = firstValueFrom(
    ws.connect$(session).pipe(
      tap((event) => {
        if (event.name === 'ready') send(ws);
      }),
      filter((event) => event.name === 'text' || event.name === 'binary'),
    ),
  );
  return reply;
}

describe('interop with the ws server', () => {
  it.each(SIZES)('echoes a %i-byte text message', async (size) => {
    const text = 'é'.repeat(Math.floor(size / 2)) + (size % 2 ? 'x' : '');
    const event = await echo((ws) => ws.sendText(text));
    expect(event.name).toBe('text');
    expect((event as { text: string }).text).toBe(text);
  });

  it.each(SIZES)('echoes a %i-byte binary message', async (size) => {
    const data = new Uint8Array(size);
    for (let i = 0; i < size; i++) data[i] = (i * 31) & 0xff;
    const event = await echo((ws) => ws.sendBinary(data));
    expect(event.name).toBe('binary');
    expect(Buffer.compare((event as { data: Uint8Array }).data, data)).toBe(0);
  });

  it('completes a client-initiated close', async () => {
    const ws = new WebSocket(server.url);
    const closed = server.nextConnection().then((socket) => new Promise<[number, string]>((resolve) => socket.on('close', (code, reason) => resolve([code, reason.toString()]))));
    const names = await lastValueFrom(
      ws.connect$(session).pipe(
        tap((event) => {
          if (event.name === 'ready') ws.close(1000, 'bye');
        }),
        toArray(),
      ),
    );
    expect(names.map((e) => e.name)).toEqual(['connecting', 'connected', 'ready', 'poll', 'closed', 'disconnected']);
    expect(names.at(-1)).toMatchObject({ graceful: true });
    await expect(closed).resolves.toEqual([1000, 'bye']);
  });

  it('completes a server-initiated close with its code and reason', async () => {
    server.wss.on('connection', (socket) => setImmediate(() => socket.close(4001, 'server says bye')));
    const events = await lastValueFrom(connect$(server.url, session).pipe(toArray()));
    expect(events.map((e) => e.name)).toEqual(['connecting', 'connected', 'ready', 'poll', 'closing', 'closed', 'disconnected']);
    expect(events[4]).toMatchObject({ code: 4001, reason: 'server says bye' });
    expect(events[6]).toMatchObject({ graceful: true });
  });

  it('reports a vanishing server as disconnected(graceful=false)', async () => {
    server.wss.on('connection', (socket) => setImmediate(() => socket.terminate()));
    const events = await lastValueFrom(connect$(server.url, session).pipe(toArray()));
    expect(events.at(-1)).toMatchObject({ name: 'disconnected', graceful: false });
  });

  it('reports a refused upgrade as rejected with the response', async () => {
    server.refuseWith(403, { 'Retry-After': '7' });
    const events = await lastValueFrom(connect$(server.url, session).pipe(toArray()));
    expect(events.map((e) => e.name)).toEqual(['connecting', 'connected', 'rejected', 'disconnected']);
    const rejected = events[2] as Extract<WebSocketEvent, { name: 'rejected' }>;
    expect(rejected.response.statusCode).toBe(403);
    expect(rejected.response.get('retry-after')).toBe('7');
    expect(events[3]).toMatchObject({ graceful: true });
  });

  it('reports a closed port as connect_fail with the system error', async () => {
    const port = server.port;
    await server.close();
    server = await startWsServer();
    const events = await lastValueFrom(connect$(`ws://127.0.0.1:${port}/`, session).pipe(toArray()));
    expect(events.map((e) => e.name)).toEqual(['connecting', 'connect_fail']);
    expect((events[1] as { reason: string }).reason).toContain('ECONNREFUSED');
  });

  it('answers server pings automatically and reports them', async () => {
    server.wss.on('connection', (socket) => setImmediate(() => socket.ping('are you there')));
    const pong = new Promise<string>((resolve) => server.wss.once('connection', (socket) => socket.on('pong', (data) => resolve(data.toString()))));
    const ping = await firstValueFrom(connect$(server.url, session).pipe(filter((e) => e.name === 'ping'), take(1)));
    expect(Buffer.from((ping as { data: Uint8Array }).data).toString()).toBe('are you there');
    await expect(pong).resolves.toBe('are you there');
  });

  it('leaves no open sockets or timers behind after unsubscribing', async () => {
    const count = (): Record<string, number> => {
      const counts: Record<string, number> = {};
      for (const name of process.getActiveResourcesInfo()) counts[name] = (counts[name] ?? 0) + 1;
      return counts;
    };
    const before = count();
    const ws = new WebSocket(server.url);
    // firstValueFrom unsubscribes at ready: the close handshake (1001) continues in the background.
    const serverSide = server.nextConnection();
    await firstValueFrom(ws.connect$({ ...session, pingRate: 1000, poll: 1000, closeTimeout: 500 }).pipe(filter((e) => e.name === 'ready')));
    // The background close ends when the server closes TCP: wait for that, then for the client's socket to be released.
    const socket = await serverSide;
    if (socket.readyState !== socket.CLOSED) await new Promise((resolve) => socket.once('close', resolve));
    await waitFor(() => ws.isClosed && (count()['TCPSocketWrap'] ?? 0) <= (before['TCPSocketWrap'] ?? 0));
    const after = count();
    for (const name of ['TCPSocketWrap', 'TLSWrap', 'Timeout']) expect(after[name] ?? 0).toBeLessThanOrEqual(before[name] ?? 0);
    expect(ws.isClosed).toBe(true);
  });
});
