/**
 * The heartbeat's behaviour (SPEC `heartbeat`), written once and run against
 * both builds: the Node session (pipeline/heartbeat) through the test
 * server's transport, and the browser session (native-session) through the
 * test server's DOM-shaped WebSocket. Same server, same marbles.
 */
import { Subscription, map, tap, type Observable } from 'rxjs';
import type { TestScheduler } from 'rxjs/testing';
import { Opcode } from '../../lib/core/opcode.js';
import type { WebSocketEvent } from '../../lib/events/events.js';
import { isText } from '../../lib/events/guards.js';
import type { HeartbeatOptions } from '../../lib/connection/heartbeat.js';
import { persist } from '../../lib/operators/persist.js';
import { createTestServer, type TestServer, type TestServerOptions } from '../../lib/testing.js';
import { NAMES, names, newScheduler } from './marbles.js';

/** How a build connects to a test server with a heartbeat. */
export interface HeartbeatBuild {
  readonly name: string;
  /** Runs `body` with whatever the build needs installed (the browser's global WebSocket). */
  around(server: TestServer, body: () => void): void;
  connect$(server: TestServer, scheduler: TestScheduler, heartbeat: HeartbeatOptions | undefined): Observable<WebSocketEvent>;
  /** Throws the build's validation error for these options. */
  validate(heartbeat: unknown): void;
}

const texts = (server: TestServer, opcode = Opcode.TEXT): number[] => server.current.frames.filter((f) => f.opcode === opcode).map((f) => f.time);

/** Runs `body` in virtual time against a fresh test server. */
function run(build: HeartbeatBuild, serverOptions: TestServerOptions, body: (server: TestServer, scheduler: TestScheduler, helpers: { expectObservable: TestScheduler['expectObservable'] }) => void): TestServer {
  const scheduler = newScheduler();
  const server = createTestServer(scheduler, serverOptions);
  build.around(server, () => scheduler.run(({ expectObservable }) => body(server, scheduler, { expectObservable })));
  return server;
}

