/**
 * The browser WebSocket object: sends, the close handshake, state getters and
 * what browsers cannot do, over a fake DOM WebSocket in virtual time.
 */
import { tap, type Observable } from 'rxjs';
import type { TestScheduler } from 'rxjs/testing';
import { WebSocket } from '../../lib/browser/websocket.js';
import type { SessionOptions } from '../../lib/session/browser-options.js';
import { WebSocketClosedError, WebSocketClosingError, WebSocketUnavailableError } from '../../lib/core/errors.js';
import type { WebSocketEvent } from '../../lib/events/events.js';
import { NAMES, names, newScheduler } from '../helpers/marbles.js';
import { FakeWebSocket } from './fake-web-socket.js';

const URL = 'wss://example.test/feed';

let restore: () => void;
beforeEach(() => {
  restore = FakeWebSocket.install();
});
afterEach(() => restore());

function connect$(ws: WebSocket, scheduler: TestScheduler, options: SessionOptions = {}): Observable<WebSocketEvent> {
  return ws.connect$({ poll: 60000, scheduler, ...options });
}

function at(scheduler: TestScheduler, delay: number, step: () => void): void {
  scheduler.schedule(step, delay);
}

describe('browser WebSocket sends', () => {
  it('sends text, JSON and binary through the native socket once open', () => {
    const scheduler = newScheduler();
    const ws = new WebSocket(URL);
    scheduler.run(({ expectObservable }) => {
      at(scheduler, 1, () => FakeWebSocket.last.open());
      at(scheduler, 2, () => {
        ws.sendText('hello', { compress: true });
        ws.sendJson({ subscribe: 'ticker' });
        ws.sendBinary(new Uint8Array([7, 8]));
      });
      expectObservable(names(connect$(ws, scheduler)), '^ 10ms !').toBe('a (brp)', NAMES);
    });
    expect(FakeWebSocket.last.sent).toEqual(['hello', '{"subscribe":"ticker"}', new Uint8Array([7, 8])]);
  });

  it('throws WebSocketUnavailableError before the first connection and while connecting', () => {
    const scheduler = newScheduler();
    const ws = new WebSocket(URL);
    expect(() => ws.sendText('x')).toThrow(new WebSocketUnavailableError('websocket is not connected'));
    scheduler.run(() => {
      const subscription = connect$(ws, scheduler).subscribe();
      at(scheduler, 1, () => {
        expect(() => ws.sendText('x')).toThrow(new WebSocketUnavailableError('websocket is not connected'));
        subscription.unsubscribe();
      });
    });
    expect(ws.isClosed).toBe(true);
  });

  it('throws WebSocketClosingError after close() and WebSocketClosedError once the connection ended', () => {
    const scheduler = newScheduler();
    const ws = new WebSocket(URL);
    const errors: unknown[] = [];
    const attempt = (): void => {
      try {
        ws.sendText('x');
      } catch (error) {
        errors.push(error);
      }
    };
    scheduler.run(() => {
      at(scheduler, 1, () => FakeWebSocket.last.open());
      at(scheduler, 2, () => ws.close());
      at(scheduler, 3, attempt);
      at(scheduler, 4, () => FakeWebSocket.last.finishClose());
      at(scheduler, 5, attempt);
      connect$(ws, scheduler).subscribe();
    });
    expect(errors).toEqual([new WebSocketClosingError('websocket is closing'), new WebSocketClosedError('websocket is closed')]);
    expect(errors.map((e) => (e as Error).constructor)).toEqual([WebSocketClosingError, WebSocketClosedError]);
  });

  it('rejects bad argument types with TypeError', () => {
    const ws = new WebSocket(URL);
    expect(() => ws.sendText(1 as never)).toThrow(new TypeError('text must be a string, got number'));
    expect(() => ws.sendBinary('x' as never)).toThrow(new TypeError('data must be a Uint8Array, got string'));
    expect(() => ws.sendJson(undefined)).toThrow(new TypeError('value is not JSON-serialisable'));
    expect(() => ws.close('1000' as never)).toThrow(new TypeError('close code must be a number, got string'));
    expect(() => ws.close(1000, 1 as never)).toThrow(new TypeError('close reason must be a string, got number'));
  });

  it('says that pings, pongs and headers are not available in browsers', () => {
    const ws = new WebSocket(URL);
    expect(() => ws.sendPing()).toThrow(new TypeError('sendPing is not available in browsers: scripts cannot send protocol pings'));
    expect(() => ws.sendPong('x')).toThrow(new TypeError('sendPong is not available in browsers: the browser answers pings itself'));
    expect(() => ws.addHeader('X-Token', 't')).toThrow(new TypeError('addHeader is not available in browsers: scripts cannot set request headers'));
  });
});

