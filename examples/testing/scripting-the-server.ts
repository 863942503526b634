import { TestScheduler } from 'rxjs/testing';
import { filter, map } from 'rxjs';
import { connect$, persist } from 'lomond';
import { createTestServer } from 'lomond/testing';

let scheduler: TestScheduler;
beforeEach(() => (scheduler = new TestScheduler((a, b) => expect(a).toEqual(b))));

it('sees messages, then the server close', () => {
  scheduler.run(({ expectObservable }) => {
    const server = createTestServer(scheduler);
    server.at(10, () => server.sendText('hello'));
    server.at(20, () => server.sendBinary(new Uint8Array([1, 2])));
    server.at(30, () => server.sendClose(1000, 'bye')); // the client echoes, the server then ends TCP
    const events$ = connect$('ws://feed.test/', { transport: server.transport, scheduler, pingRate: 0, poll: 60_000 });
    expectObservable(events$.pipe(filter((e) => e.name === 'text' || e.name === 'binary' || e.name === 'closed'), map((e) => e.name)))
      .toBe('10ms t 9ms b 9ms (c|)', { t: 'text', b: 'binary', c: 'closed' });
  });
});

it('notices a server that stops answering pings', () => {
  scheduler.run(({ expectObservable }) => {
    const server = createTestServer(scheduler);
    server.mute(); // no pongs from now on
    const events$ = connect$('ws://feed.test/', { transport: server.transport, scheduler, pingRate: 1000, pingTimeout: 2500, poll: 60_000 });
    expectObservable(events$.pipe(filter((e) => e.name === 'unresponsive' || e.name === 'disconnected'), map((e) => e.name)))
      .toBe('2500ms (ud|)', { u: 'unresponsive', d: 'disconnected' });
  });
});

it('waits as long as Retry-After says when the upgrade is refused', () => {
  scheduler.run(({ expectObservable }) => {
    const server = createTestServer(scheduler, { autoAccept: false });
    server.at(10, () => server.reject(503, 'Service Unavailable', { 'Retry-After': '5' }, 'down for maintenance'));
    const waits$ = connect$('ws://feed.test/', { transport: server.transport, scheduler, pingRate: 0 }).pipe(
      persist({ minWait: 1000, maxWait: 30_000, scheduler }),
      filter((e) => e.name === 'back_off'),
      map((e) => e.delay),
    );
    expectObservable(waits$, '^ 1000ms !').toBe('10ms d', { d: 5000 });
  });
});
