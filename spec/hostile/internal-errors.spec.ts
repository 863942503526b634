/**
 * Hostile-proof, containment: an unexpected exception inside lomond (a bug,
 * a custom transport that throws, a resource the platform refuses) ends that
 * one connection with `disconnected(graceful=false)` and a reason starting
 * `internal error:` — never an uncaught exception, never another connection.
 */
import { map, tap, type Observable } from 'rxjs';
import { connect$ } from '../../lib/connect.js';
import type { WebSocketEvent } from '../../lib/events/events.js';
import { createTestServer } from '../../lib/testing.js';
import type { Transport, TransportEvent } from '../../lib/transports/transport.js';
import { NAMES, newScheduler } from '../helpers/marbles.js';

const URL = 'ws://example.test/';
const names = (events$: Observable<WebSocketEvent>): Observable<string> => events$.pipe(map((e) => e.name));

/** A transport whose write side throws from the `failAt`-th write on (the upgrade request is not a write). */
function throwingWrites(inner: Transport, failAt: number): Transport {
  return {
    open: (target) =>
      inner.open(target).pipe(
        map((event): TransportEvent => {
          if (event.type !== 'open') return event;
          let writes = 0;
          const connection = event.connection;
          return {
            ...event,
            connection: {
              ...connection,
              write: (data) => {
                if (++writes >= failAt) throw new Error('write EPIPE');
                connection.write(data);
              },
            },
          };
        }),
      ),
  };
}

describe('an unexpected exception', () => {
  it('in the receive path ends that connection with an internal error, and the other one goes on', () => {
    const scheduler = newScheduler();
    const seen: WebSocketEvent[] = [];
    scheduler.run(({ expectObservable }) => {
      const server = createTestServer(scheduler);
      const broken$ = connect$(URL, { transport: server.transport, scheduler, pingRate: 0, poll: 1000 }).pipe(tap((e) => seen.push(e)));
      const healthy$ = connect$(URL, { transport: server.transport, scheduler, pingRate: 0, poll: 1000 });
      // Not bytes: the parser fails with a TypeError, which is no protocol error.
      server.at(10, () => server.connections[0]!.sendRaw(null as unknown as Uint8Array));
      server.at(20, () => server.connections[1]!.sendFrame(1, 'still here'));
      expectObservable(names(broken$), '^ 3000ms !').toBe('(abrp) 4ms (d|)', NAMES);
      expectObservable(names(healthy$), '^ 3000ms !').toBe('(abrp) 14ms t 979ms p 999ms p 999ms p', NAMES);
    });
    expect(seen.at(-1)).toMatchObject({ name: 'disconnected', graceful: false });
    expect((seen.at(-1) as { reason: string }).reason).toMatch(/^internal error: /);
  });

  it('in a timer (a ping written to a transport that throws) ends that connection with an internal error', () => {
    const scheduler = newScheduler();
    const seen: WebSocketEvent[] = [];
    scheduler.run(({ expectObservable }) => {
      const server = createTestServer(scheduler);
      const events$ = connect$(URL, { transport: throwingWrites(server.transport, 2), scheduler, pingRate: 100, poll: 60_000 }).pipe(tap((e) => seen.push(e)));
      expectObservable(names(events$), '^ 3000ms !').toBe('(abrpo) 93ms (d|)', NAMES);
    });
    expect(seen.at(-1)).toMatchObject({ name: 'disconnected', graceful: false, reason: 'internal error: write EPIPE', receivedTime: 100 });
  });

  it('while connecting ends the attempt with connect_fail and an internal error', () => {
    const scheduler = newScheduler();
    const seen: WebSocketEvent[] = [];
    scheduler.run(({ expectObservable }) => {
      const server = createTestServer(scheduler, { autoAccept: false });
      const events$ = connect$(URL, { transport: server.transport, scheduler, pingRate: 0 }).pipe(tap((e) => seen.push(e)));
      server.at(5, () => server.current.sendRaw({ length: 1, subarray: () => { throw new Error('bad chunk'); } } as unknown as Uint8Array));
      expectObservable(names(events$), '^ 3000ms !').toBe('(ab) 1ms (f|)', NAMES);
    });
    expect(seen.at(-1)).toMatchObject({ name: 'connect_fail' });
    expect((seen.at(-1) as { reason: string }).reason).toMatch(/^internal error: /);
  });
});
