/**
 * connect$ lifecycles (SPEC "Lifecycles"), driven in virtual time through
 * lomond/testing's scripted server.
 */
import { filter, takeWhile, tap, type Observable, type SchedulerAction } from 'rxjs';
import { connect$ } from '../lib/connect.js';
import type { WebSocketEvent } from '../lib/events/events.js';
import { Opcode } from '../lib/core/opcode.js';
import { createTestServer, type TestServer, type TestServerOptions } from '../lib/testing.js';
import type { ConnectOptions } from '../lib/session/options.js';
import { NAMES, names, newScheduler } from './helpers/marbles.js';
import type { TestScheduler } from 'rxjs/testing';

const URL = 'ws://example.test/feed';

function setup(scheduler: TestScheduler, serverOptions?: TestServerOptions, options?: ConnectOptions): { server: TestServer; events$: Observable<WebSocketEvent> } {
  const server = createTestServer(scheduler, serverOptions);
  const events$ = connect$(URL, { transport: server.transport, scheduler, pingRate: 0, ...options });
  return { server, events$ };
}

/** Collects events with their receivedTime inside a run. */
function record(events$: Observable<WebSocketEvent>, into: WebSocketEvent[]): Observable<WebSocketEvent> {
  return events$.pipe(tap((event) => into.push(event)));
}