describe('browser WebSocket close handshake', () => {
  it('emits closed and disconnected(graceful=true) when the server answers our close', () => {
    const scheduler = newScheduler();
    const ws = new WebSocket(URL);
    const seen: WebSocketEvent[] = [];
    scheduler.run(({ expectObservable }) => {
      at(scheduler, 1, () => FakeWebSocket.last.open());
      at(scheduler, 10, () => ws.close(4001, 'bye'));
      at(scheduler, 15, () => FakeWebSocket.last.finishClose());
      expectObservable(names(connect$(ws, scheduler).pipe(tap((e) => seen.push(e))))).toBe('a (brp) 9ms (cd|)', NAMES);
    });
    expect(FakeWebSocket.last.closeCalls).toEqual([{ code: 4001, reason: 'bye' }]);
    expect(seen.slice(-2)).toEqual([
      { name: 'closed', code: 4001, reason: 'bye', receivedTime: 15 },
      { name: 'disconnected', reason: 'closed', graceful: true, receivedTime: 15 },
    ]);
    expect(ws.sentCloseTime).toBe(10);
  });

  it('ends with disconnected(graceful=false) after closeTimeout when the close never completes', () => {
    const scheduler = newScheduler();
    const ws = new WebSocket(URL);
    const seen: WebSocketEvent[] = [];
    scheduler.run(({ expectObservable }) => {
      at(scheduler, 1, () => FakeWebSocket.last.open());
      at(scheduler, 10, () => ws.close());
      expectObservable(names(connect$(ws, scheduler, { closeTimeout: 500 }).pipe(tap((e) => seen.push(e))))).toBe('a (brp) 504ms (d|)', NAMES);
    });
    expect(seen.at(-1)).toEqual({ name: 'disconnected', reason: 'close timeout', graceful: false, receivedTime: 510 });
    expect(FakeWebSocket.last.detached).toBe(true);
  });

  it('does not wait for the close event when closeTimeout is 0 (the browser finishes the close in the background)', () => {
    const scheduler = newScheduler();
    const ws = new WebSocket(URL);
    const seen: WebSocketEvent[] = [];
    scheduler.run(({ expectObservable }) => {
      at(scheduler, 1, () => FakeWebSocket.last.open());
      at(scheduler, 10, () => ws.close());
      expectObservable(names(connect$(ws, scheduler, { closeTimeout: 0, poll: 100000 }).pipe(tap((e) => seen.push(e))))).toBe('a (brp) 4ms (d|)', NAMES);
    });
    expect(FakeWebSocket.last.closeCalls).toEqual([{ code: 1000, reason: 'goodbye' }]);
    expect(seen.at(-1)).toMatchObject({ name: 'disconnected', reason: 'close timeout', graceful: false, receivedTime: 10 });
  });

  it('refuses close codes the DOM does not let scripts send, and long reasons, with RangeError', () => {
    const scheduler = newScheduler();
    const ws = new WebSocket(URL);
    const thrown: unknown[] = [];
    scheduler.run(() => {
      at(scheduler, 1, () => FakeWebSocket.last.open());
      at(scheduler, 2, () => {
        for (const [code, reason] of [[1001, ''], [2999, ''], [1000, 'x'.repeat(124)]] as const) {
          try {
            ws.close(code, reason);
          } catch (error) {
            thrown.push(error);
          }
        }
        ws.forceDisconnect();
      });
      connect$(ws, scheduler).subscribe();
    });
    expect(thrown).toEqual([
      new RangeError('close code 1001 is not allowed in browsers (1000 or 3000-4999)'),
      new RangeError('close code 2999 is not allowed in browsers (1000 or 3000-4999)'),
      new RangeError('close reason of 124 bytes exceeds 123'),
    ]);
  });

  it('forceDisconnect ends the stream at once with disconnected(graceful=false) and asks the browser to close', () => {
    const scheduler = newScheduler();
    const ws = new WebSocket(URL);
    const seen: WebSocketEvent[] = [];
    scheduler.run(({ expectObservable }) => {
      at(scheduler, 1, () => FakeWebSocket.last.open());
      at(scheduler, 10, () => ws.forceDisconnect());
      expectObservable(names(connect$(ws, scheduler).pipe(tap((e) => seen.push(e))))).toBe('a (brp) 4ms (d|)', NAMES);
    });
    expect(seen.at(-1)).toMatchObject({ reason: 'force disconnect', graceful: false });
    expect(FakeWebSocket.last.closeCalls).toHaveLength(1);
    expect(() => ws.forceDisconnect()).not.toThrow();
  });
});

