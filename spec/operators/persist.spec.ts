/** @test {persist} — marble tests in virtual time with lomond/testing's server. */
import { EMPTY, NEVER, concat, defer, filter, map, of, share, throwError, timer } from 'rxjs';
import { connect$ } from '../../lib/connect.js';
import { persist } from '../../lib/operators/persist.js';
import { events, type WebSocketEvent } from '../../lib/events/events.js';
import { WebSocket } from '../../lib/websocket.js';
import { WebSocketUnavailableError } from '../../lib/core/errors.js';
import { createTestServer } from '../../lib/testing.js';
import { NAMES, names, newScheduler } from '../helpers/marbles.js';

const URL = 'ws://example.test/';
const session = { pingRate: 0, poll: 1_000_000 };
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
    expect(() => persist({ random: 3 as unknown as () => number })).toThrow(TypeError);
    void EMPTY;
    void timer;
  });
});
