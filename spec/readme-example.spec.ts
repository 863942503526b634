/** The README's marble examples, kept honest. */
import { TestScheduler } from 'rxjs/testing';
import { map } from 'rxjs';
import { connect$, persist } from '../lib/index.js';
import { connect$ as browserConnect$, json } from '../lib/browser.js';
import { createTestServer, installTestWebSocket } from '../lib/testing.js';

it('reconnects after the server drops, waiting 1.5 s', () => {
  const scheduler = new TestScheduler((a, b) => expect(a).toEqual(b));
  scheduler.run(({ expectObservable }) => {
    const server = createTestServer(scheduler);
    server.at(100, () => server.drop());
    const names$ = connect$('ws://feed.test/', { transport: server.transport, scheduler, pingRate: 0, poll: 60_000 }).pipe(
      persist({ minWait: 1000, maxWait: 10_000, random: () => 0.5, scheduler }),
      map((e) => e.name),
    );
    expectObservable(names$, '^ 1700ms !').toBe('(abrp) 94ms (dk) 1496ms (abrp)', {
      a: 'connecting', b: 'connected', r: 'ready', p: 'poll', d: 'disconnected', k: 'back_off',
    });
  });
});

it("drives the browser build with the test server's WebSocket (README, lomond/testing)", () => {
  const scheduler = new TestScheduler((a, b) => expect(a).toEqual(b));
  scheduler.run(({ expectObservable }) => {
    const server = createTestServer(scheduler);
    const restore = installTestWebSocket(server);
    server.at(10, () => server.sendText('{"price":1}'));
    expectObservable(browserConnect$('ws://feed.test/', { scheduler }).pipe(json()), '^ 20ms !').toBe('10ms a', { a: { price: 1 } });
    scheduler.schedule(() => restore(), 30);
  });
});
