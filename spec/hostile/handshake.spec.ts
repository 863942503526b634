/**
 * Hostile HTTP answers to the upgrade request, from a real server on
 * 127.0.0.1: heads built to make a backtracking parser spin, interim 1xx
 * responses before the 101 (and before a proxy's 200), a 101 on HTTP/1.0 and
 * an empty Sec-WebSocket-Protocol. Each ends in the SPEC lifecycle, at once.
 */
import { createHash } from 'node:crypto';
import { Agent } from 'node:http';
import { connect as netConnect, createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import { lastValueFrom, tap, toArray } from 'rxjs';
import { connect$ } from '../../lib/connect.js';
import { Opcode } from '../../lib/core/opcode.js';
import type { WebSocketEvent } from '../../lib/events/events.js';
import { serverFrame } from '../../lib/testing/server-frames.js';

const GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';
const SESSION = { pingRate: 0, poll: 600_000, closeTimeout: 1000, connectTimeout: 5000, proxies: {} };

/** The head lines of a correct 101 answer to the request with Sec-WebSocket-Key `key`. */
const upgrade = (key: string): string[] => [
  'HTTP/1.1 101 Switching Protocols',
  'Upgrade: websocket',
  'Connection: Upgrade',
  `Sec-WebSocket-Accept: ${createHash('sha1').update(`${key}${GUID}`).digest('base64')}`,
];

interface Listening {
  readonly server: Server;
  readonly port: number;
  readonly sockets: Set<Socket>;
  close(): Promise<void>;
}

/** Listens on 127.0.0.1:0; `onHead` gets each connection's request head (latin1) and its socket. */
async function listen(onHead: (head: string, socket: Socket) => void): Promise<Listening> {
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
    let head = '';
    const onData = (chunk: Buffer): void => {
      head += chunk.toString('latin1');
      if (!head.includes('\r\n\r\n')) return;
      socket.off('data', onData);
      onHead(head, socket);
    };
    socket.on('data', onData);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    server,
    port: (server.address() as AddressInfo).port,
    sockets,
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

const keyOf = (head: string): string => /^sec-websocket-key: *(\S+)/im.exec(head)![1]!;

/** A WebSocket server that answers with `answer(key)` (raw bytes: head, then any frames). */
const hostileServer = (answer: (key: string) => string | Uint8Array): Promise<Listening> =>
  listen((head, socket) => socket.write(answer(keyOf(head))));

/** Runs one connection to its end; returns the events and how long it took. */
async function session(url: string, options: object = {}): Promise<{ events: WebSocketEvent[]; ms: number }> {
  const start = performance.now();
  const events = await lastValueFrom(connect$(url, { ...SESSION, ...options }).pipe(toArray()));
  return { events, ms: performance.now() - start };
}

const names = (events: WebSocketEvent[]): string[] => events.map((event) => event.name);

describe('hostile handshake answers', () => {
  let servers: Listening[] = [];
  afterEach(async () => {
    await Promise.all(servers.map(async (server) => server.close()));
    servers = [];
  });
  const start = async (listening: Promise<Listening>): Promise<Listening> => {
    const server = await listening;
    servers.push(server);
    return server;
  };

  it.each([
    ['4,000 spaces and a control byte in a header value', (key: string) => `${upgrade(key).join('\r\n')}\r\nX:${' '.repeat(4000)}\x01\r\n\r\n`, 'invalid header line'],
    ['a 16 KiB head of spaces', (key: string) => `${upgrade(key).join('\r\n')}\r\nX:${' '.repeat(17000)}`, 'response head exceeds 16384 bytes'],
    ['a status line of 16 KiB', () => `HTTP/1.1 101 ${' '.repeat(16000)}\x01\r\n\r\n`, 'invalid status line'],
  ])('fails the connection at once on %s', async (_, answer, reason) => {
    const server = await start(hostileServer(answer));
    const { events, ms } = await session(`ws://127.0.0.1:${server.port}/`);
    expect(names(events)).toEqual(['connecting', 'connected', 'connect_fail']);
    expect(events.at(-1)).toMatchObject({ reason: expect.stringContaining(reason) });
    expect(ms).toBeLessThan(2000); // a backtracking parser took ~70 s on the first head
  });

  it('skips 100 Continue and 103 Early Hints before the 101 (RFC 9110 §15.2), in one write with the first frame', async () => {
    const interim = 'HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </a.css>; rel=preload\r\n\r\n';
    const server = await start(hostileServer((key) => Buffer.concat([Buffer.from(`${interim}${upgrade(key).join('\r\n')}\r\n\r\n`, 'latin1'), serverFrame(Opcode.TEXT, 'hi')])));
    const events: WebSocketEvent[] = [];
    const url = `ws://127.0.0.1:${server.port}/`;
    const { WebSocket } = await import('../../lib/websocket.js');
    const ws = new WebSocket(url, { proxies: {} });
    await lastValueFrom(
      ws.connect$(SESSION).pipe(
        tap((event) => {
          events.push(event);
          if (event.name === 'text') ws.forceDisconnect();
        }),
      ),
    );
    expect(names(events)).toEqual(['connecting', 'connected', 'ready', 'poll', 'text', 'disconnected']);
    expect(events[2]).toMatchObject({ response: { statusCode: 101, httpVersion: '1.1' } });
    expect(events[4]).toMatchObject({ text: 'hi' });
  });

  it('rejects a 101 on HTTP/1.0 (RFC 6455 §4.1: "the HTTP version MUST be at least 1.1")', async () => {
    const server = await start(hostileServer((key) => `${upgrade(key).join('\r\n').replace('HTTP/1.1', 'HTTP/1.0')}\r\n\r\n`));
    const { events } = await session(`ws://127.0.0.1:${server.port}/`);
    expect(names(events)).toEqual(['connecting', 'connected', 'rejected', 'disconnected']);
    expect(events[2]).toMatchObject({ reason: 'expected http version 1.1 for status 101, got 1.0', response: { statusCode: 101, httpVersion: '1.0' } });
  });

  it('rejects a 101 on HTTP/1.0 on the http.Agent path too', async () => {
    const server = await start(hostileServer((key) => `${upgrade(key).join('\r\n').replace('HTTP/1.1', 'HTTP/1.0')}\r\n\r\n`));
    const { events } = await session(`ws://127.0.0.1:${server.port}/`, { agent: new Agent() });
    expect(names(events)).toEqual(['connecting', 'connected', 'rejected', 'disconnected']);
    expect(events[2]).toMatchObject({ reason: 'expected http version 1.1 for status 101, got 1.0', response: { httpVersion: '1.0' } });
  });

  it('rejects an empty Sec-WebSocket-Protocol answer', async () => {
    const server = await start(hostileServer((key) => `${upgrade(key).join('\r\n')}\r\nSec-WebSocket-Protocol: \r\n\r\n`));
    const { events } = await session(`ws://127.0.0.1:${server.port}/`, { protocols: ['chat'] });
    expect(names(events)).toEqual(['connecting', 'connected', 'rejected', 'disconnected']);
    expect(events[2]).toMatchObject({ reason: 'empty sec-websocket-protocol header' });
  });

  it('skips a 100 Continue before a proxy\'s 200 to CONNECT', async () => {
    // The target closes at once and ends TCP when the client's echo arrives.
    const target = await start(
      listen((head, socket) => {
        socket.write(Buffer.concat([Buffer.from(`${upgrade(keyOf(head)).join('\r\n')}\r\n\r\n`, 'latin1'), serverFrame(Opcode.CLOSE, Uint8Array.of(0x03, 0xe8))]));
        socket.once('data', () => socket.end());
      }),
    );
    // A proxy that answers CONNECT with an interim response first, then tunnels to the target.
    const proxy = await start(
      listen((head, socket) => {
        const [host, port] = head.split(' ')[1]!.split(':');
        const upstream = netConnect(Number(port), host!, () => {
          socket.write('HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 Connection established\r\n\r\n');
          socket.pipe(upstream).pipe(socket);
        });
        upstream.on('error', () => socket.destroy());
      }),
    );
    const { events } = await session(`ws://127.0.0.1:${target.port}/`, { proxies: { http: `http://127.0.0.1:${proxy.port}` } });
    expect(names(events)).toEqual(['connecting', 'connected', 'ready', 'poll', 'closing', 'closed', 'disconnected']);
    expect(events[1]).toMatchObject({ proxy: `http://127.0.0.1:${proxy.port}` });
  });
});
