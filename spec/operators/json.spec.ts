/** @test {json} — text events to parsed values; a message that is not JSON is skipped, never fatal. */
import { map, type Observable } from 'rxjs';
import { events, type Text, type WebSocketEvent } from '../../lib/events/events.js';
import { json } from '../../lib/operators/json.js';
import { persist } from '../../lib/operators/persist.js';
import { connect$ } from '../../lib/connect.js';
import { createTestServer } from '../../lib/testing.js';
import { newScheduler } from '../helpers/marbles.js';

const VALUES: Record<string, WebSocketEvent> = {
  r: events.poll(0),
  a: events.text('{"a":1}', 0),
  x: events.text('{oops', 0),
  l: events.text('[2]', 0),
  b: events.binary(new Uint8Array([1]), 0),
  s: events.text('"s"', 0),
};

describe('json', () => {
  it('maps text events to their JSON value, passes no other event, and skips text that is not JSON', () => {
    const scheduler = newScheduler();
    scheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
      const source = cold('-r-a-x-b-l-s-|', VALUES);
      expectObservable(source.pipe(json())).toBe('---a-----l-s-|', { a: { a: 1 }, l: [2], s: 's' });
      expectSubscriptions(source.subscriptions).toBe('^------------!');
    });
  });

  it('reports each skipped message to onInvalid with the event and the SyntaxError', () => {
    const scheduler = newScheduler();
    const invalid: Array<[string, unknown]> = [];
    scheduler.run(({ cold, expectObservable }) => {
      const source = cold('-x-a-x|', VALUES);
      expectObservable(source.pipe(json({ onInvalid: (event, error) => invalid.push([event.text, error]) }))).toBe('---a--|', { a: { a: 1 } });
    });
    expect(invalid.map(([text]) => text)).toEqual(['{oops', '{oops']);
    expect(invalid.every(([, error]) => error instanceof SyntaxError)).toBe(true);
  });

  it('passes errors and unsubscription through, and errors when onInvalid itself throws', () => {
    const scheduler = newScheduler();
    scheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
      const failing = cold('-a-#', VALUES, new Error('boom'));
      expectObservable(failing.pipe(json())).toBe('-a-#', { a: { a: 1 } }, new Error('boom'));
      const endless = cold('-a-----', VALUES);
      expectObservable(endless.pipe(json()), '^--!').toBe('-a-', { a: { a: 1 } });
      expectSubscriptions(endless.subscriptions).toBe('^--!');
      const strict = cold('-x-a', VALUES).pipe(
        json({
          onInvalid: () => {
            throw new TypeError('strict feed');
          },
        }),
      );
      expectObservable(strict).toBe('-#', undefined, new TypeError('strict feed'));
    });
  });

  it('types the values with its type parameter and accepts a stream of text events', () => {
    const texts$: Observable<Text> = newScheduler().createColdObservable<Text>('');
    const prices$: Observable<number> = texts$.pipe(
      json<{ price: number }>(),
      map((tick) => tick.price),
    );
    expect(prices$).toBeDefined();
  });

  it('rejects invalid options at the call', () => {
    expect(() => json({ onInvalid: 'log' as never })).toThrow(new TypeError('onInvalid must be a function, got string'));
    expect(() => json(null as never)).toThrow(new TypeError('json options must be an object, got null'));
  });

  it('keeps a persistent feed alive past a message that is not JSON (the README pipeline)', () => {
    const scheduler = newScheduler();
    scheduler.run(({ expectObservable }) => {
      const server = createTestServer(scheduler);
      server.at(10, () => server.sendText('{"price":1}'));
      server.at(20, () => server.sendText('<html>maintenance</html>'));
      server.at(30, () => server.sendText('{"price":2}'));
      server.at(40, () => server.drop());
      server.at(1100, () => server.sendText('{"price":3}'));
      const prices$ = connect$('ws://feed.test/', { transport: server.transport, scheduler, pingRate: 0, poll: 60_000 }).pipe(
        persist({ minWait: 1000, maxWait: 1000, scheduler }),
        json<{ price: number }>(),
        map((tick) => tick.price),
      );
      expectObservable(prices$, '^ 1200ms !').toBe('10ms a 19ms b 1069ms c', { a: 1, b: 2, c: 3 });
    });
  });
});
