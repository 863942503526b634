/**
 * lomond/testing's DOM-shaped WebSocket: the browser build driven by the same
 * scripted server as the Node build, in virtual time, and the DOM's own rules.
 */
import { Subscription, map, tap } from 'rxjs';
import type { TestScheduler } from 'rxjs/testing';
import { connect$ } from '../../lib/browser/connect.js';
import { WebSocket } from '../../lib/browser/websocket.js';
import { persist } from '../../lib/operators/persist.js';
import { Opcode } from '../../lib/core/opcode.js';
import type { WebSocketEvent } from '../../lib/events/events.js';
import { createTestServer, installTestWebSocket, type TestServer } from '../../lib/testing.js';
import type { TestWebSocketEvent } from '../../lib/testing/test-web-socket.js';
import { NAMES, names, newScheduler } from '../helpers/marbles.js';

const URL = 'ws://feed.test/ticker';
const OPTIONS = { poll: 60_000 };

/**
 * Runs `body` in virtual time with the server's WebSocket installed, restoring the global afterwards. What
 * `body` subscribes through `track` is unsubscribed at 5 s (an open connection polls forever otherwise).
 */
function withServer(body: (server: TestServer, scheduler: TestScheduler, track: (s: Subscription) => void) => void): TestServer {
  const scheduler = newScheduler();
  let server!: TestServer;
  scheduler.run(() => {
    server = createTestServer(scheduler);
    const restore = installTestWebSocket(server);
    const tracked = new Subscription();
    scheduler.schedule(() => tracked.unsubscribe(), 5000);
    try {
      body(server, scheduler, (subscription) => tracked.add(subscription));
      scheduler.flush();
    } finally {
      restore();
    }
  });
  return server;
}

