/**
 * NativeConnection: the state behind the browser WebSocket's sends, checked
 * directly with a fake socket and recorded hooks.
 */
import { VirtualTimeScheduler } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { DRAIN_POLL_MS, NativeConnection } from '../../lib/connection/native-connection.js';
import { WebSocketClosedError, WebSocketUnavailableError } from '../../lib/core/errors.js';
import { FakeWebSocket } from '../browser/fake-web-socket.js';

function setup(): { conn: NativeConnection; socket: FakeWebSocket; calls: string[] } {
  const calls: string[] = [];
  const conn = new NativeConnection('ws://example.test/', new VirtualTimeScheduler(), {
    closeStarted: () => calls.push('closeStarted'),
    forceEnd: (reason) => calls.push(`forceEnd ${reason}`),
  });
  const socket = new FakeWebSocket('ws://example.test/');
  return { conn, socket, calls };
}

describe('NativeConnection', () => {
  it('refuses to send before a socket is attached and after the connection ended', () => {
    const { conn } = setup();
    expect(() => conn.sendText('x')).toThrow(new WebSocketUnavailableError('websocket is not connected'));
    conn.phase = 'open';
    expect(() => conn.sendText('x')).toThrow(new WebSocketUnavailableError('websocket is not connected'));
    conn.phase = 'ended';
    expect(() => conn.sendBinary(new Uint8Array(1))).toThrow(new WebSocketClosedError('websocket is closed'));
  });

  it('fails an open connection once: records the reason, closes without a code and starts the close timer', () => {
    const { conn, socket, calls } = setup();
    conn.socket = socket;
    conn.phase = 'open';
    socket.open();
    conn.fail('too big');
    conn.fail('again');
    expect([conn.failure, socket.closeCalls, calls, conn.isClosing]).toEqual(['too big', [{ code: undefined, reason: undefined }], ['closeStarted'], true]);
  });

  it('does not fail a connection that is not open', () => {
    const { conn, calls } = setup();
    conn.fail('too big');
    expect([conn.failure, calls]).toEqual([null, []]);
  });

  it('hands forceDisconnect to the session until the connection ended', () => {
    const { conn, calls } = setup();
    conn.forceDisconnect();
    conn.phase = 'ended';
    conn.forceDisconnect();
    expect(calls).toEqual(['forceEnd force disconnect']);
  });

  it('reports no compression and nothing buffered without a socket', () => {
    const { conn } = setup();
    expect([conn.supportsCompression, conn.bufferedAmount, conn.isActive, conn.isClosing]).toEqual([false, 0, false, false]);
  });
});

describe('NativeConnection.drain$ (marbles)', () => {
  const newScheduler = (): TestScheduler => new TestScheduler((actual, expected) => expect(actual).toEqual(expected));
  function open(scheduler: TestScheduler, buffered: number): { conn: NativeConnection; socket: { bufferedAmount: number } } {
    const conn = new NativeConnection('ws://example.test/', scheduler, { closeStarted: () => undefined, forceEnd: () => undefined });
    const socket = new FakeWebSocket('ws://example.test/') as unknown as { bufferedAmount: number };
    Object.defineProperty(socket, 'bufferedAmount', { value: buffered, writable: true });
    conn.socket = socket as never;
    conn.phase = 'open';
    return { conn, socket };
  }

  it('emits at once when the browser holds no more than the mark', () => {
    const scheduler = newScheduler();
    scheduler.run(({ expectObservable }) => {
      const { conn } = open(scheduler, 100);
      expectObservable(conn.drain$(100)).toBe('(x|)', { x: undefined });
    });
  });

  it(`looks every ${DRAIN_POLL_MS} ms while someone waits, and emits at the first look at or below the mark`, () => {
    const scheduler = newScheduler();
    scheduler.run(({ expectObservable }) => {
      const { conn, socket } = open(scheduler, 5000);
      scheduler.schedule(() => (socket.bufferedAmount = 10), 25);
      expectObservable(conn.drain$(10)).toBe('30ms (x|)', { x: undefined });
    });
  });

  it('errors with WebSocketClosedError when the connection ends first', () => {
    const scheduler = newScheduler();
    scheduler.run(({ expectObservable }) => {
      const { conn } = open(scheduler, 5000);
      scheduler.schedule(() => (conn.phase = 'ended'), 15);
      expectObservable(conn.drain$(0)).toBe('20ms #', undefined, new WebSocketClosedError('websocket closed before its buffered data was sent'));
    });
  });
});
