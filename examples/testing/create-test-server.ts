import { TestScheduler } from 'rxjs/testing';
import { map } from 'rxjs';
import { connect$, persist } from 'lomond';
import { createTestServer } from 'lomond/testing';

it('reconnects after the server drops, waiting 1.5 s', () => {
  const scheduler = new TestScheduler((a, b) => expect(a).toEqual(b));
  scheduler.run(({ expectObservable }) => {
    const server = createTestServer(scheduler);
    server.at(100, () => server.drop());
    const names$ = connect$('ws://feed.test/', { transport: server.transport, scheduler, pingRate: 0, poll: 60_000 }).pipe(
      persist({ minWait: 1000, maxWait: 10_000, random: () => 0.5, scheduler }),
      map((e) => e.name),
    );
    // (abrp) = connecting, connected, ready, poll at 0 ms; a group of k letters takes k+2 frames
    expectObservable(names$, '^ 1700ms !').toBe('(abrp) 94ms (dk) 1496ms (abrp)', {
      a: 'connecting', b: 'connected', r: 'ready', p: 'poll', d: 'disconnected', k: 'back_off',
    });
  });
});