describe('the browser build over createTestServer (installTestWebSocket)', () => {
  it('runs the normal lifecycle and a server close: closing, closed, disconnected(graceful)', () => {
    const seen: WebSocketEvent[] = [];
    const server = withServer((server, scheduler) => {
      server.at(10, () => server.sendText('{"price":1}'));
      server.at(20, () => server.sendClose(1000, 'bye'));
      connect$(URL, { scheduler, ...OPTIONS }).subscribe((event) => seen.push(event));
    });
    expect(seen.map((e) => `${e.name}@${e.receivedTime}`)).toEqual([
      'connecting@0',
      'connected@0',
      'ready@0',
      'poll@0',
      'text@10',
      'closing@20',
      'closed@20',
      'disconnected@20',
    ]);
    expect(seen.at(-1)).toMatchObject({ graceful: true });
    expect(server.current.clientCloseCode).toBe(1000); // the browser echoed the server's close
    expect(server.current.frames.every((frame) => frame.masked)).toBe(true);
  });

  it('reaches the server with what the app sends, masked, and delivers binary messages as Uint8Array', () => {
    const binaries: Uint8Array[] = [];
    const server = withServer((server, scheduler) => {
      server.at(5, () => server.sendBinary(new Uint8Array([1, 2, 3])));
      const ws = new WebSocket(URL);
      const subscription = ws.connect$({ scheduler, ...OPTIONS }).subscribe((event) => {
        if (event.name === 'ready') {
          ws.sendText('subscribe');
          ws.sendBinary(new Uint8Array([9]));
        }
        if (event.name === 'binary') binaries.push(event.data);
      });
      server.at(50, () => subscription.unsubscribe());
    });
    expect(server.current.texts).toEqual(['subscribe']);
    expect(server.current.frames.filter((f) => f.opcode === Opcode.BINARY).map((f) => [...f.payload])).toEqual([[9]]);
    expect(binaries.map((b) => [...b])).toEqual([[1, 2, 3]]);
    // Unsubscribing closes with 1000 "going away" (the DOM forbids 1001).
    const close = server.current.frames.find((f) => f.opcode === Opcode.CLOSE)!;
    expect([close.time, server.current.clientCloseCode, new TextDecoder().decode(close.payload.subarray(2))]).toEqual([50, 1000, 'going away']);
  });

  it("ends with closed and disconnected(graceful) after the app's close()", () => {
    const seen: string[] = [];
    withServer((server, scheduler) => {
      const ws = new WebSocket(URL);
      ws.connect$({ scheduler, ...OPTIONS }).subscribe((event) => seen.push(event.name === 'closed' ? `closed ${event.code} ${event.reason}` : event.name));
      server.at(10, () => ws.close(1000, 'done'));
    });
    expect(seen.slice(-2)).toEqual(['closed 1000 done', 'disconnected']);
  });

  it('reconnects with persist after a server drop, in virtual time', () => {
    const scheduler = newScheduler();
    scheduler.run(({ expectObservable }) => {
      const server = createTestServer(scheduler);
      const restore = installTestWebSocket(server);
      server.at(100, () => server.drop());
      const events$ = connect$(URL, { scheduler, ...OPTIONS }).pipe(persist({ minWait: 1000, maxWait: 10_000, random: () => 0.5, scheduler }));
      expectObservable(names(events$), '^ 1700ms !').toBe('(abrp) 94ms (dk) 1496ms (abrp)', NAMES);
      scheduler.schedule(() => restore(), 1701);
    });
  });

  it('fails to connect when the server rejects the upgrade, refuses the connection, or answers a wrong accept', () => {
    const ends: string[] = [];
    const collect = (event: WebSocketEvent): void => {
      if (event.name === 'connect_fail') ends.push(event.name);
    };
    withServer((server, scheduler, track) => {
      const rejecting = createTestServer(scheduler, { autoAccept: false });
      track(connect$(URL, { scheduler, ...OPTIONS }).subscribe(collect));
      server.refuse();
      server.at(10, () => connect$(URL, { scheduler }).subscribe(collect));
      server.at(20, () => {
        server.allow();
        const restore = installTestWebSocket(rejecting);
        connect$(URL, { scheduler }).subscribe(collect);
        connect$(URL, { scheduler }).subscribe(collect);
        restore();
      });
      server.at(30, () => {
        rejecting.connections[0]!.reject(403);
        rejecting.connections[1]!.accept({ accept: 'wrong' });
      });
    });
    // The first attempt (autoAccept) opened; the refused one and both rejected ones failed.
    expect(ends).toEqual(['connect_fail', 'connect_fail', 'connect_fail']);
  });

  it('answers pings itself and fails the connection with 1002 on a reserved opcode', () => {
    const seen: string[] = [];
    const server = withServer((server, scheduler) => {
      server.at(5, () => server.sendPing('are you there'));
      server.at(10, () => server.current.sendFrame(0x3, 'x'));
      connect$(URL, { scheduler, ...OPTIONS })
        .pipe(map((e) => (e.name === 'disconnected' ? `disconnected ${e.graceful}` : e.name)))
        .subscribe((name) => seen.push(name));
    });
    const pong = server.current.frames.find((f) => f.opcode === Opcode.PONG)!;
    expect(new TextDecoder().decode(pong.payload)).toBe('are you there');
    expect(server.current.clientCloseCode).toBe(1002);
    expect(seen.slice(-1)).toEqual(['disconnected false']);
  });

  it('offers the protocols and reports the one the server chose', () => {
    let protocol: string | null = null;
    const server = withServer((_server, scheduler, track) => {
      track(
        connect$(URL, { scheduler, protocols: ['v2', 'v1'], ...OPTIONS })
          .pipe(tap((e) => e.name === 'ready' && (protocol = e.protocol)))
          .subscribe(),
      );
    });
    expect(server.current.requestHeader('sec-websocket-protocol')).toBe('v2, v1');
    expect(protocol).toBeNull(); // the server chose none
  });
});

