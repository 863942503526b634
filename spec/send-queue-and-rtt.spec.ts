/**
 * The WebSocket object's offline send queue (`sendQueue`), round-trip times
 * (`pong.rtt`, `latency`) and receive flow control (`pause`/`resume`), in
 * virtual time through lomond/testing's scripted server.
 */
import { tap } from 'rxjs';
import { WebSocket } from '../lib/websocket.js';
import { persist } from '../lib/operators/persist.js';
import { SendQueueFullError, WebSocketUnavailableError } from '../lib/core/errors.js';
import type { Pong, WebSocketEvent } from '../lib/events/events.js';
import { createTestServer } from '../lib/testing.js';
import { NAMES, names, newScheduler } from './helpers/marbles.js';

const URL = 'ws://example.test/';
const QUIET = { pingRate: 0, poll: 60_000 } as const;

describe('sendQueue', () => {
  it('queues sends before the first ready and flushes them in order before the ready handler sends', () => {
    const scheduler = newScheduler();
    scheduler.run(({ flush }) => {
      const server = createTestServer(scheduler);
      const ws = new WebSocket(URL, { transport: server.transport, sendQueue: {} });
      ws.sendText('one');
      const bytes = Buffer.of(1, 2, 3); // a Buffer: its slice() would be a view, not a copy
      ws.sendBinary(bytes);
      bytes.fill(9); // the queue took a copy
      ws.sendJson({ three: 3 });
      expect([ws.queuedMessages, ws.queuedBytes]).toEqual([3, 3 + 3 + 11]);
      server.at(10, () => ws.forceDisconnect());
      ws.connect$({ scheduler, ...QUIET }).subscribe((event) => event.name === 'ready' && ws.sendText('after ready'));
      flush();
      expect(server.current.frames.map((f) => Buffer.from(f.payload).toString('latin1'))).toEqual(['one', '\x01\x02\x03', '{"three":3}', 'after ready']);
      expect([ws.queuedMessages, ws.queuedBytes]).toEqual([0, 0]);
    });
  });

  it('queues during persist\'s back-off and flushes at the reconnect', () => {
    const scheduler = newScheduler();
    scheduler.run(({ expectObservable }) => {
      const server = createTestServer(scheduler);
      const ws = new WebSocket(URL, { transport: server.transport, sendQueue: { maxMessages: 10 } });
      server.at(100, () => server.drop());
      server.at(500, () => ws.sendText('while away'));
      const events$ = ws.connect$({ scheduler, ...QUIET }).pipe(persist({ minWait: 1000, maxWait: 1000, scheduler }));
      expectObservable(names(events$), '^ 2000ms !').toBe('(abrp) 94ms (dk) 996ms (abrp)', NAMES);
      server.at(1200, () => {
        expect(server.connections).toHaveLength(2);
        expect(server.connections[1]!.texts).toEqual(['while away']);
      });
    });
  });

  it.each([
    ['error', ['a', 'b'], 'SendQueueFullError'],
    ['drop-oldest', ['b', 'c'], null],
    ['drop-newest', ['a', 'b'], null],
  ] as const)('with overflow %s, a third message into a queue of 2 leaves %j', (overflow, left, thrown) => {
    const scheduler = newScheduler();
    scheduler.run(({ flush }) => {
      const server = createTestServer(scheduler);
      const ws = new WebSocket(URL, { transport: server.transport, sendQueue: { maxMessages: 2, overflow } });
      ws.sendText('a');
      ws.sendText('b');
      let error: unknown = null;
      try {
        ws.sendText('c');
      } catch (e) {
        error = e;
      }
      if (thrown === null) expect(error).toBeNull();
      else {
        expect(error).toBeInstanceOf(SendQueueFullError);
        expect(error).toBeInstanceOf(WebSocketUnavailableError);
        expect((error as Error).message).toBe('send queue full: 2 messages, 2 bytes (maxMessages 2, maxBytes 16777216)');
      }
      server.at(10, () => ws.forceDisconnect());
      ws.connect$({ scheduler, ...QUIET }).subscribe();
      flush();
      expect(server.current.texts).toEqual(left);
    });
  });

  it('bounds the queue by bytes too, and drops a message larger than the whole queue under drop-oldest', () => {
    const ws = new WebSocket(URL, { sendQueue: { maxBytes: 10, overflow: 'drop-oldest' } });
    ws.sendText('12345');
    ws.sendText('67890');
    ws.sendText('é'); // 2 bytes: drops '12345'
    expect([ws.queuedMessages, ws.queuedBytes]).toEqual([2, 7]);
    ws.sendText('x'.repeat(11));
    expect([ws.queuedMessages, ws.queuedBytes]).toEqual([2, 7]);
  });

  it('validates its options at the call; without it, sending while not connected still throws', () => {
    expect(() => new WebSocket(URL, { sendQueue: { maxMessages: 0 } })).toThrow(new RangeError('sendQueue.maxMessages must be a finite number >= 1, got 0'));
    expect(() => new WebSocket(URL, { sendQueue: { overflow: 'later' as never } })).toThrow(
      new TypeError('sendQueue.overflow must be \'error\', \'drop-oldest\' or \'drop-newest\', got "later"'),
    );
    expect(() => new WebSocket(URL).sendText('x')).toThrow(WebSocketUnavailableError);
  });
});

describe('round-trip time', () => {
  it('a pong answering one of our pings carries rtt; latency is the last one; an unsolicited pong has rtt null', () => {
    const scheduler = newScheduler();
    const pongs: Pong[] = [];
    const latencies: Array<number | null> = [];
    scheduler.run(({ flush }) => {
      const server = createTestServer(scheduler, { latency: 5 });
      const ws = new WebSocket(URL, { transport: server.transport });
      server.at(1, () => latencies.push(ws.latency));
      server.at(2000, () => server.sendPong('unsolicited'));
      server.at(2500, () => {
        latencies.push(ws.latency);
        ws.forceDisconnect();
      });
      ws.connect$({ scheduler, pingRate: 1000, poll: 60_000 })
        .pipe(tap((e: WebSocketEvent) => e.name === 'pong' && pongs.push(e)))
        .subscribe();
      flush();
      // Keepalive pings carry a counter, so each pong is matched to its own ping.
      const payloads = server.connections[0]!.frames.filter((f) => f.opcode === 0x9).map((f) => Buffer.from(f.payload).toString('hex'));
      expect(payloads).toEqual(['00000001', '00000002', '00000003']);
    });
    expect(pongs.map((p) => [p.receivedTime, p.rtt])).toEqual([
      [10, 5],
      [1010, 5],
      [2005, null],
      [2010, 5],
    ]);
    expect(latencies).toEqual([null, 5]);
  });
});

describe('pause() and resume()', () => {
  it('hold what the server sends until resumed, in order; throw without an open connection', () => {
    const scheduler = newScheduler();
    scheduler.run(({ expectObservable }) => {
      const server = createTestServer(scheduler);
      const ws = new WebSocket(URL, { transport: server.transport });
      expect(() => ws.pause()).toThrow(WebSocketUnavailableError);
      server.at(10, () => ws.pause());
      server.at(20, () => server.sendText('one'));
      server.at(30, () => server.sendText('two'));
      server.at(100, () => ws.resume());
      expectObservable(names(ws.connect$({ scheduler, ...QUIET })), '^ 200ms !').toBe('(abrp) 94ms (tt)', NAMES);
    });
  });
});
