/** @test {persist} — marble tests in virtual time with lomond/testing's server. */
import { BehaviorSubject, EMPTY, type Subscription, NEVER, concat, defer, filter, map, merge, of, share, take, takeWhile, tap, throwError } from 'rxjs';
import type { TestScheduler } from 'rxjs/testing';
import { connect$ } from '../../lib/connect.js';
import { persist, type PersistEnd } from '../../lib/operators/persist.js';
import { events, type WebSocketEvent } from '../../lib/events/events.js';
import { isBackOff } from '../../lib/events/guards.js';
import { WebSocket } from '../../lib/websocket.js';
import { WebSocket as BrowserWebSocket } from '../../lib/browser/websocket.js';
import { FakeWebSocket } from '../browser/fake-web-socket.js';
import { WebSocketUnavailableError } from '../../lib/core/errors.js';
import { createTestServer, type TestServer } from '../../lib/testing.js';
import type { Transport } from '../../lib/transports/transport.js';
import { NAMES, names, newScheduler } from '../helpers/marbles.js';

const URL = 'ws://example.test/';
const session = { pingRate: 0, poll: 1_000_000 };
/**
 * The subscription of marbles that expect the stream to end on its own: should it not (a regression), the
 * test fails at this bound instead of looping forever in virtual time.
 */
const BOUND = '^ 60000ms !';
const delays = (seen: WebSocketEvent[]): number[] => seen.flatMap((e) => (e.name === 'back_off' ? [e.delay] : []));

