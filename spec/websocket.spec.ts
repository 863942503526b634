/**
 * The WebSocket object: sending, closing, state errors, a single live
 * connection, unsubscribe semantics — in virtual time.
 */
import { filter, tap } from 'rxjs';
import { WebSocket } from '../lib/websocket.js';
import type { WebSocketEvent } from '../lib/events/events.js';
import { Opcode } from '../lib/core/opcode.js';
import {
  WebSocketClosedError,
  WebSocketClosingError,
  WebSocketUnavailableError,
} from '../lib/core/errors.js';
import { createTestServer, type TestServer } from '../lib/testing.js';
import { NAMES, names, newScheduler } from './helpers/marbles.js';

const URL = 'ws://example.test/';

describe('WebSocket', () => {
  it('client close: closed → disconnected(graceful) once the server answers', () => {
    const scheduler = newScheduler();
    let server!: TestServer;
    const seen: WebSocketEvent[] = [];
    const ws = new WebSocket(URL, {});
    scheduler.run(({ expectObservable }) => {
      server = createTestServer(scheduler);
      const ws2 = new WebSocket(URL, { transport: server.transport });
      server.at(100, () => ws2.close(1000, 'done'));
      const events$ = ws2.connect$({ scheduler, pingRate: 0, poll: 60000 }).pipe(tap((e) => seen.push(e)));
      expectObservable(names(events$)).toBe('(abrp) 94ms (cd|)', NAMES);
      void ws;
    });
    expect(seen[4]).toMatchObject({ name: 'closed', code: 1000, reason: 'done' });
    expect(seen[5]).toMatchObject({ name: 'disconnected', graceful: true, reason: 'closed' });
    expect(server.current.clientCloseCode).toBe(1000);
  });

  it('client close: disconnected(graceful=false) after closeTimeout when the server never answers', () => {
    const scheduler = newScheduler();
    const seen: WebSocketEvent[] = [];
    let ws!: WebSocket;
    scheduler.run(({ expectObservable }) => {
      const server = createTestServer(scheduler, { autoClose: false });
      ws = new WebSocket(URL, { transport: server.transport });
      server.at(100, () => ws.close());
      const events$ = ws.connect$({ scheduler, pingRate: 0, poll: 60000, closeTimeout: 2000 }).pipe(tap((e) => seen.push(e)));
      expectObservable(names(events$)).toBe('(abrp) 2094ms (d|)', NAMES);
    });
    expect(seen.at(-1)).toMatchObject({ name: 'disconnected', graceful: false, reason: 'close timeout' });
    expect(ws.sentCloseTime).toBe(100);
    expect(ws.isClosed).toBe(true);
  });

  it('lets the app send from its closing handler before the close is echoed', () => {
    const scheduler = newScheduler();
    let server!: TestServer;
    scheduler.run(({ expectObservable }) => {
      server = createTestServer(scheduler);
      const ws = new WebSocket(URL, { transport: server.transport });
      server.at(10, () => server.sendClose(1001, 'restart'));
      const events$ = ws.connect$({ scheduler, pingRate: 0, poll: 60000 }).pipe(
        tap((e) => {
          if (e.name === 'closing') ws.sendText('last words');
        }),
      );
      expectObservable(names(events$)).toBe('(abrp) 4ms (gcd|)', NAMES);
    });
    const opcodes = server.current.frames.map((f) => f.opcode);
    expect(opcodes).toEqual([Opcode.TEXT, Opcode.CLOSE]);
    expect(server.current.texts).toEqual(['last words']);
    expect(server.current.clientCloseCode).toBe(1001);
  });

  it('forceDisconnect ends the stream with disconnected(graceful=false) and never throws', () => {
    const scheduler = newScheduler();
    const seen: WebSocketEvent[] = [];
    scheduler.run(({ expectObservable }) => {
      const server = createTestServer(scheduler);
      const ws = new WebSocket(URL, { transport: server.transport });
      expect(() => ws.forceDisconnect()).not.toThrow();
      server.at(30, () => ws.forceDisconnect());
      expectObservable(names(ws.connect$({ scheduler, pingRate: 0, poll: 60000 }).pipe(tap((e) => seen.push(e))))).toBe('(abrp) 24ms (d|)', NAMES);
    });
    expect(seen.at(-1)).toMatchObject({ name: 'disconnected', graceful: false });
  });

  it('unsubscribing from a live connection sends close 1001 and finishes the handshake in the background', () => {
    const scheduler = newScheduler();
    let server!: TestServer;
    scheduler.run(({ expectObservable }) => {
      server = createTestServer(scheduler, { autoClose: false });
      const ws = new WebSocket(URL, { transport: server.transport });
      expectObservable(names(ws.connect$({ scheduler, pingRate: 0, poll: 60000, closeTimeout: 500 })), '^ 20ms !').toBe('(abrp)', NAMES);
      server.at(25, () => expect(server.current.clientClosed).toBe(false));
      server.at(600, () => expect(server.current.clientClosed).toBe(true));
    });
    expect(server.current.clientCloseCode).toBe(1001);
    expect(server.current.frames.find((f) => f.opcode === Opcode.CLOSE)?.time).toBe(21); // '^ 20ms !' unsubscribes at frame 21
  });

  it('unsubscribing while connecting destroys the transport at once', () => {
    const scheduler = newScheduler();
    let server!: TestServer;
    scheduler.run(({ expectObservable }) => {
      server = createTestServer(scheduler, { autoAccept: false });
      const ws = new WebSocket(URL, { transport: server.transport });
      expectObservable(names(ws.connect$({ scheduler })), '^ 5ms !').toBe('(ab)', NAMES);
    });
    expect(server.current.clientClosed).toBe(true);
    expect(server.current.frames).toEqual([]);
  });

  it('throws the SPEC errors when sending in the wrong state', () => {
    const scheduler = newScheduler();
    const ws = new WebSocket(URL);
    expect(() => ws.sendText('x')).toThrow(WebSocketUnavailableError);
    scheduler.run(() => {
      const server = createTestServer(scheduler, { autoClose: false });
      const live = new WebSocket(URL, { transport: server.transport });
      live.connect$({ scheduler, pingRate: 0, poll: 60000, closeTimeout: 100 }).subscribe();
      server.at(10, () => {
        expect(live.isActive).toBe(true);
        expect(() => live.sendText(42 as unknown as string)).toThrow(TypeError);
        expect(() => live.sendPing(new Uint8Array(126))).toThrow(RangeError);
        expect(() => live.close(1005)).toThrow(RangeError);
        expect(() => live.close(1000, 'x'.repeat(124))).toThrow(RangeError);
        live.close();
        expect(live.isClosing).toBe(true);
        expect(() => live.sendText('x')).toThrow(WebSocketClosingError);
      });
      server.at(200, () => {
        expect(live.isClosed).toBe(true);
        expect(() => live.sendText('x')).toThrow(WebSocketClosedError);
        expect(() => live.sendText('x')).toThrow(WebSocketUnavailableError);
      });
    });
  });

  it('allows one live connection per object', () => {
    const scheduler = newScheduler();
    scheduler.run(() => {
      const server = createTestServer(scheduler);
      const ws = new WebSocket(URL, { transport: server.transport });
      const first = ws.connect$({ scheduler, pingRate: 0 }).subscribe();
      let error: unknown;
      ws.connect$({ scheduler }).subscribe({ error: (e) => (error = e) });
      expect(error).toBeInstanceOf(WebSocketUnavailableError);
      expect((error as Error).message).toBe('websocket already has a live connection');
      first.unsubscribe();
      let second: unknown = 'none';
      ws.connect$({ scheduler, pingRate: 0 }).subscribe({ error: (e) => (second = e) }).unsubscribe();
      expect(second).toBe('none');
    });
  });

  it('frees the live slot when a session ends; an invalid header is refused at addHeader, before any session', () => {
    const scheduler = newScheduler();
    scheduler.run(({ flush }) => {
      const server = createTestServer(scheduler);
      const ws = new WebSocket(URL, { transport: server.transport });
      server.at(10, () => ws.forceDisconnect());
      const ends: string[] = [];
      ws.connect$({ scheduler, pingRate: 0, poll: 60000 }).subscribe({ complete: () => ends.push('first done') });
      flush();
      expect(() => ws.addHeader('X-Bad', 'line\r\nbreak')).toThrow(new TypeError('invalid header value for x-bad: "line\\r\\nbreak"'));
      // The first session ended (forceDisconnect): a second one may start.
      const seen: string[] = [];
      server.at(10, () => ws.forceDisconnect());
      ws.connect$({ scheduler, pingRate: 0, poll: 60000 }).subscribe({ next: (e) => seen.push(e.name), error: (e: Error) => seen.push(e.message) });
      flush();
      expect(ends).toEqual(['first done']);
      expect(seen).toEqual(['connecting', 'connected', 'ready', 'poll', 'disconnected']);
      expect(server.current.requestHeader('x-bad')).toBeUndefined();
    });
  });

  it('sends text, binary, JSON, ping and pong frames masked', () => {
    const scheduler = newScheduler();
    let server!: TestServer;
    scheduler.run(() => {
      server = createTestServer(scheduler);
      const ws = new WebSocket(URL, { transport: server.transport });
      ws.connect$({ scheduler, pingRate: 0, poll: 60000 })
        .pipe(filter((e) => e.name === 'ready'))
        .subscribe(() => {
          ws.sendText('hi');
          ws.sendBinary(new Uint8Array([9, 8]));
          ws.sendJson({ a: 1 });
          ws.sendPing('p');
          ws.sendPong();
          ws.forceDisconnect();
        });
    });
    const frames = server.current.frames;
    expect(frames.map((f) => f.opcode)).toEqual([Opcode.TEXT, Opcode.BINARY, Opcode.TEXT, Opcode.PING, Opcode.PONG]);
    expect(frames.every((f) => f.masked)).toBe(true);
    expect(server.current.texts).toEqual(['hi', '{"a":1}']);
    expect(Array.from(frames[1]!.payload)).toEqual([9, 8]);
  });

  it('rejects invalid options and URLs with TypeError/RangeError', () => {
    expect(() => new WebSocket('http://x/' as string, { maxPayload: -1 })).toThrow();
    expect(() => new WebSocket('ws://x/', { maxPayload: -1 })).toThrow(RangeError);
    expect(() => new WebSocket('ws://x/', { compress: 'yes' as unknown as boolean })).toThrow(TypeError);
    expect(() => new WebSocket('ws://x/').connect$({ pingRate: -5 })).toThrow(RangeError);
    expect(() => new WebSocket('not a url')).toThrow(TypeError);
  });
});