describe('connect$ lifecycles in virtual time', () => {
  it('emits connecting → connected → ready → poll at once, then polls every `poll` ms', () => {
    const scheduler = newScheduler();
    scheduler.run(({ expectObservable }) => {
      const { events$ } = setup(scheduler, {}, { poll: 1000 });
      expectObservable(names(events$), '^ 2500ms !').toBe('(abrp) 994ms p 999ms p', NAMES);
    });
  });

  it('sends a ping at ready and then every pingRate ms', () => {
    const scheduler = newScheduler();
    let server!: TestServer;
    scheduler.run(({ expectObservable }) => {
      const s = setup(scheduler, {}, { pingRate: 10000, poll: 60000 });
      server = s.server;
      expectObservable(names(s.events$.pipe(filter((e) => e.name !== 'pong'))), '^ 25000ms !').toBe('(abrp)', NAMES);
    });
    const pings = server.current.frames.filter((f) => f.opcode === Opcode.PING).map((f) => f.time);
    expect(pings).toEqual([0, 10000, 20000]);
  });

  // One timer serves both when one period divides the other (the defaults: poll 5 s, pingRate 30 s): the same
  // polls and pings, at the same times and in the same order (poll first), as one timer each would give.
  it.each([
    ['poll divides pingRate', 1000, 3000, [0, 3000, 6000, 9000]],
    ['pingRate divides poll', 3000, 1000, [0, 1000, 2000, 3000, 4000, 5000, 6000, 7000, 8000, 9000]],
    ['equal periods', 2000, 2000, [0, 2000, 4000, 6000, 8000]],
    ['neither divides the other', 3000, 2000, [0, 2000, 4000, 6000, 8000]],
  ])('polls every `poll` and pings every `pingRate` ms (%s)', (_, poll, pingRate, pingTimes) => {
    const scheduler = newScheduler();
    let server!: TestServer;
    const seen: WebSocketEvent[] = [];
    scheduler.run(({ expectObservable }) => {
      const s = setup(scheduler, {}, { pingRate, poll });
      server = s.server;
      expectObservable(record(s.events$, seen).pipe(filter(() => false)), '^ 9500ms !').toBe('');
    });
    const pings = server.current.frames.filter((f) => f.opcode === Opcode.PING).map((f) => f.time);
    expect(pings).toEqual(pingTimes);
    const polls = seen.filter((e) => e.name === 'poll').map((e) => e.receivedTime);
    expect(polls).toEqual(Array.from({ length: Math.floor(9500 / poll) + 1 }, (_, i) => i * poll));
    // A pong answers each ping (the scripted server answers at once): pongs at the ping times, after the poll due then.
    const order = seen.filter((e) => e.name === 'poll' || e.name === 'pong').map((e) => `${e.name}@${e.receivedTime}`);
    for (const t of pingTimes) if (t % poll === 0 && t > 0) expect(order.indexOf(`poll@${t}`)).toBeLessThan(order.indexOf(`pong@${t}`));
    expect(order.filter((e) => e.startsWith('pong')).map((e) => Number(e.split('@')[1]))).toEqual(pingTimes);
  });

  it('stops pinging when a poll ends the session within a tick shared with a ping', () => {
    const scheduler = newScheduler();
    let server!: TestServer;
    scheduler.run(({ expectObservable }) => {
      const s = setup(scheduler, {}, { pingRate: 2000, poll: 1000 });
      server = s.server;
      let polls = 0;
      // The third poll (at 2000 ms, when a ping is due too) unsubscribes: no ping then, nor after.
      const untilThirdPoll = s.events$.pipe(takeWhile((e) => e.name !== 'poll' || ++polls < 3, true));
      expectObservable(names(untilThirdPoll.pipe(filter((e) => e.name !== 'pong'))), '^ 5000ms !').toBe('(abrp) 994ms p 999ms (p|)', NAMES);
    });
    const pings = server.current.frames.filter((f) => f.opcode === Opcode.PING).map((f) => f.time);
    expect(pings).toEqual([0]);
  });

  it.each([
    ['one timer for both', 1000, 3000],
    ['a timer each', 3000, 2000],
  ])('leaves no timer behind when the session ends (%s)', (_, poll, pingRate) => {
    const scheduler = newScheduler();
    scheduler.run(({ expectObservable, flush }) => {
      const { events$ } = setup(scheduler, {}, { pingRate, poll });
      expectObservable(names(events$.pipe(filter((e) => e.name !== 'pong'))), '^ 4500ms !').toBe('(abrp) ' + (poll === 1000 ? '994ms p 999ms p 999ms p 999ms p' : '2994ms p'), NAMES);
      // Unsubscribed at 4500 ms: the close handshake runs with the scripted server; at 20 s nothing else is scheduled
      // (a timer left behind would also keep the flush going for ever: the check ends it with the count).
      let left = -1;
      scheduler.schedule(function (this: SchedulerAction<unknown>) {
        left = scheduler.actions.filter((action) => !action.closed && action !== this).length;
        if (left > 0) throw new Error(`${left} actions still scheduled`);
      }, 20000);
      flush();
      expect(left).toBe(0);
    });
  });

  it('reports the server answers to pings as pong events', () => {
    const scheduler = newScheduler();
    scheduler.run(({ expectObservable }) => {
      const { events$ } = setup(scheduler, {}, { pingRate: 1000, poll: 60000 });
      expectObservable(names(events$), '^ 1500ms !').toBe('(abrpo) 993ms o', NAMES);
    });
  });

  it('goes unresponsive and disconnects when no pong arrives within pingTimeout', () => {
    const scheduler = newScheduler();
    const seen: WebSocketEvent[] = [];
    scheduler.run(({ expectObservable }) => {
      const { server, events$ } = setup(scheduler, { autoPong: false }, { pingRate: 1000, pingTimeout: 3000, poll: 60000 });
      expectObservable(names(record(events$, seen))).toBe('(abrp) 2994ms (ud|)', NAMES);
      void server;
    });
    expect(seen.at(-1)).toMatchObject({ name: 'disconnected', graceful: false, reason: 'unresponsive', receivedTime: 3000 });
  });

  it('stops the pingTimeout clock once the close handshake started: after closed only disconnected follows', () => {
    const scheduler = newScheduler();
    const seen: WebSocketEvent[] = [];
    scheduler.run(({ expectObservable }) => {
      const { server, events$ } = setup(scheduler, { autoPong: false, autoClose: false }, { pingRate: 1000, pingTimeout: 3000, closeTimeout: 5000, poll: 60000 });
      // A raw close frame: the scripted server then keeps TCP open after the client's echo.
      server.at(500, () => server.current.sendFrame(Opcode.CLOSE, Uint8Array.of(0x03, 0xe8)));
      expectObservable(names(record(events$, seen))).toBe('(abrp) 494ms (gc) 4996ms (d|)', NAMES);
    });
    expect(seen.some((event) => event.name === 'unresponsive')).toBe(false);
    expect(seen.at(-1)).toMatchObject({ name: 'disconnected', reason: 'close timeout' });
  });

  it('measures pingTimeout from the last pong', () => {
    const scheduler = newScheduler();
    scheduler.run(({ expectObservable }) => {
      const { server, events$ } = setup(scheduler, { autoPong: false }, { pingRate: 1000, pingTimeout: 3000, poll: 60000 });
      server.at(2000, () => server.sendPong('late'));
      expectObservable(names(events$)).toBe('(abrp) 1994ms o 2999ms (ud|)', NAMES);
    });
  });

  it('measures pingTimeout from the last frame of any kind: a server busy sending data is alive', () => {
    const scheduler = newScheduler();
    scheduler.run(({ expectObservable }) => {
      const { server, events$ } = setup(scheduler, { autoPong: false }, { pingRate: 1000, pingTimeout: 3000, poll: 60000 });
      server.at(2000, () => server.sendText('busy'));
      server.at(4500, () => server.sendBinary(new Uint8Array(3)));
      expectObservable(names(events$)).toBe('(abrp) 1994ms t 2499ms y 2999ms (ud|)', NAMES);
    });
  });

  it('ends with connect_fail when the server accepts TCP and stays silent past connectTimeout', () => {
    const scheduler = newScheduler();
    const seen: WebSocketEvent[] = [];
    scheduler.run(({ expectObservable }) => {
      const { events$ } = setup(scheduler, { autoAccept: false }, { connectTimeout: 5000 });
      expectObservable(names(record(events$, seen))).toBe('(ab) 4996ms (f|)', NAMES);
    });
    expect(seen.at(-1)).toMatchObject({ name: 'connect_fail', reason: 'connect timeout after 5000 ms' });
  });

  it('ends with connect_fail when the transport cannot connect', () => {
    const scheduler = newScheduler();
    const seen: WebSocketEvent[] = [];
    scheduler.run(({ expectObservable }) => {
      const { server, events$ } = setup(scheduler);
      server.refuse('connect ECONNREFUSED 127.0.0.1:9');
      expectObservable(names(record(events$, seen))).toBe('(af|)', NAMES);
    });
    expect(seen[1]).toMatchObject({ name: 'connect_fail', reason: 'connect ECONNREFUSED 127.0.0.1:9' });
  });

  it('emits rejected and a graceful disconnected for a 403 answer', () => {
    const scheduler = newScheduler();
    const seen: WebSocketEvent[] = [];
    scheduler.run(({ expectObservable }) => {
      const { server, events$ } = setup(scheduler, { autoAccept: false });
      server.at(10, () => server.reject(403, 'Forbidden', { 'X-Why': 'no' }, 'go away'));
      expectObservable(names(record(events$, seen))).toBe('(ab) 6ms (jd|)', NAMES);
    });
    expect(seen[2]).toMatchObject({ name: 'rejected', reason: 'expected status 101, got 403 Forbidden' });
    const rejected = seen[2] as Extract<WebSocketEvent, { name: 'rejected' }>;
    expect(rejected.response.statusCode).toBe(403);
    expect(rejected.response.get('x-why')).toBe('no');
    expect(seen[3]).toMatchObject({ name: 'disconnected', graceful: true });
  });

  it('delivers text and binary messages', () => {
    const scheduler = newScheduler();
    const seen: WebSocketEvent[] = [];
    scheduler.run(({ expectObservable }) => {
      const { server, events$ } = setup(scheduler, {}, { poll: 60000 });
      server.at(6, () => server.sendText('héllo'));
      server.at(7, () => server.sendBinary(new Uint8Array([1, 2, 3])));
      expectObservable(names(record(events$, seen)), '^ 10ms !').toBe('(abrp) ty', NAMES);
    });
    expect(seen[4]).toMatchObject({ name: 'text', text: 'héllo', receivedTime: 6 });
    expect(Array.from((seen[5] as { data: Uint8Array }).data)).toEqual([1, 2, 3]);
  });

  it('completes the server-initiated close: closing → closed → disconnected(graceful)', () => {
    const scheduler = newScheduler();
    const seen: WebSocketEvent[] = [];
    let server!: TestServer;
    scheduler.run(({ expectObservable }) => {
      const s = setup(scheduler, {}, { poll: 60000 });
      server = s.server;
      server.at(50, () => server.sendClose(1000, 'bye'));
      expectObservable(names(record(s.events$, seen))).toBe('(abrp) 44ms (gcd|)', NAMES);
    });
    expect(seen[4]).toMatchObject({ name: 'closing', code: 1000, reason: 'bye' });
    expect(seen[5]).toMatchObject({ name: 'closed', code: 1000, reason: 'bye' });
    expect(seen[6]).toMatchObject({ name: 'disconnected', graceful: true });
    expect(server.current.clientCloseCode).toBe(1000);
  });

  it('ends with disconnected(graceful=false) when the server drops TCP', () => {
    const scheduler = newScheduler();
    const seen: WebSocketEvent[] = [];
    scheduler.run(({ expectObservable }) => {
      const { server, events$ } = setup(scheduler, {}, { poll: 60000 });
      server.at(20, () => server.drop());
      expectObservable(names(record(events$, seen))).toBe('(abrp) 14ms (d|)', NAMES);
    });
    expect(seen.at(-1)).toMatchObject({ name: 'disconnected', graceful: false });
  });

  it('keeps a socket error text in disconnected.reason', () => {
    const scheduler = newScheduler();
    const seen: WebSocketEvent[] = [];
    scheduler.run(({ expectObservable }) => {
      const { server, events$ } = setup(scheduler, {}, { poll: 60000 });
      server.at(20, () => server.current.fail('read ECONNRESET'));
      expectObservable(names(record(events$, seen))).toBe('(abrp) 14ms (d|)', NAMES);
    });
    expect(seen.at(-1)).toMatchObject({ name: 'disconnected', graceful: false, reason: 'read ECONNRESET' });
  });
});