describe('persist', () => {
  it('backs off 7.5 s, 12.5 s, 17.5 s after three refused attempts, then connects', () => {
    const scheduler = newScheduler();
    const seen: WebSocketEvent[] = [];
    scheduler.run(({ expectObservable }) => {
      const server = createTestServer(scheduler);
      server.refuse();
      server.at(37_000, () => server.allow());
      const events$ = connect$(URL, { transport: server.transport, scheduler, ...session }).pipe(
        persist({ random: () => 0.5, scheduler }),
        map((e) => (seen.push(e), e)),
      );
      // attempts at 0, 7500, 20000 (7500 + 12500) and 37500 (20000 + 17500)
      expectObservable(names(events$), '^ 38000ms !').toBe('(afk) 7495ms (afk) 12495ms (afk) 17495ms (abrp)', NAMES);
    });
    expect(delays(seen)).toEqual([7500, 12500, 17500]);
    expect(seen.filter(isBackOff).map((e) => [e.attempt, e.receivedTime])).toEqual([[1, 0], [2, 7500], [3, 20000]]);
  });

  it('waits whole milliseconds: back_off.delay is an integer', () => {
    const scheduler = newScheduler();
    scheduler.run(({ cold, expectObservable }) => {
      const source = cold<WebSocketEvent>('f|', { f: events.connectFail('refused', 0) });
      const events$ = source.pipe(persist({ random: () => 0.123456, scheduler, minWait: 1000, maxWait: 4000 }));
      // 1000 + 0.123456 · (2000 − 1000) = 1123.456 → 1123: the source completes at 1, the next attempt starts at 1124
      expectObservable(events$, '^ 1124ms !').toBe('fk 1122ms f', { f: events.connectFail('refused', 0), k: events.backOff(1123, 1, 1) });
    });
  });

  it('keeps every delay within [minWait, maxWait] for extreme random values', () => {
    for (const value of [0, 0.999999]) {
      const scheduler = newScheduler();
      const seen: WebSocketEvent[] = [];
      scheduler.run(() => {
        const server = createTestServer(scheduler);
        server.refuse();
        const sub = connect$(URL, { transport: server.transport, scheduler, ...session })
          .pipe(persist({ random: () => value, scheduler, minWait: 1000, maxWait: 8000 }))
          .subscribe((e) => seen.push(e));
        server.at(100_000, () => sub.unsubscribe());
      });
      const waits = delays(seen).slice(0, 8);
      expect(waits.every((d) => d >= 1000 && d <= 8000)).toBe(true);
      if (value === 0) expect(waits).toEqual(Array(8).fill(1000));
      else expect(Math.max(...waits)).toBeCloseTo(8000, -1);
    }
  });

  it('resets the backoff after every ready when minUptime is 0, even for a flapping server', () => {
    const scheduler = newScheduler();
    const seen: WebSocketEvent[] = [];
    scheduler.run(() => {
      const server = createTestServer(scheduler);
      const sub = connect$(URL, { transport: server.transport, scheduler, ...session })
        .pipe(persist({ random: () => 0.5, scheduler, minWait: 1000, maxWait: 60_000 }))
        .subscribe((e) => {
          seen.push(e);
          if (e.name === 'ready') server.drop(); // accepts, then drops at once
        });
      server.at(30_000, () => sub.unsubscribe());
    });
    const waits = delays(seen);
    expect(waits.length).toBeGreaterThan(5);
    expect(new Set(waits)).toEqual(new Set([1500])); // n = 1 every time: 1000 + 0.5 · (2000 − 1000)
  });

  it('keeps growing the backoff for a flapping server when minUptime is not reached', () => {
    const scheduler = newScheduler();
    const seen: WebSocketEvent[] = [];
    scheduler.run(() => {
      const server = createTestServer(scheduler);
      const sub = connect$(URL, { transport: server.transport, scheduler, ...session })
        .pipe(persist({ random: () => 0.5, scheduler, minWait: 1000, maxWait: 60_000, minUptime: 10_000 }))
        .subscribe((e) => {
          seen.push(e);
          if (e.name === 'ready') server.drop();
        });
      server.at(100_000, () => sub.unsubscribe());
    });
    expect(delays(seen).slice(0, 5)).toEqual([1500, 2500, 4500, 8500, 16500]);
  });

  it('resets after a connection that stayed ready for minUptime', () => {
    const scheduler = newScheduler();
    const seen: WebSocketEvent[] = [];
    scheduler.run(() => {
      const server = createTestServer(scheduler);
      let connections = 0;
      const sub = connect$(URL, { transport: server.transport, scheduler, ...session })
        .pipe(persist({ random: () => 0.5, scheduler, minWait: 1000, maxWait: 60_000, minUptime: 10_000 }))
        .subscribe((e) => {
          seen.push(e);
          if (e.name !== 'ready') return;
          connections++;
          if (connections === 3) server.at(10_000, () => server.drop()); // the third one stays up 10 s
          else server.drop();
        });
      server.at(40_000, () => sub.unsubscribe());
    });
    expect(delays(seen).slice(0, 4)).toEqual([1500, 2500, 1500, 2500]);
  });

  it('waits what Retry-After says on a rejected response, in seconds or as an HTTP date, clamped to maxWait', () => {
    for (const [header, expected] of [
      ['7', 7000],
      ['120', 30000],
      [new Date(Date.UTC(1970, 0, 1, 0, 0, 12)).toUTCString(), 12000],
    ] as const) {
      const scheduler = newScheduler();
      const seen: WebSocketEvent[] = [];
      scheduler.run(() => {
        const server = createTestServer(scheduler, { autoAccept: false });
        const sub = connect$(URL, { transport: server.transport, scheduler, ...session })
          .pipe(persist({ random: () => 0.5, scheduler }))
          .subscribe((e) => seen.push(e));
        server.at(0, () => server.reject(503, 'Service Unavailable', { 'Retry-After': header }));
        server.at(1000, () => sub.unsubscribe());
      });
      expect(delays(seen)).toEqual([expected]);
    }
  });

  it('ignores Retry-After when retryAfter is false', () => {
    const scheduler = newScheduler();
    const seen: WebSocketEvent[] = [];
    scheduler.run(() => {
      const server = createTestServer(scheduler, { autoAccept: false });
      const sub = connect$(URL, { transport: server.transport, scheduler, ...session })
        .pipe(persist({ random: () => 0.5, scheduler, retryAfter: false }))
        .subscribe((e) => seen.push(e));
      server.at(0, () => server.reject(503, 'Service Unavailable', { 'Retry-After': '7' }));
      server.at(1000, () => sub.unsubscribe());
    });
    expect(delays(seen)).toEqual([7500]);
  });

  it('stops at once when unsubscribed during a back-off: no further attempt', () => {
    const scheduler = newScheduler();
    scheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
      const source = cold<WebSocketEvent>('a|', { a: events.connectFail('refused', 0) });
      expectObservable(names(source.pipe(persist({ random: () => 0.5, scheduler, minWait: 10, maxWait: 100 }))), '^ 5ms !').toBe('fk', NAMES);
      expectSubscriptions(source.subscriptions).toBe(['^!']); // one attempt only: no resubscription after the unsubscribe at 6
    });
  });

  it('unsubscribes a live connection at once when unsubscribed', () => {
    const scheduler = newScheduler();
    scheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
      const source = cold<WebSocketEvent>('ab', { a: events.connecting(URL, 0), b: events.connected(URL, null, 0) });
      expectObservable(names(source.pipe(persist({ scheduler }))), '^ 9ms !').toBe('ab', NAMES);
      expectSubscriptions(source.subscriptions).toBe('^ 9ms !');
    });
  });

  it('resubscribes when the source errors, too', () => {
    const scheduler = newScheduler();
    scheduler.run(({ expectObservable }) => {
      let calls = 0;
      const source = defer(() => (++calls === 1 ? throwError(() => new Error('boom')) : concat(of(events.connecting(URL, 0)), NEVER)));
      expectObservable(names(source.pipe(persist({ random: () => 0, scheduler, minWait: 10, maxWait: 10 }))), '^ 20ms !').toBe('k 9ms a', NAMES);
    });
  });

  it('feeds one connection to two subscribers through share()', () => {
    const scheduler = newScheduler();
    let server!: ReturnType<typeof createTestServer>;
    scheduler.run(({ expectObservable }) => {
      server = createTestServer(scheduler);
      server.at(5, () => server.sendText('tick'));
      const ticker$ = connect$(URL, { transport: server.transport, scheduler, ...session }).pipe(
        persist({ scheduler }),
        filter((e) => e.name === 'text'),
        map((e) => (e as { text: string }).text),
        share(),
      );
      expectObservable(ticker$, '^ 10ms !').toBe('5ms a', { a: 'tick' });
      expectObservable(ticker$, '^ 10ms !').toBe('5ms a', { a: 'tick' });
    });
    expect(server.connections.length).toBe(1);
  });

  it('reconnects a WebSocket object: sends go to the new connection, and fail while disconnected', () => {
    const scheduler = newScheduler();
    let server!: ReturnType<typeof createTestServer>;
    scheduler.run(() => {
      server = createTestServer(scheduler);
      const ws = new WebSocket(URL, { transport: server.transport });
      const sub = ws.connect$({ ...session, scheduler }).pipe(persist({ random: () => 0, scheduler, minWait: 100, maxWait: 100 })).subscribe();
      server.at(10, () => server.drop());
      server.at(50, () => expect(() => ws.sendText('lost')).toThrow(WebSocketUnavailableError));
      server.at(200, () => {
        ws.sendText('again');
        sub.unsubscribe();
      });
    });
    expect(server.connections.length).toBe(2);
    expect(server.connections[1]!.texts).toEqual(['again']);
    expect(server.connections[0]!.texts).toEqual([]);
  });

  it('validates its options', () => {
    expect(() => persist({ minWait: -1 })).toThrow(RangeError);
    expect(() => persist({ minWait: 10, maxWait: 5 })).toThrow('minWait 10 exceeds maxWait 5');
    expect(() => persist({ random: 3 as unknown as () => number })).toThrow(new TypeError('random must be a function, got number'));
    expect(() => persist(null as never)).toThrow(new TypeError('persist options must be an object, got null'));
    expect(() => persist({ maxAttempts: 0 })).toThrow(new RangeError('maxAttempts must be an integer >= 1 or Infinity, got 0'));
    expect(() => persist({ maxAttempts: 2.5 })).toThrow(new RangeError('maxAttempts must be an integer >= 1 or Infinity, got 2.5'));
    expect(() => persist({ maxAttempts: '3' as never })).toThrow(new TypeError('maxAttempts must be a number, got string'));
    expect(() => persist({ shouldRetry: true as never })).toThrow(new TypeError('shouldRetry must be a function, got boolean'));
    expect(() => persist({ retryNow$: {} as never })).toThrow(new TypeError('retryNow$ must be an Observable'));
    expect(() => persist({ retryAfter: 'yes' as never })).toThrow(new TypeError('retryAfter must be a boolean, got string'));
    expect(() => persist({ scheduler: {} as never })).toThrow(new TypeError('scheduler must be an RxJS SchedulerLike'));
    expect(() => persist({ maxAttempts: Infinity, retryNow$: EMPTY })).not.toThrow();
  });
});

