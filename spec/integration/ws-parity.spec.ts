/**
 * The options a user coming from `ws` looks for, against the npm `ws` server
 * on 127.0.0.1 and on Unix sockets in a temp dir: ws+unix:/wss+unix:, Origin,
 * URL credentials, several values for one header, lookup/family/localAddress,
 * createConnection, and the compression variants (offer, answer, threshold,
 * level, memLevel).
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer as createHttpServer, type IncomingMessage, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { connect as netConnect, createServer as createNetServer, type AddressInfo, type LookupFunction, type Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WebSocketServer, type PerMessageDeflateOptions } from 'ws';
import type { Connected, Ready, Text, WebSocketEvent } from '../../lib/events/events.js';
import { ClientFrameReader, type ClientFrame } from '../../lib/testing.js';
import type { CreateConnectionOptions } from '../../lib/transports/transport.js';
import { WebSocket } from '../../lib/websocket.js';
import { tlsFixtures } from '../helpers/tls-fixtures.js';

const SESSION = { pingRate: 0, poll: 600_000, proxies: {}, connectTimeout: 5000, closeTimeout: 1000 };

/** A ws echo server on `listen` (a port on 127.0.0.1, or a Unix socket path), recording each request. */
async function echoServer(listen: { path: string } | { port: 0 }, options: { tls?: boolean; perMessageDeflate?: boolean | PerMessageDeflateOptions } = {}) {
  const server: Server = options.tls === true ? createHttpsServer({ key: tlsFixtures().key, cert: tlsFixtures().cert }) : createHttpServer();
  const requests: IncomingMessage[] = [];
  const servernames: Array<string | false> = [];
  server.on('secureConnection', (socket: { servername?: string | false }) => servernames.push(socket.servername ?? false));
  const wss = new WebSocketServer({ server, perMessageDeflate: options.perMessageDeflate ?? false });
  wss.on('connection', (socket, request) => {
    requests.push(request);
    socket.on('message', (data, isBinary) => socket.send(data, { binary: isBinary }));
  });
  await new Promise<void>((resolve) => ('path' in listen ? server.listen(listen.path, resolve) : server.listen(0, '127.0.0.1', resolve)));
  const address = server.address();
  return {
    requests,
    servernames,
    port: typeof address === 'object' && address !== null ? (address as AddressInfo).port : 0,
    close: async () => {
      for (const client of wss.clients) client.terminate();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
      server.closeAllConnections?.();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** Connects, sends `message` at ready, resolves with the events up to its echo (then unsubscribes). */
function echo(url: string, options: object = {}, message = 'hello'): Promise<WebSocketEvent[]> {
  const ws = new WebSocket(url, { ...options });
  const seen: WebSocketEvent[] = [];
  return new Promise((resolve, reject) => {
    const subscription = ws.connect$({ ...SESSION }).subscribe({
      next: (event) => {
        seen.push(event);
        if (event.name === 'ready') ws.sendText(message);
        if (event.name === 'text') {
          subscription.unsubscribe();
          resolve(seen);
        }
      },
      error: reject,
      complete: () => resolve(seen),
    });
  });
}

const textOf = (events: WebSocketEvent[]): string | undefined => (events.find((e) => e.name === 'text') as Text | undefined)?.text;
const readyOf = (events: WebSocketEvent[]): Ready => events.find((e): e is Ready => e.name === 'ready')!;

describe('Unix domain sockets (ws+unix:, wss+unix:)', () => {
  let dir: string;
  beforeAll(() => (dir = mkdtempSync(join(tmpdir(), 'lomond-unix-'))));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('ws+unix:///path:/request connects over the socket, Host: localhost, the request path after the colon', async () => {
    const path = join(dir, 'plain.sock');
    const server = await echoServer({ path });
    try {
      const events = await echo(`ws+unix://${path}:/feed?x=1`);
      expect(textOf(events)).toBe('hello');
      expect(server.requests[0]).toMatchObject({ url: '/feed?x=1', headers: { host: 'localhost' } });
      expect((events[1] as Connected).proxy).toBeNull();
    } finally {
      await server.close();
    }
  });

  it('never goes through a proxy, even with one configured', async () => {
    const path = join(dir, 'noproxy.sock');
    const server = await echoServer({ path });
    try {
      expect(textOf(await echo(`ws+unix://${path}:/`, { proxies: { http: 'http://127.0.0.1:9' } }))).toBe('hello');
    } finally {
      await server.close();
    }
  });

  it('wss+unix: runs TLS over the socket: no SNI without a host, the certificate checked against localhost', async () => {
    const path = join(dir, 'tls.sock');
    const server = await echoServer({ path }, { tls: true });
    try {
      expect(textOf(await echo(`wss+unix://${path}:/secure`, { tls: { ca: tlsFixtures().ca } }))).toBe('hello');
      expect(server.requests[0]).toMatchObject({ url: '/secure', headers: { host: 'localhost' } });
      expect(server.servernames).toEqual([false]);
      // A host in the URL names the Host header and SNI.
      expect(textOf(await echo(`wss+unix://localhost${path}:/named`, { tls: { ca: tlsFixtures().ca } }))).toBe('hello');
      expect(server.servernames[1]).toBe('localhost');
      // Verification stays on: without the CA the handshake fails.
      const failed = await echo(`wss+unix://${path}:/`);
      expect(failed.map((e) => e.name)).toEqual(['connecting', 'connect_fail']);
    } finally {
      await server.close();
    }
  });

  it('a missing socket is a connect_fail with the system error', async () => {
    const events = await echo(`ws+unix://${join(dir, 'absent.sock')}:/`);
    expect(events[1]).toMatchObject({ name: 'connect_fail', reason: expect.stringContaining('ENOENT') });
  });
});

describe('request headers: Origin, URL credentials, several values', () => {
  it('sends origin, user:pass@ as Basic auth, and one line per header value; events show the URL redacted', async () => {
    const server = await echoServer({ port: 0 });
    try {
      const events = await echo(`ws://al%20ice:s3cr%3At@127.0.0.1:${server.port}/`, { origin: 'https://app.example', headers: { 'X-Tag': ['a', 'b'], Cookie: ['s=1', 't=2'] } });
      const request = server.requests[0]!;
      expect(request.headers).toMatchObject({ origin: 'https://app.example', authorization: `Basic ${Buffer.from('al ice:s3cr:t').toString('base64')}`, cookie: 's=1; t=2' });
      expect(request.rawHeaders.filter((_, i, all) => i % 2 === 1 && all[i - 1] === 'X-Tag')).toEqual(['a', 'b']);
      expect(events[0]).toMatchObject({ name: 'connecting', url: `ws://***:***@127.0.0.1:${server.port}/` });
      expect(JSON.stringify(events)).not.toContain('s3cr');
    } finally {
      await server.close();
    }
  });
});

describe('socket options: lookup, family, localAddress, createConnection', () => {
  let server: Awaited<ReturnType<typeof echoServer>>;
  beforeAll(async () => (server = await echoServer({ port: 0 })));
  afterAll(() => server.close());

  it('uses the lookup function for the host name, with family and localAddress passed to node:net', async () => {
    const asked: Array<[string, number | undefined]> = [];
    const lookup = ((hostname: string, options: { family?: number }, callback: (error: Error | null, address: string, family: number) => void) => {
      asked.push([hostname, options.family]);
      callback(null, '127.0.0.1', 4);
    }) as unknown as LookupFunction;
    const events = await echo(`ws://feed.invalid:${server.port}/`, { lookup, family: 4, localAddress: '127.0.0.1' });
    expect(textOf(events)).toBe('hello');
    expect(asked[0]).toEqual(['feed.invalid', 4]);
    expect(server.requests.at(-1)!.headers.host).toBe(`feed.invalid:${server.port}`);
    expect(server.requests.at(-1)!.socket.remoteAddress).toBe('127.0.0.1');
  });

  it('fails with the system error for a localAddress the host does not have', async () => {
    const events = await echo(`ws://127.0.0.1:${server.port}/`, { localAddress: '192.0.2.1' });
    expect(events.at(-1)).toMatchObject({ name: 'connect_fail', reason: expect.stringMatching(/EADDRNOTAVAIL|EINVAL/) });
  });

  it('createConnection makes the socket (net for ws:, tls for wss:), called with the options node would get', async () => {
    const calls: object[] = [];
    const events = await echo(`ws://example.invalid:${server.port}/`, {
      createConnection: (options: object) => {
        calls.push(options);
        return netConnect({ host: '127.0.0.1', port: server.port });
      },
    });
    expect(textOf(events)).toBe('hello');
    expect(calls).toEqual([expect.objectContaining({ host: 'example.invalid', port: server.port })]);

    const secure = await echoServer({ port: 0 }, { tls: true });
    try {
      const tlsCalls: CreateConnectionOptions[] = [];
      const secureEvents = await echo(`wss://localhost:${secure.port}/`, {
        tls: { ca: tlsFixtures().ca },
        createConnection: (options: CreateConnectionOptions) => {
          tlsCalls.push(options);
          return tlsConnect({ ...options, host: '127.0.0.1' });
        },
      });
      expect(textOf(secureEvents)).toBe('hello');
      expect(tlsCalls[0]).toMatchObject({ servername: 'localhost', ca: tlsFixtures().ca });
    } finally {
      await secure.close();
    }
  });

  it('a createConnection that throws, or returns no socket, is a connect_fail', async () => {
    const thrown = await echo(`ws://127.0.0.1:${server.port}/`, {
      createConnection: () => {
        throw new Error('no route');
      },
    });
    expect(thrown.at(-1)).toMatchObject({ name: 'connect_fail', reason: 'no route' });
    const nothing = await echo(`ws://127.0.0.1:${server.port}/`, { createConnection: () => null as unknown as Socket });
    expect(nothing.at(-1)).toMatchObject({ name: 'connect_fail', reason: 'createConnection must return a socket, got null' });
  });

  it('refuses bad socket options at the call', () => {
    expect(() => new WebSocket('ws://x/', { lookup: 'dns' as never })).toThrow(new TypeError('lookup must be a function, got string'));
    expect(() => new WebSocket('ws://x/', { family: 5 })).toThrow(new RangeError('family must be 0, 4 or 6, got 5'));
    expect(() => new WebSocket('ws://x/', { localAddress: 1 as never })).toThrow(new TypeError('localAddress must be a string, got number'));
    expect(() => new WebSocket('ws://x/', { createConnection: {} as never })).toThrow(new TypeError('createConnection must be a function, got object'));
  });
});

/** The Sec-WebSocket-Extensions a ws server answered, and whether a compressible message survived the round trip. */
async function deflateRoundTrip(compress: object, perMessageDeflate: PerMessageDeflateOptions | boolean = true): Promise<{ offer: string; answer: string | undefined; ok: boolean }> {
  const server = await echoServer({ port: 0 }, { perMessageDeflate });
  try {
    const message = `${'lomond '.repeat(5000)}${'x'.repeat(3000)}`;
    const events = await echo(`ws://127.0.0.1:${server.port}/`, { compress }, message);
    return {
      offer: server.requests[0]!.headers['sec-websocket-extensions'] as string,
      answer: readyOf(events).response.get('sec-websocket-extensions'),
      ok: textOf(events) === message,
    };
  } finally {
    await server.close();
  }
}

describe('compression tuning against the ws server (RFC 7692 §7.1)', () => {
  it('offers what is asked, and ws answers it', async () => {
    expect(await deflateRoundTrip({ serverMaxWindowBits: 10 })).toEqual({
      offer: 'permessage-deflate; server_max_window_bits=10; client_max_window_bits',
      answer: 'permessage-deflate; server_max_window_bits=10',
      ok: true,
    });
    expect(await deflateRoundTrip({ clientMaxWindowBits: 9, serverNoContextTakeover: true, clientNoContextTakeover: true })).toEqual({
      offer: 'permessage-deflate; server_no_context_takeover; client_no_context_takeover; client_max_window_bits=9',
      answer: 'permessage-deflate; server_no_context_takeover; client_no_context_takeover; client_max_window_bits=9',
      ok: true,
    });
    expect(await deflateRoundTrip({ clientMaxWindowBits: 8, serverMaxWindowBits: 8, level: 9, memLevel: 1 })).toMatchObject({ ok: true });
  });

  it('takes the window the server picks for us when the offer has client_max_window_bits without a value', async () => {
    expect(await deflateRoundTrip({}, { clientMaxWindowBits: 11 })).toEqual({
      offer: 'permessage-deflate; client_max_window_bits',
      answer: 'permessage-deflate; client_max_window_bits=11',
      ok: true,
    });
  });

  it('refuses bad compress options at the call', () => {
    expect(() => new WebSocket('ws://x/', { compress: { level: 10 } })).toThrow(new RangeError('compress.level must be an integer >= 0 and <= 9, got 10'));
    expect(() => new WebSocket('ws://x/', { compress: { serverMaxWindowBits: 16 } })).toThrow(RangeError);
    expect(() => new WebSocket('ws://x/', { compress: { windowBits: 9 } as never })).toThrow(new TypeError('unknown compress option "windowBits"'));
    expect(() => new WebSocket('ws://x/', { compress: 'yes' as never })).toThrow(new TypeError('compress must be a boolean or an object, got string'));
  });
});

describe('compression threshold, level and memLevel reach our deflater', () => {
  /** A server that accepts permessage-deflate and records the client's frames. */
  async function frameRecorder(extensions = 'permessage-deflate'): Promise<{ port: number; frames: ClientFrame[]; next(): Promise<ClientFrame>; close(): Promise<void> }> {
    const frames: ClientFrame[] = [];
    const waiting: Array<(frame: ClientFrame) => void> = [];
    const sockets = new Set<Socket>();
    const server = createNetServer((socket) => {
      sockets.add(socket);
      socket.on('error', () => undefined);
      let head = '';
      const reader = new ClientFrameReader();
      const onData = (chunk: Buffer): void => {
        if (head.endsWith('\r\n\r\n')) {
          for (const frame of reader.push(chunk)) {
            frames.push(frame);
            waiting.shift()?.(frame);
          }
          return;
        }
        head += chunk.toString('latin1');
        const end = head.indexOf('\r\n\r\n');
        if (end < 0) return;
        const key = /^sec-websocket-key: *(\S+)/im.exec(head)![1]!;
        const accept = createHash('sha1').update(`${key}258EAFA5-E914-47DA-95CA-C5AB0DC85B11`).digest('base64');
        socket.write(`HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${accept}\r\nSec-WebSocket-Extensions: ${extensions}\r\n\r\n`);
        head = head.slice(0, end + 4);
      };
      socket.on('data', onData);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return {
      port: (server.address() as AddressInfo).port,
      frames,
      next: () => new Promise((resolve) => waiting.push(resolve)),
      close: async () => {
        for (const socket of sockets) socket.destroy();
        await new Promise<void>((resolve) => server.close(() => resolve()));
      },
    };
  }

  it.each([
    { compress: { threshold: 0 }, size: 2, compressed: true },
    { compress: true, size: 1023, compressed: false },
    { compress: true, size: 1024, compressed: true },
    { compress: { threshold: 5000 }, size: 4999, compressed: false },
    { compress: { threshold: 5000 }, size: 5000, compressed: true },
  ])('compress $compress: a message of $size bytes compressed (RSV1): $compressed', async ({ compress, size, compressed }) => {
    const message = 'x'.repeat(size);
    const server = await frameRecorder();
    const ws = new WebSocket(`ws://127.0.0.1:${server.port}/`, { compress });
    const first = server.next();
    const subscription = ws.connect$(SESSION).subscribe((event) => event.name === 'ready' && ws.sendText(message));
    try {
      expect((await first).rsv1).toBe(compressed);
    } finally {
      subscription.unsubscribe();
      await server.close();
    }
  });

  it.each([
    [{ serverNoContextTakeover: true }, 'permessage-deflate', 'missing server_no_context_takeover (requested)'],
    [{ serverMaxWindowBits: 10 }, 'permessage-deflate; server_max_window_bits=12', 'invalid server_max_window_bits 12 (requested 10)'],
    [{ clientMaxWindowBits: false }, 'permessage-deflate; client_max_window_bits=10', 'unexpected client_max_window_bits (not offered)'],
    [{ clientMaxWindowBits: 10 }, 'permessage-deflate; client_max_window_bits=12', 'invalid client_max_window_bits 12 (offered 10)'],
  ])('compress %j: the answer %j is checked against the offer and rejected', async (compress, answer, reason) => {
    const server = await frameRecorder(answer);
    try {
      const events = await echo(`ws://127.0.0.1:${server.port}/`, { compress });
      expect(events.map((e) => e.name)).toEqual(['connecting', 'connected', 'rejected', 'disconnected']);
      expect(events[2]).toMatchObject({ reason });
    } finally {
      await server.close();
    }
  });

  it('level 0 stores, level 9 compresses best; memLevel 1 still compresses (payload sizes of one message)', async () => {
    const message = Array.from({ length: 4000 }, (_, i) => `item ${i % 97};`).join('');
    const sizeWith = async (compress: object): Promise<number> => {
      const server = await frameRecorder();
      const ws = new WebSocket(`ws://127.0.0.1:${server.port}/`, { compress });
      const first = server.next();
      const subscription = ws.connect$(SESSION).subscribe((event) => event.name === 'ready' && ws.sendText(message));
      try {
        const frame = await first;
        expect(frame.rsv1).toBe(true);
        return frame.payload.length;
      } finally {
        subscription.unsubscribe();
        await server.close();
      }
    };
    const stored = await sizeWith({ level: 0 });
    const best = await sizeWith({ level: 9 });
    const lowMemory = await sizeWith({ level: 9, memLevel: 1 });
    expect(stored).toBeGreaterThan(message.length);
    expect(best).toBeLessThan(message.length / 4);
    expect(lowMemory).toBeLessThan(stored);
  });
});
