/**
 * nativeSession$ lifecycles over a fake DOM WebSocket, in virtual time.
 */
import { tap, type Observable } from 'rxjs';
import type { TestScheduler } from 'rxjs/testing';
import { nativeSession$ } from '../../lib/session/native-session.js';
import type { WebSocketEvent } from '../../lib/events/events.js';
import { NAMES, names, newScheduler } from '../helpers/marbles.js';
import { FakeWebSocket } from '../browser/fake-web-socket.js';

const URL = 'ws://example.test/feed';

let restore: () => void;
beforeEach(() => {
  restore = FakeWebSocket.install();
});
afterEach(() => restore());

function session$(scheduler: TestScheduler, options: { poll?: number; closeTimeout?: number; connectTimeout?: number } = {}, maxMessageSize?: number): Observable<WebSocketEvent> {
  const resolved = { poll: 60000, closeTimeout: 30000, connectTimeout: 30000, ...options, scheduler };
  return nativeSession$(URL, { protocols: ['chat'], maxMessageSize }, resolved);
}

/** Runs `step` on the newest fake socket after `delay` virtual ms. */
function at(scheduler: TestScheduler, delay: number, step: (socket: FakeWebSocket) => void): void {
  scheduler.schedule(() => step(FakeWebSocket.last), delay);
}

function record(events$: Observable<WebSocketEvent>, into: WebSocketEvent[]): Observable<WebSocketEvent> {
  return events$.pipe(tap((event) => into.push(event)));
}

/** Subscribes for `ms` virtual ms (the poll timer never ends on its own), collecting the events. */
function collect(scheduler: TestScheduler, events$: Observable<WebSocketEvent>, into: WebSocketEvent[], ms = 100): void {
  const subscription = record(events$, into).subscribe();
  scheduler.schedule(() => subscription.unsubscribe(), ms);
}

describe('nativeSession$ opening', () => {
  it('emits connecting at once, then connected, ready and poll together at the open event, then polls every `poll` ms', () => {
    const scheduler = newScheduler();
    scheduler.run(({ expectObservable }) => {
      at(scheduler, 10, (socket) => socket.open());
      expectObservable(names(session$(scheduler, { poll: 1000 })), '^ 2500ms !').toBe('a 9ms (brp) 995ms p 999ms p', NAMES);
    });
  });

  it('constructs the native socket with the URL and protocols and asks for ArrayBuffers', () => {
    const scheduler = newScheduler();
    scheduler.run(() => {
      collect(scheduler, session$(scheduler), []);
    });
    expect(FakeWebSocket.last).toMatchObject({ url: URL, protocols: ['chat'], binaryType: 'arraybuffer' });
  });

  it('reports the negotiated protocol and extension names on ready, with a synthetic 101 response', () => {
    const scheduler = newScheduler();
    const seen: WebSocketEvent[] = [];
    scheduler.run(() => {
      at(scheduler, 5, (socket) => socket.open('chat', 'permessage-deflate; client_max_window_bits=15'));
      collect(scheduler, session$(scheduler), seen);
    });
    const ready = seen.find((e) => e.name === 'ready');
    expect(ready).toMatchObject({ protocol: 'chat', extensions: new Set(['permessage-deflate']), receivedTime: 5 });
    if (ready?.name !== 'ready') throw new Error('no ready event');
    expect([ready.response.statusCode, ready.response.get('sec-websocket-protocol')]).toEqual([101, 'chat']);
    expect(seen.find((e) => e.name === 'connected')).toMatchObject({ url: URL, proxy: null });
  });

  it('reports protocol null and no extensions when the server chose none', () => {
    const scheduler = newScheduler();
    const seen: WebSocketEvent[] = [];
    scheduler.run(() => {
      at(scheduler, 1, (socket) => socket.open());
      collect(scheduler, session$(scheduler), seen);
    });
    expect(seen.find((e) => e.name === 'ready')).toMatchObject({ protocol: null, extensions: new Set() });
  });
  it('ends at once and starts no poll timer when the ready handler calls forceDisconnect', () => {
    const scheduler = newScheduler();
    const seen: string[] = [];
    scheduler.run(() => {
      at(scheduler, 1, (socket) => socket.open());
      const conn: { current?: { forceDisconnect(): void } } = {};
      const options = { poll: 10, closeTimeout: 0, connectTimeout: 100, scheduler };
      nativeSession$(URL, {}, options, { onConnection: (c) => (conn.current = c) }).subscribe({
        next: (event) => {
          seen.push(event.name);
          if (event.name === 'ready') conn.current?.forceDisconnect();
        },
        complete: () => seen.push('complete'),
      });
    });
    expect(seen).toEqual(['connecting', 'connected', 'ready', 'disconnected', 'complete']);
  });
  it('emits one final event even when its handler calls forceDisconnect again', () => {
    const scheduler = newScheduler();
    const seen: string[] = [];
    scheduler.run(() => {
      at(scheduler, 1, (socket) => socket.open());
      at(scheduler, 2, (socket) => socket.serverClose());
      const conn: { current?: { forceDisconnect(): void } } = {};
      const options = { poll: 10, closeTimeout: 0, connectTimeout: 100, scheduler };
      nativeSession$(URL, {}, options, { onConnection: (c) => (conn.current = c) }).subscribe((event) => {
        seen.push(event.name);
        if (event.name === 'disconnected') conn.current?.forceDisconnect();
      });
    });
    expect(seen.filter((name) => name === 'disconnected')).toHaveLength(1);
  });
});