/** A transport that counts connection attempts (refused ones included) on the way to `server`. */
function counted(server: TestServer): { transport: Transport; readonly opens: number } {
  let opens = 0;
  return {
    transport: { open: (target) => (opens++, server.transport.open(target)) },
    get opens() {
      return opens;
    },
  };
}

describe('persist stop conditions', () => {
  it('completes after maxAttempts consecutive failed attempts', () => {
    const scheduler = newScheduler();
    let attempts!: ReturnType<typeof counted>;
    scheduler.run(({ expectObservable }) => {
      const server = createTestServer(scheduler);
      server.refuse();
      attempts = counted(server);
      const events$ = connect$(URL, { transport: attempts.transport, scheduler, ...session }).pipe(persist({ random: () => 0.5, scheduler, maxAttempts: 3 }));
      // attempts at 0, 7500 and 20000; the third failure completes the stream, without a back_off
      expectObservable(names(events$), BOUND).toBe('(afk) 7495ms (afk) 12495ms (af|)', NAMES);
    });
    expect(attempts.opens).toBe(3);
  });

  it('counts only consecutive failures: a connection that stayed up for minUptime starts the count again', () => {
    const scheduler = newScheduler();
    const seen: WebSocketEvent[] = [];
    scheduler.run(({ expectObservable }) => {
      const server = createTestServer(scheduler);
      server.at(20, () => server.drop()); // up 20 ms ≥ minUptime: a success
      server.at(100, () => server.refuse());
      const events$ = connect$(URL, { transport: server.transport, scheduler, ...session }).pipe(
        persist({ random: () => 0, scheduler, minWait: 100, maxWait: 100, minUptime: 10, maxAttempts: 2 }),
        tap((e) => seen.push(e)),
      );
      // up at 0, dropped at 20; refused at 120 (failure 1) and at 220 (failure 2): complete
      expectObservable(names(events$), BOUND).toBe('(abrp) 14ms (dk) 96ms (afk) 95ms (af|)', NAMES);
    });
    expect(seen.filter(isBackOff).map((e) => e.attempt)).toEqual([1, 2]);
  });

  it('completes when shouldRetry returns false, after the close code 4001 of the server', () => {
    const scheduler = newScheduler();
    const ends: PersistEnd[] = [];
    scheduler.run(({ expectObservable }) => {
      const server = createTestServer(scheduler);
      server.at(10, () => server.sendClose(4001, 'auth expired'));
      const events$ = connect$(URL, { transport: server.transport, scheduler, ...session }).pipe(
        persist({ scheduler, shouldRetry: (end) => (ends.push(end), end.closeCode !== 4001) }),
      );
      expectObservable(names(events$), BOUND).toBe('(abrp) 4ms (gcd|)', NAMES);
    });
    expect(ends).toEqual([{ attempt: 1, last: expect.objectContaining({ name: 'disconnected', graceful: true }), closeCode: 4001, error: undefined }]);
  });

  it('tells shouldRetry what each attempt ended with: connect_fail, an error, a close code', () => {
    const scheduler = newScheduler();
    const ends: PersistEnd[] = [];
    const boom = new Error('boom');
    scheduler.run(({ cold, expectObservable }) => {
      const source = cold<WebSocketEvent>('f|', { f: events.connectFail('refused', 0) });
      let calls = 0;
      const sources = [source, throwError(() => boom), cold<WebSocketEvent>('c(d|)', { c: events.closed(1011, 'oops', 0), d: events.disconnected('closed', true, 0) })];
      const events$ = defer(() => sources[calls++ % 3]!).pipe(
        persist({ random: () => 0, scheduler, minWait: 10, maxWait: 10, shouldRetry: (end) => (ends.push(end), ends.length < 3) }),
      );
      expectObservable(names(events$), BOUND).toBe('fk 9ms k 9ms c(d|)', NAMES);
    });
    expect(ends).toEqual([
      { attempt: 1, last: events.connectFail('refused', 0), closeCode: undefined, error: undefined },
      { attempt: 2, last: undefined, closeCode: undefined, error: boom },
      { attempt: 3, last: events.disconnected('closed', true, 0), closeCode: 1011, error: undefined },
    ]);
  });

  it('errors the stream when shouldRetry throws (nothing lost, nothing uncaught)', () => {
    const scheduler = newScheduler();
    const bug = new Error('bug in shouldRetry');
    scheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
      const source = cold<WebSocketEvent>('f|', { f: events.connectFail('refused', 0) });
      const events$ = source.pipe(persist({ scheduler, shouldRetry: () => { throw bug; } }));
      expectObservable(names(events$), BOUND).toBe('f#', NAMES, bug);
      expectSubscriptions(source.subscriptions).toBe('^!');
    });
  });
});