describe('TestWebSocket: the DOM rules', () => {
  it('throws SyntaxError for a bad URL, InvalidStateError for a send while connecting, InvalidAccessError for close code 1001', () => {
    const scheduler = newScheduler();
    const server = createTestServer(scheduler);
    expect(() => new server.WebSocket('http//nope')).toThrow(expect.objectContaining({ name: 'SyntaxError' }));
    expect(() => new server.WebSocket('ftp://feed.test/')).toThrow(expect.objectContaining({ name: 'SyntaxError', message: 'invalid url scheme ftp:' }));
    const socket = new server.WebSocket(URL);
    expect(() => socket.send('early')).toThrow(expect.objectContaining({ name: 'InvalidStateError' }));
    expect(() => socket.close(1001)).toThrow(expect.objectContaining({ name: 'InvalidAccessError', message: 'invalid close code 1001' }));
    expect(() => socket.close(1000, 'x'.repeat(124))).toThrow(expect.objectContaining({ name: 'SyntaxError' }));
  });

  it('dispatches to on* handlers and listeners: open, message (ArrayBuffer or Blob), close with the server code', () => {
    const scheduler = newScheduler();
    const seen: string[] = [];
    scheduler.run(() => {
      const server = createTestServer(scheduler);
      const socket = new server.WebSocket(URL, 'chat');
      const listener = (event: TestWebSocketEvent): void => {
        seen.push(`listener ${event.type}`);
      };
      socket.addEventListener('message', listener);
      socket.onopen = () => seen.push(`open ${socket.readyState}`);
      socket.onmessage = (event) => seen.push(`message ${typeof event.data === 'string' ? event.data : Object.prototype.toString.call(event.data)}`);
      socket.onclose = (event) => seen.push(`close ${event.code} ${event.reason} ${event.wasClean} ${socket.readyState}`);
      server.at(1, () => server.sendText('hi'));
      server.at(2, () => {
        socket.removeEventListener('message', listener);
        server.sendBinary(new Uint8Array([1]));
      });
      server.at(3, () => {
        socket.binaryType = 'arraybuffer';
        server.sendBinary(new Uint8Array([2]));
      });
      server.at(4, () => server.sendClose(4000, 'later'));
    });
    expect(seen).toEqual([
      'open 1',
      'message hi',
      'listener message',
      'message [object Blob]',
      'message [object ArrayBuffer]',
      'close 4000 later true 3',
    ]);
  });

  it('reports a dropped connection as error then close 1006, not clean; close() while connecting closes as a task', () => {
    const scheduler = newScheduler();
    const seen: string[] = [];
    scheduler.run(() => {
      const server = createTestServer(scheduler);
      const dropped = new server.WebSocket(URL);
      dropped.onerror = () => seen.push('dropped error');
      dropped.onclose = (event) => seen.push(`dropped close ${event.code} ${event.wasClean}`);
      server.at(5, () => server.drop());
      server.at(10, () => {
        const abandoned = new server.WebSocket(URL);
        abandoned.onclose = (event) => seen.push(`abandoned close ${event.code} ${event.wasClean} at ${scheduler.now()}`);
        abandoned.close();
        seen.push(`abandoned readyState ${abandoned.readyState}`);
      });
    });
    expect(seen).toEqual(['dropped error', 'dropped close 1006 false', 'abandoned readyState 2', 'abandoned close 1006 false at 10']);
  });

  it('installTestWebSocket puts the previous global back', () => {
    const before = (globalThis as { WebSocket?: unknown }).WebSocket;
    const server = createTestServer(newScheduler());
    const restore = installTestWebSocket(server);
    expect((globalThis as { WebSocket?: unknown }).WebSocket).toBe(server.WebSocket);
    restore();
    expect((globalThis as { WebSocket?: unknown }).WebSocket).toBe(before);
    expect(Object.prototype.hasOwnProperty.call(globalThis, 'WebSocket')).toBe(before !== undefined);
  });
});