describe('nativeSession$ connect failures', () => {
  it('ends with connect_fail when the socket closes before it opened', () => {
    const scheduler = newScheduler();
    const seen: WebSocketEvent[] = [];
    scheduler.run(({ expectObservable }) => {
      at(scheduler, 20, (socket) => socket.fail());
      expectObservable(names(record(session$(scheduler), seen))).toBe('a 19ms (f|)', NAMES);
    });
    expect(seen.at(-1)).toEqual({ name: 'connect_fail', reason: 'websocket connection failed (code 1006)', receivedTime: 20 });
    expect(FakeWebSocket.last.detached).toBe(true);
  });

  it('ends with connect_fail carrying the message when the constructor throws', () => {
    const scheduler = newScheduler();
    const seen: WebSocketEvent[] = [];
    FakeWebSocket.throwOnConstruct = new Error("the port 25 is not allowed");
    scheduler.run(({ expectObservable }) => {
      expectObservable(names(record(session$(scheduler), seen))).toBe('(af|)', NAMES);
    });
    expect(seen.at(-1)).toMatchObject({ name: 'connect_fail', reason: 'the port 25 is not allowed' });
  });

  it('ends with connect_fail after connectTimeout and abandons the socket', () => {
    const scheduler = newScheduler();
    const seen: WebSocketEvent[] = [];
    scheduler.run(({ expectObservable }) => {
      expectObservable(names(record(session$(scheduler, { connectTimeout: 5000 }), seen))).toBe('a 4999ms (f|)', NAMES);
    });
    expect(seen.at(-1)).toMatchObject({ name: 'connect_fail', reason: 'connect timeout after 5000 ms' });
    expect(FakeWebSocket.last.closeCalls).toEqual([{ code: undefined, reason: undefined }]);
  });

  it('does not time out a connection that opened', () => {
    const scheduler = newScheduler();
    scheduler.run(({ expectObservable }) => {
      at(scheduler, 10, (socket) => socket.open());
      expectObservable(names(session$(scheduler, { connectTimeout: 50, poll: 60000 })), '^ 100ms !').toBe('a 9ms (brp)', NAMES);
    });
  });

  it('errors with a TypeError when there is no globalThis.WebSocket', () => {
    restore();
    restore = FakeWebSocket.remove();
    const scheduler = newScheduler();
    scheduler.run(({ expectObservable }) => {
      expectObservable(session$(scheduler)).toBe('#', undefined, new TypeError('globalThis.WebSocket is not available'));
    });
  });
});

