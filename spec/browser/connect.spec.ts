/**
 * The browser connect$: cold, call-time validation, and persist reconnecting
 * it, over a fake DOM WebSocket in virtual time.
 */
import { tap } from 'rxjs';
import { connect$ } from '../../lib/browser/connect.js';
import { persist } from '../../lib/operators/persist.js';
import type { WebSocketEvent } from '../../lib/events/events.js';
import { NAMES, names, newScheduler } from '../helpers/marbles.js';
import { FakeWebSocket } from './fake-web-socket.js';

const URL = 'ws://example.test/feed';

let restore: () => void;
beforeEach(() => {
  restore = FakeWebSocket.install();
});
afterEach(() => restore());

describe('browser connect$', () => {
  it('is cold: each subscription opens its own native socket', () => {
    const scheduler = newScheduler();
    scheduler.run(() => {
      const events$ = connect$(URL, { scheduler, connectTimeout: 10 });
      events$.subscribe();
      events$.subscribe();
    });
    expect(FakeWebSocket.instances).toHaveLength(2);
  });

  it('opens nothing before subscription', () => {
    connect$(URL);
    expect(FakeWebSocket.instances).toHaveLength(0);
  });

  it('throws at call time for options browsers do not have, and for a bad URL', () => {
    expect(() => connect$(URL, { headers: { a: 'b' } } as never)).toThrow(/option headers is not available in browsers/);
    expect(() => connect$(URL, { pingRate: 5 } as never)).toThrow(/option pingRate is not available in browsers/);
    expect(() => connect$('not a url')).toThrow(new TypeError('invalid url "not a url"'));
  });

  it('runs the normal lifecycle: connecting → connected → ready → poll, then a server close', () => {
    const scheduler = newScheduler();
    scheduler.run(({ expectObservable }) => {
      scheduler.schedule(() => FakeWebSocket.last.open(), 3);
      scheduler.schedule(() => FakeWebSocket.last.serverClose(1000, 'bye'), 1000);
      expectObservable(names(connect$(URL, { scheduler, poll: 500 }))).toBe('a 2ms (brp) 495ms p 496ms (gcd|)', NAMES);
    });
  });
});

describe('persist over the browser connect$', () => {
  it('backs off after a failed attempt and after a dropped connection, then reconnects', () => {
    const scheduler = newScheduler();
    const seen: WebSocketEvent[] = [];
    scheduler.run(({ expectObservable }) => {
      scheduler.schedule(() => FakeWebSocket.last.fail(), 10); // first attempt refused
      scheduler.schedule(() => FakeWebSocket.last.open(), 1520); // the second attempt (after 1500 ms) opens
      scheduler.schedule(() => FakeWebSocket.last.fail(), 1600); // and is dropped
      const events$ = connect$(URL, { scheduler, poll: 60000 }).pipe(
        persist({ minWait: 1000, maxWait: 4000, random: () => 0.5, scheduler }),
        tap((event) => seen.push(event)),
      );
      expectObservable(names(events$), '^ 3500ms !').toBe('a 9ms (fk) 1496ms a 9ms (brp) 75ms (dk) 1496ms a', NAMES);
    });
    expect(seen.filter((e) => e.name === 'back_off').map((e) => (e as { delay: number }).delay)).toEqual([1500, 1500]);
    expect(FakeWebSocket.instances).toHaveLength(3);
  });

  it('closes the live connection when unsubscribed', () => {
    const scheduler = newScheduler();
    scheduler.run(({ expectObservable }) => {
      scheduler.schedule(() => FakeWebSocket.last.open(), 1);
      expectObservable(names(connect$(URL, { scheduler }).pipe(persist({ scheduler }))), '^ 100ms !').toBe('a (brp)', NAMES);
    });
    expect(FakeWebSocket.last.closeCalls).toEqual([{ code: 1000, reason: 'going away' }]);
  });
});