describe('persist recipes (README)', () => {
  it('refreshes a token at every attempt with defer(() => connect$(urlWithFreshToken()))', () => {
    const scheduler = newScheduler();
    let server!: TestServer;
    scheduler.run(() => {
      server = createTestServer(scheduler);
      let token = 0;
      server.at(10, () => server.sendClose(4001, 'auth expired'));
      server.at(200, () => server.sendClose(4001, 'auth expired'));
      const subscription = defer(() => connect$(`${URL}?token=t${++token}`, { transport: server.transport, scheduler, ...session }))
        .pipe(persist({ random: () => 0, scheduler, minWait: 100, maxWait: 100 }))
        .subscribe();
      server.at(1000, () => subscription.unsubscribe());
    });
    expect(server.connections.map((c) => c.target.url.search)).toEqual(['?token=t1', '?token=t2', '?token=t3']);
  });
});

describe("persist and the application's own close", () => {
  it('completes after the disconnected of ws.close() instead of reconnecting', () => {
    const scheduler = newScheduler();
    let attempts!: ReturnType<typeof counted>;
    scheduler.run(({ expectObservable }) => {
      const server = createTestServer(scheduler);
      attempts = counted(server);
      const ws = new WebSocket(URL, { transport: attempts.transport });
      server.at(10, () => ws.close());
      expectObservable(names(ws.connect$({ ...session, scheduler }).pipe(persist({ scheduler }))), BOUND).toBe('(abrp) 4ms (cd|)', NAMES);
    });
    expect(attempts.opens).toBe(1);
  });

  it('completes after ws.close() of a browser WebSocket too', () => {
    const restore = FakeWebSocket.install();
    try {
      const scheduler = newScheduler();
      scheduler.run(({ expectObservable }) => {
        const ws = new BrowserWebSocket('wss://example.test/');
        scheduler.schedule(() => FakeWebSocket.last.open(), 1);
        scheduler.schedule(() => (ws.close(), FakeWebSocket.last.finishClose()), 10);
        expectObservable(names(ws.connect$({ poll: 60_000, scheduler }).pipe(persist({ scheduler }))), BOUND).toBe('a (brp) 4ms (cd|)', NAMES);
      });
      expect(FakeWebSocket.instances).toHaveLength(1);
    } finally {
      restore();
    }
  });

  it('completes also when the close handshake times out', () => {
    const scheduler = newScheduler();
    scheduler.run(({ expectObservable }) => {
      const server = createTestServer(scheduler, { autoClose: false });
      const ws = new WebSocket(URL, { transport: server.transport });
      server.at(10, () => ws.close(4000, 'done'));
      expectObservable(names(ws.connect$({ ...session, closeTimeout: 100, scheduler }).pipe(persist({ scheduler }))), BOUND).toBe('(abrp) 104ms (d|)', NAMES);
    });
  });

  it.each([
    ['a server close', (server: TestServer) => server.sendClose(1000, 'bye'), '(gcdk)'],
    ['a protocol error', (server: TestServer) => server.current.sendFrame(0x3), '(edk)'],
    ['a dropped connection', (server: TestServer) => server.drop(), '(dk)'],
    ['a forceDisconnect()', (_server: TestServer, ws: WebSocket) => ws.forceDisconnect(), '(dk)'],
  ])("reconnects after lomond's or the server's own close: %s", (_name, fault, ending) => {
    const scheduler = newScheduler();
    scheduler.run(({ expectObservable }) => {
      const server = createTestServer(scheduler);
      const ws = new WebSocket(URL, { transport: server.transport });
      server.at(10, () => fault(server, ws));
      const events$ = ws.connect$({ ...session, scheduler }).pipe(persist({ random: () => 0, scheduler, minWait: 100, maxWait: 100 }));
      expectObservable(names(events$), '^ 200ms !').toBe(`(abrp) 4ms ${ending} ${100 - ending.length}ms (abrp)`, NAMES);
    });
  });

  it('reconnects after unresponsive (no pong within pingTimeout)', () => {
    const scheduler = newScheduler();
    scheduler.run(({ expectObservable }) => {
      const server = createTestServer(scheduler, { autoPong: false });
      const events$ = connect$(URL, { transport: server.transport, scheduler, pingRate: 50, pingTimeout: 100, poll: 1_000_000, closeTimeout: 0 }).pipe(
        persist({ random: () => 0, scheduler, minWait: 100, maxWait: 100 }),
        filter((e) => e.name === 'unresponsive' || e.name === 'back_off' || e.name === 'connecting'),
      );
      expectObservable(names(events$), '^ 250ms !').toBe('a 99ms (uk) 96ms a', NAMES);
    });
  });
});

