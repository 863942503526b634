/** @test {multiplex} — topics over one shared connection, in virtual time with lomond/testing's server. */
import { map, share, type Observable } from 'rxjs';
import type { TestScheduler } from 'rxjs/testing';
import { multiplex, type MultiplexOptions, type MultiplexSender } from '../../lib/operators/multiplex.js';
import { persist } from '../../lib/operators/persist.js';
import { json } from '../../lib/operators/json.js';
import { isText } from '../../lib/events/guards.js';
import { events, type WebSocketEvent } from '../../lib/events/events.js';
import { Opcode } from '../../lib/core/opcode.js';
import { Response } from '../../lib/core/response.js';
import { WebSocketClosingError } from '../../lib/core/errors.js';
import { WebSocket } from '../../lib/websocket.js';
import { WebSocket as BrowserWebSocket } from '../../lib/browser/websocket.js';
import { createTestServer, installTestWebSocket, type TestServer } from '../../lib/testing.js';
import { newScheduler } from '../helpers/marbles.js';

const URL = 'ws://feed.test/';
const session = { pingRate: 0, poll: 1_000_000 };

/** A topic of the feed: its messages start with the symbol. */
function topic(symbol: string): MultiplexOptions {
  return {
    subscribe: () => ({ op: 'subscribe', symbol }),
    unsubscribe: () => ({ op: 'unsubscribe', symbol }),
    filter: (e) => isText(e) && e.text.startsWith(`${symbol} `),
  };
}

const texts = (events$: Observable<WebSocketEvent>): Observable<string> => events$.pipe(map((e) => (isText(e) ? e.text : e.name)));

/** One WebSocket over the test server, its shared event stream (persist + share) and the server. */
function feed(scheduler: TestScheduler): { server: TestServer; ws: WebSocket; events$: Observable<WebSocketEvent> } {
  const server = createTestServer(scheduler);
  const ws = new WebSocket(URL, { transport: server.transport });
  const events$ = ws.connect$({ scheduler, ...session }).pipe(persist({ scheduler, random: () => 0.5, minWait: 1000 }), share());
  return { server, ws, events$ };
}

/** Text frames the client sent on each connection, with the virtual time they arrived. */
const sent = (server: TestServer): Array<Array<[number, string]>> =>
  server.connections.map((c) => c.frames.filter((f) => f.opcode === Opcode.TEXT).map((f) => [f.time, new TextDecoder().decode(f.payload)]));