/** Defines the heartbeat cases for `build`. */
export function describeHeartbeat(build: HeartbeatBuild): void {
  describe(`heartbeat (${build.name})`, () => {
    it('sends the message every interval from ready on, and stays up while the server answers', () => {
      const server = run(build, { echo: true }, (server, scheduler, { expectObservable }) => {
        const events$ = build.connect$(server, scheduler, { interval: 100, timeout: 50, message: 'ping' });
        expectObservable(names(events$), '^ 350ms !').toBe('(abrp) 94ms t 99ms t 99ms t', NAMES);
      });
      expect(texts(server)).toEqual([100, 200, 300]);
      expect(server.current.texts).toEqual(['ping', 'ping', 'ping']);
    });

    it('emits unresponsive and disconnects when no message at all arrives within timeout', () => {
      const seen: WebSocketEvent[] = [];
      run(build, {}, (server, scheduler, { expectObservable }) => {
        const events$ = build.connect$(server, scheduler, { interval: 100, timeout: 50, message: 'ping' }).pipe(tap((e) => seen.push(e)));
        expectObservable(names(events$)).toBe('(abrp) 144ms (ud|)', NAMES);
      });
      expect(seen.at(-1)).toMatchObject({ name: 'disconnected', reason: 'unresponsive', graceful: false });
    });

    it('with isReply, only an accepted event answers: other messages do not count', () => {
      run(build, { echo: true }, (server, scheduler, { expectObservable }) => {
        const isReply = (e: WebSocketEvent): boolean => isText(e) && e.text === 'pong';
        const events$ = build.connect$(server, scheduler, { interval: 100, timeout: 50, message: 'ping', isReply });
        expectObservable(names(events$)).toBe('(abrp) 94ms t 49ms (ud|)', NAMES);
      });
    });

    it('with isReply, a reply answers every heartbeat still waiting', () => {
      run(build, {}, (server, scheduler, { expectObservable }) => {
        const isReply = (e: WebSocketEvent): boolean => isText(e) && e.text === 'pong';
        server.at(120, () => server.sendText('noise'));
        server.at(130, () => server.sendText('pong'));
        const events$ = build.connect$(server, scheduler, { interval: 100, timeout: 50, message: 'ping', isReply });
        // Answered at 130; the heartbeat of 200 gets no reply: unresponsive at 250.
        expectObservable(names(events$)).toBe('(abrp) 114ms t 9ms t 119ms (ud|)', NAMES);
      });
    });

    it('counts from the oldest unanswered heartbeat when timeout is longer than interval', () => {
      const server = run(build, {}, (server, scheduler, { expectObservable }) => {
        const events$ = build.connect$(server, scheduler, { interval: 100, timeout: 250, message: 'ping' });
        expectObservable(names(events$)).toBe('(abrp) 344ms (ud|)', NAMES);
      });
      expect(texts(server)).toEqual([100, 200, 300]);
    });

    it('calls a message function at each heartbeat and sends bytes as binary', () => {
      let calls = 0;
      const server = run(build, { echo: true }, (server, scheduler, { expectObservable }) => {
        const message = (): string | Uint8Array => (++calls % 2 === 1 ? `beat ${calls}` : new Uint8Array([calls]));
        const events$ = build.connect$(server, scheduler, { interval: 100, timeout: 50, message });
        expectObservable(names(events$), '^ 250ms !').toBe('(abrp) 94ms t 99ms y', NAMES);
      });
      expect(server.current.texts).toEqual(['beat 1']);
      expect(server.current.frames.filter((f) => f.opcode === Opcode.BINARY).map((f) => [...f.payload])).toEqual([[2]]);
    });

    it('lets persist reconnect after unresponsive', () => {
      const server = run(build, {}, (server, scheduler, { expectObservable }) => {
        const events$ = build
          .connect$(server, scheduler, { interval: 100, timeout: 50, message: 'ping' })
          .pipe(persist({ minWait: 1000, maxWait: 1000, scheduler }));
        expectObservable(names(events$), '^ 1200ms !').toBe('(abrp) 144ms (udk) 995ms (abrp)', NAMES);
      });
      expect(server.connections).toHaveLength(2);
    });

    it('ends the connection with the reason when message() or isReply() throws', () => {
      const reasons: string[] = [];
      run(build, { echo: true }, (server, scheduler) => {
        const collect = (e: WebSocketEvent): void => {
          if (e.name === 'disconnected') reasons.push(e.reason);
        };
        build
          .connect$(server, scheduler, {
            interval: 100,
            timeout: 50,
            message: () => {
              throw new Error('no token');
            },
          })
          .subscribe(collect);
        build
          .connect$(server, scheduler, {
            interval: 100,
            timeout: 50,
            message: 'ping',
            isReply: () => {
              throw new Error('bad reply check');
            },
          })
          .subscribe(collect);
        build.connect$(server, scheduler, { interval: 100, timeout: 50, message: () => 42 as never }).subscribe(collect);
      });
      expect(reasons.sort()).toEqual([
        'heartbeat failed: bad reply check',
        'heartbeat failed: heartbeat.message must return a string or a Uint8Array, got number',
        'heartbeat failed: no token',
      ]);
    });

    it('stops sending when the subscriber leaves', () => {
      const server = run(build, { echo: true }, (server, scheduler) => {
        const subscription = new Subscription();
        subscription.add(build.connect$(server, scheduler, { interval: 100, timeout: 50, message: 'ping' }).subscribe());
        server.at(250, () => subscription.unsubscribe());
        server.at(1000, () => undefined);
      });
      expect(texts(server)).toEqual([100, 200]);
    });

    it('is off without the option: no message is sent', () => {
      const server = run(build, {}, (server, scheduler, { expectObservable }) => {
        expectObservable(names(build.connect$(server, scheduler, undefined)), '^ 1000ms !').toBe('(abrp)', NAMES);
      });
      expect(texts(server)).toEqual([]);
    });

    it('rejects invalid options at the call, naming the field and the value', () => {
      expect(() => build.validate(null)).toThrow(new TypeError('heartbeat must be an object, got null'));
      expect(() => build.validate({ timeout: 5, message: 'x' })).toThrow(new TypeError('heartbeat.interval must be a number, got undefined'));
      expect(() => build.validate({ interval: 5, message: 'x' })).toThrow(new TypeError('heartbeat.timeout must be a number, got undefined'));
      expect(() => build.validate({ interval: 0, timeout: 5, message: 'x' })).toThrow(RangeError);
      expect(() => build.validate({ interval: 5, timeout: 2 ** 31, message: 'x' })).toThrow(
        new RangeError('heartbeat.timeout must be a finite number >= 1 and <= 2147483647, got 2147483648'),
      );
      expect(() => build.validate({ interval: 5, timeout: 5, message: 7 })).toThrow(new TypeError('heartbeat.message must be a string or a function, got number'));
      expect(() => build.validate({ interval: 5, timeout: 5, message: 'x', isReply: 'pong' })).toThrow(
        new TypeError('heartbeat.isReply must be a function, got string'),
      );
      expect(() => build.validate({ interval: 5, timeout: 5, message: 'x' })).not.toThrow();
    });

    it('copies the option: changing it afterwards changes nothing', () => {
      const server = run(build, { echo: true }, (server, scheduler, { expectObservable }) => {
        const options = { interval: 100, timeout: 50, message: 'ping' };
        const events$ = build.connect$(server, scheduler, options);
        options.message = 'changed';
        options.interval = 10;
        expectObservable(events$.pipe(map((e) => e.name)), '^ 150ms !').toBe('(abrp) 94ms t', NAMES);
      });
      expect(server.current.texts).toEqual(['ping']);
    });
  });
}