describe('persist and programming errors', () => {
  it.each([
    ['TypeError', new TypeError('invalid header value')],
    ['RangeError', new RangeError('pingTimeout 5 must be greater than pingRate 10')],
    ['WebSocketUnavailableError', new WebSocketUnavailableError('websocket already has a live connection')],
  ])('re-throws a %s from the source instead of retrying', (_name, error) => {
    const scheduler = newScheduler();
    scheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
      const source = cold<WebSocketEvent>('a#', { a: events.connecting(URL, 0) }, error);
      expectObservable(names(source.pipe(persist({ scheduler }))), BOUND).toBe('a#', NAMES, error);
      expectSubscriptions(source.subscriptions).toBe('^!');
    });
  });

  it('surfaces a second live subscription of one WebSocket object at once', () => {
    const scheduler = newScheduler();
    scheduler.run(({ expectObservable }) => {
      const server = createTestServer(scheduler);
      const ws = new WebSocket(URL, { transport: server.transport });
      const first = ws.connect$({ ...session, scheduler }).pipe(persist({ scheduler }));
      const second = ws.connect$({ ...session, scheduler }).pipe(persist({ scheduler }));
      expectObservable(names(first), '^ 100ms !').toBe('(abrp)', NAMES);
      expectObservable(second, '5ms ^ 100ms !').toBe('5ms #', undefined, new WebSocketUnavailableError('websocket already has a live connection'));
    });
  });

  it('still retries other errors (a plain Error)', () => {
    const scheduler = newScheduler();
    scheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
      const source = cold<WebSocketEvent>('#', undefined, new Error('socket hang up'));
      expectObservable(names(source.pipe(persist({ random: () => 0, scheduler, minWait: 10, maxWait: 10 }))), '^ 25ms !').toBe('k 9ms k 9ms k', NAMES);
      expectSubscriptions(source.subscriptions).toBe(['(^!)', '10ms (^!)', '20ms (^!)']);
    });
  });
});