describe('multiplex', () => {
  it('sends the subscribe message at ready, passes the events its filter accepts, and unsubscribes when the subscriber leaves', () => {
    const scheduler = newScheduler();
    let server!: TestServer;
    scheduler.run(({ expectObservable }) => {
      const f = feed(scheduler);
      server = f.server;
      const btc$ = f.events$.pipe(multiplex(f.ws, topic('BTC')));
      server.at(10, () => server.sendText('BTC 1'));
      server.at(11, () => server.sendText('ETH 1'));
      server.at(12, () => server.sendText('BTC 2'));
      expectObservable(texts(btc$), '^ 20ms !').toBe('10ms a 1ms b', { a: 'BTC 1', b: 'BTC 2' });
    });
    expect(sent(server)).toEqual([
      [
        [0, '{"op":"subscribe","symbol":"BTC"}'],
        [21, '{"op":"unsubscribe","symbol":"BTC"}'],
      ],
    ]);
    // The last topic left, so the shared connection closed after the unsubscribe message: 1001, going away.
    expect(server.connections[0]!.clientCloseCode).toBe(1001);
  });

  it('shares one topic among its subscribers: one subscribe message for the first, one unsubscribe after the last', () => {
    const scheduler = newScheduler();
    let server!: TestServer;
    scheduler.run(({ expectObservable }) => {
      const f = feed(scheduler);
      server = f.server;
      const btc$ = f.events$.pipe(multiplex(f.ws, topic('BTC')));
      server.at(5, () => server.sendText('BTC 1'));
      server.at(15, () => server.sendText('BTC 2'));
      server.at(25, () => server.sendText('BTC 3'));
      // The second subscriber joins at 10 and leaves at 30, after the first (gone at 20).
      expectObservable(texts(btc$), '^ 19ms !').toBe('5ms a 9ms b', { a: 'BTC 1', b: 'BTC 2' });
      expectObservable(texts(btc$), '10ms ^ 19ms !').toBe('15ms b 9ms c', { b: 'BTC 2', c: 'BTC 3' });
    });
    expect(sent(server)).toEqual([
      [
        [0, '{"op":"subscribe","symbol":"BTC"}'],
        [30, '{"op":"unsubscribe","symbol":"BTC"}'],
      ],
    ]);
  });

  it('sends the subscribe message again after every reconnect', () => {
    const scheduler = newScheduler();
    let server!: TestServer;
    scheduler.run(({ expectObservable }) => {
      const f = feed(scheduler);
      server = f.server;
      const btc$ = f.events$.pipe(multiplex(f.ws, topic('BTC')));
      server.at(10, () => server.drop()); // persist waits 1500 ms (minWait 1000, random 0.5), reconnects at 1510
      server.at(1600, () => server.sendText('BTC 9'));
      server.at(2000, () => server.drop()); // again: reconnects at 3500
      expectObservable(texts(btc$), '^ 4000ms !').toBe('1600ms a', { a: 'BTC 9' });
    });
    const subscribe = '{"op":"subscribe","symbol":"BTC"}';
    expect(sent(server)).toEqual([[[0, subscribe]], [[1510, subscribe]], [[3500, subscribe], [4001, '{"op":"unsubscribe","symbol":"BTC"}']]]);
  });

  it('subscribes at once when it joins a connection another topic already opened', () => {
    const scheduler = newScheduler();
    let server!: TestServer;
    scheduler.run(({ expectObservable }) => {
      const f = feed(scheduler);
      server = f.server;
      server.at(30, () => server.sendText('ETH 1'));
      expectObservable(texts(f.events$.pipe(multiplex(f.ws, topic('BTC')))), '^ 40ms !').toBe('');
      expectObservable(texts(f.events$.pipe(multiplex(f.ws, topic('ETH')))), '20ms ^ 30ms !').toBe('30ms a', { a: 'ETH 1' });
    });
    expect(sent(server)).toEqual([
      [
        [0, '{"op":"subscribe","symbol":"BTC"}'],
        [20, '{"op":"subscribe","symbol":"ETH"}'],
        [41, '{"op":"unsubscribe","symbol":"BTC"}'],
        [51, '{"op":"unsubscribe","symbol":"ETH"}'],
      ],
    ]);
  });

  it('sends no unsubscribe message when the last subscriber leaves while the connection is down', () => {
    const scheduler = newScheduler();
    let server!: TestServer;
    scheduler.run(({ expectObservable }) => {
      const f = feed(scheduler);
      server = f.server;
      server.at(10, () => server.drop());
      // Leaves during persist's wait (10 → 1510): no connection, nothing to unsubscribe from.
      expectObservable(texts(f.events$.pipe(multiplex(f.ws, topic('BTC')))), '^ 100ms !').toBe('');
    });
    expect(sent(server)).toEqual([[[0, '{"op":"subscribe","symbol":"BTC"}']]]);
    expect(server.connections).toHaveLength(1); // and persist opened no new connection
  });

  it('leaves the source as its subscribers come and go, and passes its completion and errors', () => {
    const scheduler = newScheduler();
    const ws: MultiplexSender = { isActive: false, sendText: () => undefined, sendBinary: () => undefined };
    scheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
      const source = cold<WebSocketEvent>('-t-t-|', { t: events.text('BTC 1', 0) });
      expectObservable(source.pipe(multiplex(ws, topic('BTC'))).pipe(map((e) => e.name))).toBe('-t-t-|', { t: 'text' });
      expectSubscriptions(source.subscriptions).toBe('^----!');
      const failing = cold<WebSocketEvent>('-t-#', { t: events.text('BTC 1', 0) }, new Error('boom'));
      expectObservable(failing.pipe(multiplex(ws, topic('BTC'))).pipe(map((e) => e.name))).toBe('-t-#', { t: 'text' }, new Error('boom'));
      const endless = cold<WebSocketEvent>('-t-t-t-');
      const shared$ = endless.pipe(multiplex(ws, topic('BTC')));
      expectObservable(shared$, '^--!').toBe('---');
      expectObservable(shared$, '-^---!').toBe('-----');
      // One subscription to the source for both, from the first subscriber's arrival to the last one's exit.
      expectSubscriptions(endless.subscriptions).toBe('^----!');
    });
  });

  it('sends strings and bytes as they are, other values as JSON, and nothing for undefined', () => {
    const scheduler = newScheduler();
    const frames: Array<{ opcode: number; payload: string }> = [];
    scheduler.run(() => {
      const f = feed(scheduler);
      const sub = (subscribe: () => unknown, unsubscribe?: () => unknown): void => {
        const s = f.events$.pipe(multiplex(f.ws, { subscribe, unsubscribe, filter: () => false })).subscribe();
        f.server.at(5, () => s.unsubscribe());
      };
      sub(() => 'raw text', () => undefined);
      sub(() => Uint8Array.of(1, 2), () => 42);
      sub(() => undefined, () => [1, 'two']);
      f.server.at(6, () => {
        for (const frame of f.server.current.frames) frames.push({ opcode: frame.opcode, payload: Buffer.from(frame.payload).toString('latin1') });
      });
    });
    expect(frames).toEqual([
      { opcode: Opcode.TEXT, payload: 'raw text' },
      { opcode: Opcode.BINARY, payload: '\x01\x02' },
      { opcode: Opcode.TEXT, payload: '42' },
      { opcode: Opcode.TEXT, payload: '[1,"two"]' },
      { opcode: Opcode.CLOSE, payload: '\x03\xe9going away' },
    ]);
  });

  it('narrows the events with a type guard, so json() and isText chains type-check', () => {
    const scheduler = newScheduler();
    scheduler.run(({ expectObservable }) => {
      const f = feed(scheduler);
      const prices$ = f.events$.pipe(
        multiplex(f.ws, { subscribe: () => 'sub BTC', filter: isText }),
        map((e) => e.text), // e is Text
      );
      f.server.at(3, () => f.server.sendText('{"price":1}'));
      expectObservable(prices$.pipe(map((text) => JSON.parse(text) as { price: number })), '^ 5ms !').toBe('3ms a', { a: { price: 1 } });
      expectObservable(f.events$.pipe(multiplex(f.ws, { subscribe: () => undefined, filter: isText }), json()), '^ 5ms !').toBe('3ms a', { a: { price: 1 } });
    });
  });

  it('errors the stream when subscribe or filter throws, and drops a send that finds the connection closing', () => {
    const scheduler = newScheduler();
    const boom = new Error('boom');
    scheduler.run(({ expectObservable }) => {
      const f = feed(scheduler);
      const bad = (o: Partial<MultiplexOptions>): Observable<WebSocketEvent> => f.events$.pipe(multiplex(f.ws, { ...topic('BTC'), ...o }));
      expectObservable(bad({ subscribe: () => { throw boom; } }), '^ 5ms !').toBe('#', undefined, boom);
      expectObservable(bad({ filter: (e) => { if (e.name === 'ready') throw boom; return false; } }), '^ 5ms !').toBe('#', undefined, boom);
      expectObservable(bad({ subscribe: () => 1n }), '^ 5ms !').toBe('#', undefined, new TypeError('Do not know how to serialize a BigInt'));
    });
    const closing: MultiplexSender = {
      isActive: true,
      sendText: () => {
        throw new WebSocketClosingError('websocket is closing');
      },
      sendBinary: () => undefined,
    };
    newScheduler().run(({ cold, expectObservable }) => {
      // The ready event still passes (the filter accepts it); the refused send is dropped, no error.
      const ready = events.ready(new Response(101, 'Switching Protocols'), null, new Set(), 0);
      const source = cold<WebSocketEvent>('-r-|', { r: ready });
      expectObservable(source.pipe(multiplex(closing, { ...topic('BTC'), filter: () => true }))).toBe('-r-|', { r: ready });
    });
  });

  it('throws TypeError at the call for a missing sender or options that are not functions', () => {
    const ws: MultiplexSender = { isActive: false, sendText: () => undefined, sendBinary: () => undefined };
    expect(() => multiplex(null as never, topic('BTC'))).toThrow(new TypeError('multiplex needs a WebSocket to send through (sendText, sendBinary, isActive)'));
    expect(() => multiplex(ws, null as never)).toThrow(new TypeError('multiplex options must be an object, got null'));
    expect(() => multiplex(ws, { ...topic('BTC'), subscribe: 'x' as never })).toThrow(new TypeError('multiplex subscribe must be a function, got string'));
    expect(() => multiplex(ws, { ...topic('BTC'), unsubscribe: 1 as never })).toThrow(new TypeError('multiplex unsubscribe must be a function, got number'));
    expect(() => multiplex(ws, { ...topic('BTC'), filter: undefined as never })).toThrow(new TypeError('multiplex filter must be a function, got undefined'));
  });

  it('serves the browser build the same way (the Angular service case)', () => {
    const scheduler = newScheduler();
    let server!: TestServer;
    const restoreRef: { restore?: () => void } = {};
    try {
      scheduler.run(({ expectObservable }) => {
        server = createTestServer(scheduler);
        restoreRef.restore = installTestWebSocket(server);
        const ws = new BrowserWebSocket(URL);
        const events$ = ws.connect$({ scheduler, poll: 1_000_000 }).pipe(persist({ scheduler, random: () => 0.5, minWait: 1000 }), share());
        server.at(10, () => server.sendText('BTC 1'));
        server.at(20, () => server.drop());
        server.at(1600, () => server.sendText('BTC 2'));
        expectObservable(texts(events$.pipe(multiplex(ws, topic('BTC')))), '^ 2000ms !').toBe('10ms a 1589ms b', { a: 'BTC 1', b: 'BTC 2' });
      });
    } finally {
      restoreRef.restore?.();
    }
    const subscribe = '{"op":"subscribe","symbol":"BTC"}';
    expect(server.connections.map((c) => c.texts)).toEqual([[subscribe], [subscribe, '{"op":"unsubscribe","symbol":"BTC"}']]);
  });
});