describe('connect$ protocol violations', () => {
  it('sends close 1002 for a reserved opcode and waits for the server', () => {
    const scheduler = newScheduler();
    const seen: WebSocketEvent[] = [];
    let server!: TestServer;
    scheduler.run(({ expectObservable }) => {
      const s = setup(scheduler, {}, { poll: 60000 });
      server = s.server;
      server.at(10, () => server.current.sendFrame(0x3, 'x'));
      expectObservable(names(record(s.events$, seen))).toBe('(abrp) 4ms (ed|)', NAMES);
    });
    expect(seen[4]).toMatchObject({ name: 'protocol_error', critical: false });
    expect(seen[5]).toMatchObject({ name: 'disconnected', graceful: false });
    expect(server.current.clientCloseCode).toBe(1002);
  });

  it('waits closeTimeout for a server that ignores the failing close', () => {
    const scheduler = newScheduler();
    scheduler.run(({ expectObservable }) => {
      const { server, events$ } = setup(scheduler, { autoClose: false }, { poll: 60000, closeTimeout: 1000 });
      server.at(10, () => server.current.sendFrame(0x3, 'x'));
      expectObservable(names(events$)).toBe('(abrp) 4ms e 999ms (d|)', NAMES);
    });
  });

  it('drops at once, without a close frame, for a masked server frame (critical)', () => {
    const scheduler = newScheduler();
    const seen: WebSocketEvent[] = [];
    let server!: TestServer;
    scheduler.run(({ expectObservable }) => {
      const s = setup(scheduler, {}, { poll: 60000 });
      server = s.server;
      server.at(10, () => server.current.sendFrame(Opcode.TEXT, 'x', { maskKey: new Uint8Array([1, 2, 3, 4]) }));
      expectObservable(names(record(s.events$, seen))).toBe('(abrp) 4ms (ed|)', NAMES);
    });
    expect(seen[4]).toMatchObject({ name: 'protocol_error', critical: true });
    expect(server.current.clientCloseCode).toBeUndefined();
  });

  it('sends close 1007 for invalid UTF-8', () => {
    const scheduler = newScheduler();
    let server!: TestServer;
    scheduler.run(({ expectObservable }) => {
      const s = setup(scheduler, {}, { poll: 60000 });
      server = s.server;
      server.at(10, () => server.current.sendFrame(Opcode.TEXT, new Uint8Array([0x68, 0xc0, 0x80])));
      expectObservable(names(s.events$)).toBe('(abrp) 4ms (ed|)', NAMES);
    });
    expect(server.current.clientCloseCode).toBe(1007);
  });

  it('never echoes an invalid close code: answers 1002 instead', () => {
    const scheduler = newScheduler();
    let server!: TestServer;
    scheduler.run(({ expectObservable }) => {
      const s = setup(scheduler, {}, { poll: 60000 });
      server = s.server;
      server.at(10, () => server.current.sendClose(1005, ''));
      expectObservable(names(s.events$)).toBe('(abrp) 4ms (ed|)', NAMES);
    });
    expect(server.current.clientCloseCode).toBe(1002);
  });

  it('sends close 1009 for a frame over maxPayload', () => {
    const scheduler = newScheduler();
    let server!: TestServer;
    scheduler.run(({ expectObservable }) => {
      const s = setup(scheduler, {}, { poll: 60000, maxPayload: 10 });
      server = s.server;
      server.at(10, () => server.sendText('more than ten bytes'));
      expectObservable(names(s.events$)).toBe('(abrp) 4ms (ed|)', NAMES);
    });
    expect(server.current.clientCloseCode).toBe(1009);
  });
});