describe('persist and reentrant unsubscribing', () => {
  const refusing = (scheduler: TestScheduler): { server: TestServer; attempts: ReturnType<typeof counted> } => {
    const server = createTestServer(scheduler);
    server.refuse();
    return { server, attempts: counted(server) };
  };

  it('opens no further connection after takeWhile stops at back_off', () => {
    const scheduler = newScheduler();
    let attempts!: ReturnType<typeof counted>;
    scheduler.run(({ expectObservable }) => {
      ({ attempts } = refusing(scheduler));
      const events$ = connect$(URL, { transport: attempts.transport, scheduler, ...session }).pipe(
        persist({ scheduler, minWait: 10, maxWait: 10 }),
        takeWhile((e) => e.name !== 'back_off'),
      );
      expectObservable(names(events$)).toBe('(af|)', NAMES);
    });
    expect(attempts.opens).toBe(1);
  });

  it('opens no further connection after take(1) of back_off', () => {
    const scheduler = newScheduler();
    let attempts!: ReturnType<typeof counted>;
    scheduler.run(({ expectObservable }) => {
      ({ attempts } = refusing(scheduler));
      const events$ = connect$(URL, { transport: attempts.transport, scheduler, ...session }).pipe(persist({ scheduler, minWait: 10, maxWait: 10 }), filter(isBackOff), take(1));
      expectObservable(events$.pipe(map((e) => e.delay))).toBe('(k|)', { k: 10 });
    });
    expect(attempts.opens).toBe(1);
  });

  it.each(['connect_fail', 'back_off'])('stops at once when the subscriber unsubscribes inside its %s handler', (name) => {
    const scheduler = newScheduler();
    let attempts!: ReturnType<typeof counted>;
    const seen: string[] = [];
    scheduler.run(() => {
      ({ attempts } = refusing(scheduler));
      const subscription = connect$(URL, { transport: attempts.transport, scheduler, ...session })
        .pipe(persist({ scheduler, minWait: 10, maxWait: 10 }))
        .subscribe((e) => {
          seen.push(e.name);
          if (e.name === name) subscription.unsubscribe();
        });
    });
    expect(attempts.opens).toBe(1);
    expect(seen).toEqual(name === 'back_off' ? ['connecting', 'connect_fail', 'back_off'] : ['connecting', 'connect_fail']);
  });

  it('stops at once when the subscriber unsubscribes inside its disconnected handler', () => {
    const scheduler = newScheduler();
    let attempts!: ReturnType<typeof counted>;
    scheduler.run(({ expectObservable }) => {
      const server = createTestServer(scheduler);
      attempts = counted(server);
      server.at(10, () => server.drop());
      const events$ = connect$(URL, { transport: attempts.transport, scheduler, ...session }).pipe(
        persist({ scheduler, minWait: 10, maxWait: 10 }),
        takeWhile((e) => e.name !== 'disconnected', true),
      );
      expectObservable(names(events$)).toBe('(abrp) 4ms (d|)', NAMES);
    });
    expect(attempts.opens).toBe(1);
  });

  it.each(['connect_fail', 'back_off'])('stops at once when a synchronous source is unsubscribed inside its %s handler', (name) => {
    const scheduler = newScheduler();
    let subscriptions = 0;
    const seen: string[] = [];
    scheduler.run(() => {
      const source = defer(() => (subscriptions++, of(events.connecting(URL, 0), events.connectFail('refused', 0))));
      source
        .pipe(
          persist({ scheduler, minWait: 0, maxWait: 0 }),
          takeWhile((e) => e.name !== name, true), // unsubscribes upstream inside the handler, during the subscribe call
        )
        .subscribe((e) => seen.push(e.name));
    });
    expect(seen).toEqual(name === 'back_off' ? ['connecting', 'connect_fail', 'back_off'] : ['connecting', 'connect_fail']);
    expect(subscriptions).toBe(1);
  });

  it('stops at once when unsubscribed inside shouldRetry', () => {
    const scheduler = newScheduler();
    scheduler.run(({ cold, expectSubscriptions }) => {
      const source = cold<WebSocketEvent>('f|', { f: events.connectFail('refused', 0) });
      const seen: string[] = [];
      const subscription: Subscription = source
        .pipe(persist({ scheduler, shouldRetry: () => (subscription.unsubscribe(), true) }))
        .subscribe((e) => seen.push(e.name));
      scheduler.schedule(() => subscription.unsubscribe(), 60_000); // a bound, should the stream go on
      expectSubscriptions(source.subscriptions).toBe('^!');
      scheduler.schedule(() => expect(seen).toEqual(['connect_fail']), 100_000);
    });
  });
});