describe('nativeSession$ messages', () => {
  it('emits text for strings and binary Uint8Arrays for ArrayBuffers', () => {
    const scheduler = newScheduler();
    const seen: WebSocketEvent[] = [];
    scheduler.run(({ expectObservable }) => {
      at(scheduler, 1, (socket) => socket.open());
      at(scheduler, 10, (socket) => socket.message('{"price":1}'));
      at(scheduler, 11, (socket) => socket.message(new Uint8Array([1, 2, 3])));
      expectObservable(names(record(session$(scheduler), seen)), '^ 20ms !').toBe('a (brp) 4ms t y', NAMES);
    });
    const [text, binary] = seen.filter((e) => e.name === 'text' || e.name === 'binary');
    expect(text).toMatchObject({ text: '{"price":1}', json: { price: 1 }, receivedTime: 10 });
    expect(binary).toEqual({ name: 'binary', data: new Uint8Array([1, 2, 3]), receivedTime: 11 });
  });

  it('fails the connection when a message exceeds maxMessageSize: protocol_error, close without code, disconnected(graceful=false)', () => {
    const scheduler = newScheduler();
    const seen: WebSocketEvent[] = [];
    scheduler.run(({ expectObservable }) => {
      at(scheduler, 1, (socket) => socket.open());
      at(scheduler, 10, (socket) => socket.message(new Uint8Array(9)));
      at(scheduler, 11, (socket) => socket.message('ignored after the failure'));
      at(scheduler, 12, (socket) => socket.finishClose());
      expectObservable(names(record(session$(scheduler, {}, 8), seen))).toBe('a (brp) 4ms e 1ms (d|)', NAMES);
    });
    expect(seen.find((e) => e.name === 'protocol_error')).toMatchObject({ error: 'message of 9 bytes exceeds 8', critical: false });
    expect(seen.at(-1)).toMatchObject({ name: 'disconnected', reason: 'message of 9 bytes exceeds 8', graceful: false });
    expect(FakeWebSocket.last.closeCalls).toEqual([{ code: undefined, reason: undefined }]);
  });

  it('measures text messages in UTF-8 bytes against maxMessageSize', () => {
    const scheduler = newScheduler();
    const seen: WebSocketEvent[] = [];
    scheduler.run(() => {
      at(scheduler, 1, (socket) => socket.open());
      at(scheduler, 2, (socket) => socket.message('éé'));
      at(scheduler, 3, (socket) => socket.message('ééé'));
      collect(scheduler, session$(scheduler, {}, 4), seen);
    });
    expect(seen.filter((e) => e.name === 'text' || e.name === 'protocol_error').map((e) => e.name)).toEqual(['text', 'protocol_error']);
  });
});

describe('nativeSession$ closing', () => {
  it('emits closing, closed and disconnected(graceful=true) when the server closes cleanly', () => {
    const scheduler = newScheduler();
    const seen: WebSocketEvent[] = [];
    scheduler.run(({ expectObservable }) => {
      at(scheduler, 1, (socket) => socket.open());
      at(scheduler, 10, (socket) => socket.serverClose(4000, 'maintenance'));
      expectObservable(names(record(session$(scheduler), seen))).toBe('a (brp) 4ms (gcd|)', NAMES);
    });
    expect(seen.slice(-3)).toEqual([
      { name: 'closing', code: 4000, reason: 'maintenance', receivedTime: 10 },
      { name: 'closed', code: 4000, reason: 'maintenance', receivedTime: 10 },
      { name: 'disconnected', reason: 'closed', graceful: true, receivedTime: 10 },
    ]);
  });

  it('ends with disconnected(graceful=false) when the connection is lost', () => {
    const scheduler = newScheduler();
    const seen: WebSocketEvent[] = [];
    scheduler.run(({ expectObservable }) => {
      at(scheduler, 1, (socket) => socket.open());
      at(scheduler, 10, (socket) => socket.fail());
      expectObservable(names(record(session$(scheduler), seen))).toBe('a (brp) 4ms (d|)', NAMES);
    });
    expect(seen.at(-1)).toMatchObject({ reason: 'connection closed abnormally (code 1006)', graceful: false });
    expect(FakeWebSocket.last.detached).toBe(true);
  });

  it('closes an open socket with 1000 "going away" on unsubscribe and emits nothing more', () => {
    const scheduler = newScheduler();
    scheduler.run(({ expectObservable }) => {
      at(scheduler, 1, (socket) => socket.open());
      at(scheduler, 8, (socket) => socket.message('too late'));
      expectObservable(names(session$(scheduler)), '^ 5ms !').toBe('a (brp)', NAMES);
    });
    expect(FakeWebSocket.last.closeCalls).toEqual([{ code: 1000, reason: 'going away' }]);
    expect(FakeWebSocket.last.detached).toBe(true);
  });

  it('abandons a socket still connecting on unsubscribe', () => {
    const scheduler = newScheduler();
    scheduler.run(({ expectObservable }) => {
      expectObservable(names(session$(scheduler)), '^ 5ms !').toBe('a', NAMES);
    });
    expect(FakeWebSocket.last.closeCalls).toEqual([{ code: undefined, reason: undefined }]);
  });

  it('leaves a socket alone on unsubscribe once the session ended', () => {
    const scheduler = newScheduler();
    scheduler.run(({ expectObservable }) => {
      at(scheduler, 1, (socket) => socket.open());
      at(scheduler, 6, (socket) => socket.serverClose());
      expectObservable(names(session$(scheduler)), '^ 10ms !').toBe('a (brp) (gcd|)', NAMES);
    });
    expect(FakeWebSocket.last.closeCalls).toEqual([]);
  });
});