describe('browser WebSocket state', () => {
  it('reports isActive, isClosing, isClosed, supportsCompression and bufferedAmount through the lifecycle', () => {
    const scheduler = newScheduler();
    const ws = new WebSocket(URL);
    const states: unknown[] = [];
    const snapshot = (): void => {
      states.push([ws.isActive, ws.isClosing, ws.isClosed, ws.supportsCompression, ws.bufferedAmount]);
    };
    scheduler.run(() => {
      at(scheduler, 1, () => {
        FakeWebSocket.last.open('', 'permessage-deflate');
        FakeWebSocket.last.bufferedAmount = 42;
      });
      at(scheduler, 2, snapshot);
      at(scheduler, 3, () => ws.close());
      at(scheduler, 4, snapshot);
      at(scheduler, 5, () => FakeWebSocket.last.finishClose());
      at(scheduler, 6, snapshot);
      snapshot();
      connect$(ws, scheduler).subscribe();
    });
    expect(states).toEqual([
      [false, false, false, false, 0],
      [true, false, false, true, 42],
      [false, true, false, true, 42],
      [false, false, true, false, 42],
    ]);
  });

  it('reports isSecure from the URL scheme', () => {
    expect([new WebSocket('wss://a.test/').isSecure, new WebSocket('ws://a.test/').isSecure, new WebSocket('https://a.test/').isSecure]).toEqual([true, false, true]);
  });

  it('errors a second concurrent subscription with WebSocketUnavailableError and allows one after the first ended', () => {
    const scheduler = newScheduler();
    const ws = new WebSocket(URL);
    const log: string[] = [];
    scheduler.run(() => {
      connect$(ws, scheduler).subscribe({ complete: () => log.push('first complete') });
      connect$(ws, scheduler).subscribe({ error: (error: Error) => log.push(`${error.name}: ${error.message}`) });
      at(scheduler, 1, () => FakeWebSocket.last.fail());
      at(scheduler, 2, () => {
        connect$(ws, scheduler, { connectTimeout: 10 }).subscribe((event) => log.push(`third ${event.name}`));
      });
    });
    expect(log).toEqual([
      'WebSocketUnavailableError: websocket already has a live connection',
      'first complete',
      'third connecting',
      'third connect_fail',
    ]);
    expect(FakeWebSocket.instances).toHaveLength(2);
  });
  it('frees the live slot when the subscriber unsubscribes', () => {
    const scheduler = newScheduler();
    const ws = new WebSocket(URL);
    const log: string[] = [];
    scheduler.run(() => {
      const first = connect$(ws, scheduler).subscribe();
      at(scheduler, 1, () => first.unsubscribe());
      at(scheduler, 2, () => {
        connect$(ws, scheduler).subscribe({ next: (event) => log.push(`second ${event.name}`), error: (error: Error) => log.push(error.message) });
      });
      at(scheduler, 3, () => FakeWebSocket.last.fail());
    });
    expect(log).toEqual(['second connecting', 'second connect_fail']);
    expect(FakeWebSocket.instances).toHaveLength(2);
  });

  it('passes a missing native WebSocket on as an error and allows a new subscription after it', () => {
    restore();
    restore = FakeWebSocket.remove();
    const ws = new WebSocket(URL);
    const errors: string[] = [];
    ws.connect$().subscribe({ error: (error: Error) => errors.push(error.message) });
    ws.connect$().subscribe({ error: (error: Error) => errors.push(error.message) });
    expect(errors).toEqual(['globalThis.WebSocket is not available', 'globalThis.WebSocket is not available']);
  });
});

describe('browser WebSocket options', () => {
  it('rejects Node-only options at construction', () => {
    expect(() => new WebSocket(URL, { headers: {} } as never)).toThrow(new TypeError('option headers is not available in browsers: the browser controls it'));
  });

  it('rejects ping options when connect$ is called', () => {
    const ws = new WebSocket(URL);
    expect(() => ws.connect$({ pingRate: 1000 } as never)).toThrow(TypeError);
  });

  it('rejects an invalid URL at construction', () => {
    expect(() => new WebSocket('ftp://example.test/')).toThrow(new TypeError('invalid url scheme ftp:'));
  });
});