describe('persist and Retry-After', () => {
  it.each([
    ['0', 5000, 'a server cannot make the client spin'],
    ['3600', 30000, 'nor stall it for an hour'],
    ['Thu, 01 Jan 1970 00:00:01 GMT', 5000, 'a date in the past waits minWait'],
  ])('clamps Retry-After %p to %p ms: %s', (header, expected) => {
    const scheduler = newScheduler();
    let attempts!: ReturnType<typeof counted>;
    const seen: WebSocketEvent[] = [];
    scheduler.run(() => {
      const server = createTestServer(scheduler, { autoAccept: false });
      attempts = counted(server);
      const reject = (): void => server.reject(503, 'Service Unavailable', { 'Retry-After': header });
      const subscription = connect$(URL, { transport: attempts.transport, scheduler, ...session })
        .pipe(persist({ random: () => 0.5, scheduler }))
        .subscribe((e) => {
          seen.push(e);
          if (e.name === 'connected') reject();
          if (attempts.opens > 10) subscription.unsubscribe(); // a spinning client would never let virtual time advance
        });
      server.at(expected + 10, () => subscription.unsubscribe());
    });
    expect(delays(seen)).toEqual([expected, expected]);
    expect(seen.filter(isBackOff).map((e) => e.receivedTime)).toEqual([0, expected]);
    expect(attempts.opens).toBe(2); // one at 0, one after the clamped wait: no burst
  });
});

