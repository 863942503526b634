/**
 * RFC 8441 end to end against a local node:http2 server on 127.0.0.1 with a
 * small RFC 6455 echo on each stream (spec/helpers/h2-server.ts): the
 * handshake, echo up to 16 MiB, permessage-deflate, sharing one session,
 * SETTINGS_MAX_CONCURRENT_STREAMS, the idle close, rejections.
 */
import { randomBytes } from 'node:crypto';
import { isBinary, isClosed, isDisconnected, isReady, isRejected, type Binary, type Ready, type Text } from '../../lib/index.js';
import { sessionPool } from '../../lib/transports/http2-session-pool.js';
import { IDLE_GRACE_MS } from '../../lib/transports/http2-pooled-session.js';
import { SESSION_WINDOW, STREAM_WINDOW } from '../../lib/transports/http2-dial.js';
import { startH2Server, type LocalH2Server } from '../helpers/h2-server.js';
import { names, nextMessage, open, type Live } from '../helpers/h2-client.js';

/** Resolves once `condition` holds, checked after each turn of the event loop (no fixed sleep). */
const until = (condition: () => boolean): Promise<void> =>
  new Promise((resolve) => {
    const check = (): void => (condition() ? resolve() : void setImmediate(check));
    check();
  });

describe('WebSockets over HTTP/2 (RFC 8441) against node:http2', () => {
  let server: LocalH2Server;
  const lives: Live[] = [];
  const connect = (options: Parameters<typeof open>[1] = {}, url = server.url): Live => {
    const live = open(url, { tls: { ca: server.ca }, ...options });
    lives.push(live);
    return live;
  };
  afterEach(async () => {
    for (const live of lives.splice(0)) live.subscription.unsubscribe();
    await server?.close();
  });

  describe('the handshake (RFC 8441 §4–5)', () => {
    it('sends an extended CONNECT with lower-case headers, no key, upgrade or connection, and is ready on :status 200', async () => {
      server = await startH2Server();
      const live = connect({ protocols: ['chat', 'superchat'], headers: { 'X-Custom': 'a', Origin: 'https://example.org' } });
      const ready = (await live.next(isReady)) as Ready;
      expect(ready.response.httpVersion).toBe('2');
      expect(ready.response.statusCode).toBe(200);
      expect(ready.response.status).toBe('OK');
      expect(ready.protocol).toBe('chat');
      const request = server.requests[0]!;
      expect(request).toMatchObject({
        ':method': 'CONNECT',
        ':protocol': 'websocket',
        ':scheme': 'https',
        ':path': '/',
        ':authority': `127.0.0.1:${server.port}`,
        'sec-websocket-version': '13',
        'sec-websocket-protocol': 'chat, superchat',
        'x-custom': 'a',
        origin: 'https://example.org',
      });
      for (const dropped of ['host', 'upgrade', 'connection', 'sec-websocket-key']) expect(request[dropped]).toBeUndefined();
      expect(names(live).slice(0, 3)).toEqual(['connecting', 'connected', 'ready']);
    });

    it('drain$() completes once the stream handed everything to the session, and bufferedAmount is then 0', async () => {
      server = await startH2Server();
      const live = connect();
      await live.next(isReady);
      for (let i = 0; i < 40; i++) live.ws.sendBinary(randomBytes(64 * 1024));
      expect(live.ws.bufferedAmount).toBeGreaterThan(0);
      await new Promise<void>((resolve, reject) => live.ws.drain$().subscribe({ complete: resolve, error: reject }));
      expect(live.ws.bufferedAmount).toBe(0);
    });

    it('is rejected with the response on any other status, and the session stays for others', async () => {
      server = await startH2Server();
      const first = connect();
      await first.next(isReady);
      server.handle((stream) => {
        stream.respond({ ':status': '403', 'retry-after': '7' });
        stream.end('go away');
      });
      const refused = connect();
      const rejected = await refused.next(isRejected);
      expect(rejected.reason).toBe('expected status 200, got 403 Forbidden');
      expect(rejected.response).toMatchObject({ statusCode: 403, httpVersion: '2' });
      expect(rejected.response.get('retry-after')).toBe('7');
      expect(Buffer.from(rejected.body).toString()).toBe('go away');
      await refused.done;
      expect(names(refused)).toEqual(['connecting', 'connected', 'rejected', 'disconnected']);
      first.ws.sendText('still here');
      expect(((await nextMessage(first)) as Text).text).toBe('still here');
      expect(server.connections).toBe(1);
    });

    it('is rejected when the server selects a subprotocol that was not offered', async () => {
      server = await startH2Server();
      server.handle((stream) => stream.respond({ ':status': '200', 'sec-websocket-protocol': 'other' }));
      const live = connect({ protocols: ['chat'] });
      expect((await live.next(isRejected)).reason).toBe('unexpected protocol other');
    });
  });

  describe('messages over the stream', () => {
    it('echoes text and binary messages of every size up to 16 MiB', async () => {
      server = await startH2Server();
      const live = connect({ maxMessageSize: 32 * 1024 * 1024 });
      await live.next(isReady);
      live.ws.sendText('héllo');
      expect(((await nextMessage(live)) as Text).text).toBe('héllo');
      for (const size of [0, 125, 126, 65535, 65536, 1024 * 1024 + 3, 16 * 1024 * 1024]) {
        const data = randomBytes(size);
        live.ws.sendBinary(data);
        const echoed = (await nextMessage(live)) as Binary;
        expect(echoed.name).toBe('binary');
        expect(Buffer.compare(Buffer.from(echoed.data), data)).toBe(0);
      }
      const text = 'ä'.repeat(8 * 1024 * 1024);
      live.ws.sendText(text);
      expect(((await nextMessage(live)) as Text).text === text).toBe(true);
      expect(server.echoes[0]!.unmasked).toBe(false);
    }, 60_000);

    it('negotiates permessage-deflate and inflates and deflates over the stream', async () => {
      server = await startH2Server({ deflate: true });
      const live = connect({ compress: true });
      const ready = (await live.next(isReady)) as Ready;
      expect([...ready.extensions]).toEqual(['permessage-deflate']);
      const json = JSON.stringify({ prices: Array.from({ length: 2000 }, (_, i) => ({ symbol: `S${i}`, bid: i / 3 })) });
      live.ws.sendText(json);
      expect(((await nextMessage(live)) as Text).text).toBe(json);
      expect(server.echoes[0]!.messages[0]).toEqual({ opcode: 1, size: Buffer.byteLength(json) });
    });

    it('completes the close handshake: closed, then disconnected(graceful=true) at the END_STREAM', async () => {
      server = await startH2Server();
      const live = connect();
      await live.next(isReady);
      live.ws.close(1000, 'bye');
      const end = await live.next(isDisconnected);
      expect(end.graceful).toBe(true);
      expect(names(live).slice(-2)).toEqual(['closed', 'disconnected']);
      expect(server.echoes[0]!.closeCode).toBe(1000);
    });
  });

  describe('sharing sessions', () => {
    it('runs 200 WebSockets over one TCP connection, each echoing its own messages', async () => {
      server = await startH2Server();
      const all = Array.from({ length: 200 }, () => connect());
      await Promise.all(all.map((live) => live.next(isReady)));
      expect(server.connections).toBe(1);
      expect(server.sessions.size).toBe(1);
      const echoes = all.map((live, i) => {
        const message = nextMessage(live);
        live.ws.sendText(`socket ${i}`);
        return message;
      });
      expect(((await Promise.all(echoes)) as Text[]).map((event) => event.text)).toEqual(all.map((_, i) => `socket ${i}`));
    }, 60_000);

    it('opens a second session once the first is at the server\'s SETTINGS_MAX_CONCURRENT_STREAMS', async () => {
      server = await startH2Server({ settings: { maxConcurrentStreams: 3 } });
      const all = Array.from({ length: 7 }, () => connect());
      await Promise.all(all.map((live) => live.next(isReady)));
      expect(server.connections).toBe(3);
      const perSession = new Map<unknown, number>();
      for (const stream of server.streams) perSession.set(stream.session, (perSession.get(stream.session) ?? 0) + 1);
      expect([...perSession.values()].sort()).toEqual([1, 3, 3]);
    });

    it('closes the session after the grace period once its last WebSocket ended', async () => {
      server = await startH2Server();
      const one = connect();
      const two = connect();
      await Promise.all([one.next(isReady), two.next(isReady)]);
      one.ws.close();
      await one.next(isClosed);
      expect(server.sessions.size).toBe(1);
      two.ws.close();
      await two.next(isClosed);
      const started = Date.now();
      await new Promise<void>((resolve) => [...server.sessions][0]!.once('close', resolve));
      expect(Date.now() - started).toBeGreaterThanOrEqual(IDLE_GRACE_MS - 100);
      expect(sessionPool.sessionCount).toBe(0);
    });

    it('reuses an idle session for the next WebSocket within the grace period', async () => {
      server = await startH2Server();
      const one = connect();
      await one.next(isReady);
      one.ws.close();
      await one.next(isDisconnected);
      const two = connect();
      await two.next(isReady);
      expect(server.connections).toBe(1);
    });

    it('gives each TLS configuration its own session', async () => {
      server = await startH2Server();
      const one = connect();
      const two = connect({ tls: { ca: server.ca, servername: 'localhost' } });
      const three = connect({ tls: { ca: Buffer.from(server.ca) } });
      await Promise.all([one.next(isReady), two.next(isReady), three.next(isReady)]);
      // A CA given as a string and as the same bytes in a Buffer are different option values.
      expect(server.connections).toBe(3);
      const four = connect({ tls: { ca: server.ca } });
      await four.next(isReady);
      expect(server.connections).toBe(3);
    });
  });

  describe('bounded buffering (RFC 9113 §6.9 flow control)', () => {
    it('counts bytes held back by the server\'s window in bufferedAmount, and drains when it reads', async () => {
      server = await startH2Server();
      let serverStream: import('node:http2').ServerHttp2Stream | null = null;
      server.handle((stream) => {
        serverStream = stream;
        stream.respond({ ':status': '200' });
        stream.pause();
      });
      const live = connect();
      await live.next(isReady);
      live.ws.sendBinary(new Uint8Array(4 * 1024 * 1024));
      await new Promise((resolve) => setTimeout(resolve, 0));
      // The server reads nothing: at most its 64 KiB initial window left the client.
      expect(live.ws.bufferedAmount).toBeGreaterThan(4 * 1024 * 1024 - 128 * 1024);
      let received = 0;
      serverStream!.on('data', (chunk: Buffer) => (received += chunk.length));
      serverStream!.resume();
      await until(() => received >= 4 * 1024 * 1024 + 14);
      await until(() => live.ws.bufferedAmount === 0);
      expect(received).toBe(4 * 1024 * 1024 + 14);
    });

    it('stops the server once a paused WebSocket holds a window of unread bytes', async () => {
      server = await startH2Server();
      let serverStream: import('node:http2').ServerHttp2Stream | null = null;
      server.handle((stream) => {
        serverStream = stream;
        stream.respond({ ':status': '200' });
      });
      const live = connect();
      await live.next(isReady);
      live.ws.pause();
      const frame = Buffer.alloc(64 * 1024 + 4);
      frame[0] = 0x82;
      frame[1] = 127;
      frame.writeBigUInt64BE(BigInt(64 * 1024 - 6), 2);
      for (let i = 0; i < 64; i++) serverStream!.write(frame);
      const offered = 64 * frame.length;
      // What the server sent so far: the client's session window (SESSION_WINDOW) minus what is left of it.
      const sent = (): number => SESSION_WINDOW - serverStream!.session!.state.remoteWindowSize!;
      // Wait until the client's 1 MiB stream window went out, then for two PING round trips: a WINDOW_UPDATE
      // the client sent would have come before its PING ACK.
      await until(() => sent() >= STREAM_WINDOW);
      const ping = (): Promise<void> => new Promise((resolve) => serverStream!.session!.ping(() => resolve()));
      await ping();
      await ping();
      // 4 MiB offered; the paused client took its stream window, not a byte more.
      expect(sent()).toBe(STREAM_WINDOW);
      expect(serverStream!.writableLength).toBeGreaterThan(offered - STREAM_WINDOW - frame.length);
      live.ws.resume();
      await live.next((event) => event.name === 'binary' && live.events.filter(isBinary).length === 64);
    });
  });
});
