/**
 * The app-close mark (lib/events/app-close.ts): only the last event of a
 * connection that the application itself closed with `ws.close()` carries it,
 * in the Node build and in the browser build.
 */
import { isAppClose, markAppClose } from '../../lib/events/app-close.js';
import { events, type WebSocketEvent } from '../../lib/events/events.js';
import { WebSocket } from '../../lib/websocket.js';
import { WebSocket as BrowserWebSocket } from '../../lib/browser/websocket.js';
import { createTestServer, type TestServer } from '../../lib/testing.js';
import { newScheduler } from '../helpers/marbles.js';
import { FakeWebSocket } from '../browser/fake-web-socket.js';

const session = { pingRate: 0, poll: 1_000_000 };

describe('markAppClose / isAppClose', () => {
  it('marks exactly the event it was given', () => {
    const final = events.disconnected('closed', true, 0);
    expect(markAppClose(final)).toBe(final);
    expect(isAppClose(final)).toBe(true);
    expect(isAppClose(events.disconnected('closed', true, 0))).toBe(false); // an equal event, not the same
  });
});

describe('the Node session marks', () => {
  /** Every event of one connection, with `script` run against the server and the object. */
  function run(script: (server: TestServer, ws: WebSocket) => void, options: { closeTimeout?: number; autoClose?: boolean } = {}): WebSocketEvent[] {
    const scheduler = newScheduler();
    const seen: WebSocketEvent[] = [];
    scheduler.run(() => {
      const server = createTestServer(scheduler, { autoClose: options.autoClose ?? true });
      const ws = new WebSocket('ws://example.test/', { transport: server.transport });
      ws.connect$({ ...session, closeTimeout: options.closeTimeout, scheduler }).subscribe((e) => seen.push(e));
      script(server, ws);
    });
    return seen;
  }

  it("the final disconnected of the application's ws.close()", () => {
    const seen = run((server, ws) => server.at(10, () => ws.close()));
    expect(seen.map((e) => e.name).slice(-2)).toEqual(['closed', 'disconnected']);
    expect(seen.map(isAppClose)).toEqual(seen.map((_, i) => i === seen.length - 1));
  });

  it('also a disconnected(graceful=false) after closeTimeout, when the server never answered the close', () => {
    const seen = run((server, ws) => server.at(10, () => ws.close()), { closeTimeout: 100, autoClose: false });
    expect(seen.at(-1)).toMatchObject({ name: 'disconnected', graceful: false });
    expect(isAppClose(seen.at(-1)!)).toBe(true);
  });

  it.each([
    ['a server close', (server: TestServer) => server.at(10, () => server.sendClose(4001, 'auth expired'))],
    ['a dropped connection', (server: TestServer) => server.at(10, () => server.drop())],
    ['a protocol error (lomond sends the close frame, 1002)', (server: TestServer) => server.at(10, () => server.current.sendFrame(0x3))],
    ['a forceDisconnect()', (server: TestServer, ws: WebSocket) => server.at(10, () => ws.forceDisconnect())],
  ])('not the end of %s', (_name, script) => {
    const seen = run(script);
    expect(seen.at(-1)!.name).toBe('disconnected');
    expect(seen.some(isAppClose)).toBe(false);
  });
});

describe('the browser session marks', () => {
  let restore: () => void;
  beforeEach(() => (restore = FakeWebSocket.install()));
  afterEach(() => restore());

  function run(script: (ws: BrowserWebSocket) => void): WebSocketEvent[] {
    const scheduler = newScheduler();
    const seen: WebSocketEvent[] = [];
    scheduler.run(() => {
      const ws = new BrowserWebSocket('wss://example.test/', { maxMessageSize: 4 });
      ws.connect$({ poll: 60_000, scheduler }).subscribe((e) => seen.push(e));
      scheduler.schedule(() => FakeWebSocket.last.open(), 1);
      scheduler.schedule(() => script(ws), 10);
    });
    return seen;
  }

  it("the final disconnected of the application's ws.close()", () => {
    const seen = run((ws) => {
      ws.close();
      FakeWebSocket.last.finishClose();
    });
    expect(seen.at(-1)!.name).toBe('disconnected');
    expect(seen.map(isAppClose)).toEqual(seen.map((_, i) => i === seen.length - 1));
  });

  it.each([
    ['a server close', () => FakeWebSocket.last.serverClose(4001, 'auth expired')],
    ['a network failure', () => FakeWebSocket.last.fail()],
    ["lomond's own failure (a message over maxMessageSize)", () => (FakeWebSocket.last.message('12345'), FakeWebSocket.last.finishClose())],
  ])('not the end of %s', (_name, script) => {
    const seen = run(script);
    expect(seen.at(-1)!.name).toBe('disconnected');
    expect(seen.some(isAppClose)).toBe(false);
  });
});