describe('persist and retryNow$', () => {
  it('cuts the current wait short and reconnects at once', () => {
    const scheduler = newScheduler();
    scheduler.run(({ cold, hot, expectObservable, expectSubscriptions }) => {
      const source = cold<WebSocketEvent>('f|', { f: events.connectFail('refused', 0) });
      const wake$ = hot('--- 996ms x');
      const events$ = source.pipe(persist({ random: () => 0.5, scheduler, retryNow$: wake$ }));
      // without wake$ the second attempt would start at 1 + 7500; the wake-up at 999 starts it then
      expectObservable(names(events$), '^ 1010ms !').toBe('fk 997ms fk', NAMES);
      expectSubscriptions(source.subscriptions).toBe(['^!', '999ms ^!']);
      expectSubscriptions(wake$.subscriptions).toBe('^ 1010ms !');
    });
  });

  it('ignores emissions outside a wait, and one at subscription', () => {
    const scheduler = newScheduler();
    scheduler.run(({ cold, hot, expectObservable }) => {
      const source = cold<WebSocketEvent>('a 9ms f|', { a: events.connecting(URL, 0), f: events.connectFail('refused', 0) });
      const wake$ = new BehaviorSubject(true); // emits at subscription
      const events$ = source.pipe(persist({ random: () => 0, scheduler, minWait: 100, maxWait: 100, retryNow$: merge(wake$, hot('-----x')) }));
      expectObservable(names(events$), '^ 120ms !').toBe('a 9ms fk 99ms a', NAMES);
    });
  });

  it('changes nothing when it completes at once (no window to watch), and stays unsubscribed after the end', () => {
    const scheduler = newScheduler();
    scheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
      const source = cold<WebSocketEvent>('f|', { f: events.connectFail('refused', 0) });
      const wake$ = cold('x 50ms y');
      expectObservable(names(source.pipe(persist({ random: () => 0, scheduler, minWait: 10, maxWait: 10, retryNow$: EMPTY }))), '^ 15ms !').toBe('fk 9ms fk', NAMES);
      expectObservable(names(source.pipe(persist({ scheduler, maxAttempts: 1, retryNow$: wake$ }))), BOUND).toBe('f|', NAMES);
      expectSubscriptions(wake$.subscriptions).toBe('^!');
    });
  });

  it('errors the stream when retryNow$ errors', () => {
    const scheduler = newScheduler();
    scheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
      const source = cold<WebSocketEvent>('a', { a: events.connecting(URL, 0) });
      const failure = new Error('network watcher failed');
      expectObservable(names(source.pipe(persist({ scheduler, retryNow$: cold('--#', undefined, failure) })))).toBe('a-#', NAMES, failure);
      expectSubscriptions(source.subscriptions).toBe('^-!');
    });
  });
});
