import { TestScheduler } from 'rxjs/testing';
import { connect$, json } from 'lomond/browser';
import { createTestServer, installTestWebSocket, type TestServer } from 'lomond/testing';

let scheduler: TestScheduler;
let server: TestServer;
let restore: () => void;
beforeEach(() => {
  scheduler = new TestScheduler((a, b) => expect(a).toEqual(b));
  server = createTestServer(scheduler);
  restore = installTestWebSocket(server); // globalThis.WebSocket = server.WebSocket
});
afterEach(() => restore());

it('runs the browser build against the test server', () => {
  scheduler.run(({ expectObservable }) => {
    server.at(10, () => server.sendText('{"price":1}'));
    expectObservable(connect$('ws://feed.test/', { scheduler }).pipe(json()), '^ 20ms !').toBe('10ms a', { a: { price: 1 } });
  });
});
