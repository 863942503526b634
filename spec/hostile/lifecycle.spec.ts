/**
 * Hostile-proof, lifecycle details: how a connection ends when the server
 * resets TCP after the close handshake, when the app forces a disconnect
 * while connecting, with `closeTimeout: 0`, and how liveness is judged.
 */
import { map, tap, type Observable } from 'rxjs';
import { connect$ } from '../../lib/connect.js';
import { WebSocket } from '../../lib/websocket.js';
import type { WebSocketEvent } from '../../lib/events/events.js';
import { createTestServer } from '../../lib/testing.js';
import { runCase } from '../conformance/client-harness.js';
import { close as closeFrame, closeWith, send, text, untilFrames } from '../conformance/steps.js';
import { Opcode } from '../../lib/core/opcode.js';
import { NAMES, newScheduler } from '../helpers/marbles.js';

const URL = 'ws://example.test/';
const names = (events$: Observable<WebSocketEvent>): Observable<string> => events$.pipe(map((e) => e.name));

describe('the end after a completed close handshake', () => {
  it('is graceful when the server resets TCP right after its close (server-initiated, as Autobahn ends every case)', async () => {
    const run = await runCase({ steps: [closeWith(1000), untilFrames(Opcode.CLOSE, 1), (ctx) => ctx.destroy()], onClientClose: 'ignore' });
    expect(run.closeCode).toBe(1000);
    expect(run.events.map((e) => e.name)).toEqual(['connecting', 'connected', 'ready', 'poll', 'closing', 'closed', 'disconnected']);
    expect(run.events.at(-1)).toMatchObject({ name: 'disconnected', graceful: true, reason: 'closed' });
  });

  it('is graceful when the server resets TCP right after echoing our close', async () => {
    let closed!: () => void;
    const clientSawClosed = new Promise<void>((resolve) => (closed = resolve));
    const run = await runCase(
      {
        steps: [
          send(text('hi')),
          untilFrames(Opcode.CLOSE, 1),
          send(closeFrame(1000)),
          // The reset comes once the client has read the echo (a reset can discard unread bytes).
          () => clientSawClosed,
          (ctx) => ctx.destroy(),
        ],
        onClientClose: 'ignore',
      },
      {
        echo: false,
        onEvent: (event, ws) => {
          if (event.name === 'text') ws.close(1000, 'bye');
          if (event.name === 'closed') closed();
        },
      },
    );
    expect(run.closeCode).toBe(1000);
    expect(run.events.at(-1)).toMatchObject({ name: 'disconnected', graceful: true });
  });

  it('is not graceful when the server resets TCP before answering our close', async () => {
    const run = await runCase({ steps: [untilFrames(Opcode.CLOSE, 1), (ctx) => ctx.destroy()], onClientClose: 'ignore' }, { onReady: (ws) => ws.close() });
    expect(run.server.frames[0]!.opcode).toBe(Opcode.CLOSE);
    expect(run.events.at(-1)).toMatchObject({ name: 'disconnected', graceful: false });
  });
});

describe('forceDisconnect()', () => {
  it('while connecting ends with connect_fail, as a connection that never got its answer', () => {
    const scheduler = newScheduler();
    const seen: WebSocketEvent[] = [];
    scheduler.run(({ expectObservable }) => {
      const server = createTestServer(scheduler, { autoAccept: false });
      const ws = new WebSocket(URL, { transport: server.transport });
      server.at(5, () => ws.forceDisconnect());
      const events$ = ws.connect$({ scheduler, pingRate: 0 }).pipe(tap((e) => seen.push(e)));
      expectObservable(names(events$), '^ 10ms !').toBe('(ab) 1ms (f|)', NAMES);
    });
    expect(seen.at(-1)).toMatchObject({ name: 'connect_fail', reason: 'force disconnect' });
  });
});

describe('closeTimeout: 0', () => {
  it('unsubscribing still sends 1001, and the session ends without waiting for the server', () => {
    const scheduler = newScheduler();
    scheduler.run(({ expectObservable, cold }) => {
      const server = createTestServer(scheduler, { autoClose: false });
      const events$ = connect$(URL, { transport: server.transport, scheduler, pingRate: 0, poll: 60_000, closeTimeout: 0 });
      expectObservable(names(events$), '^ 10ms !').toBe('(abrp)', NAMES);
      server.at(20, () => {
        expect(server.current.clientCloseCode).toBe(1001);
        expect(server.current.clientClosed).toBe(true);
      });
      void cold;
    });
  });

  it('ws.close() sends the close frame and ends at once, not graceful (the handshake did not complete)', () => {
    const scheduler = newScheduler();
    const seen: WebSocketEvent[] = [];
    scheduler.run(({ expectObservable }) => {
      const server = createTestServer(scheduler, { autoClose: false });
      const ws = new WebSocket(URL, { transport: server.transport });
      server.at(10, () => ws.close(1000, 'bye'));
      const events$ = ws.connect$({ scheduler, pingRate: 0, poll: 60_000, closeTimeout: 0 }).pipe(tap((e) => seen.push(e)));
      expectObservable(names(events$)).toBe('(abrp) 4ms (d|)', NAMES);
      server.at(11, () => expect(server.current.clientCloseCode).toBe(1000));
    });
    expect(seen.at(-1)).toMatchObject({ name: 'disconnected', graceful: false, reason: 'close timeout' });
  });
});

describe('liveness', () => {
  it('a pong queued behind a large message does not make a healthy server unresponsive', () => {
    const scheduler = newScheduler();
    scheduler.run(({ expectObservable }) => {
      const server = createTestServer(scheduler, { autoPong: false });
      const events$ = connect$(URL, { transport: server.transport, scheduler, pingRate: 1000, pingTimeout: 1500, poll: 60_000 });
      // The server streams a big message slowly (a part every 1 s) and answers the pings only after it.
      server.at(1, () => {
        for (let t = 0; t < 4; t++) server.at(t * 1000, () => server.current.sendRaw(Uint8Array.of(t === 0 ? 0x02 : 0x00, 0x01, 0x61)));
        server.at(4000, () => server.current.sendRaw(Uint8Array.of(0x80, 0x01, 0x62)));
        server.at(4001, () => server.sendPong(''));
      });
      expectObservable(names(events$), '^ 5000ms !').toBe('(abrp) 3995ms y o', NAMES);
    });
  });
});

describe('forceDisconnect() with messages still inflating', () => {
  it('ends the session at once, without waiting for zlib', async () => {
    const { deflateRawSync } = await import('node:zlib');
    const { serverFrame } = await import('../../lib/testing/server-frames.js');
    const deflated = deflateRawSync(Buffer.alloc(32 * 1024 * 1024), { finishFlush: 2 });
    const big = serverFrame(Opcode.BINARY, deflated.subarray(0, deflated.length - 4), { rsv1: true });
    let inflatedBeforeEnd = false;
    const run = await runCase(
      { steps: [send(big, text('after'))], extensions: 'permessage-deflate' },
      {
        ws: { compress: true },
        echo: false,
        // The 32 MiB message is still inflating a turn of the event loop after ready (with the old path, the end waited for it).
        onEvent: (event, ws) => {
          if (event.name === 'binary') inflatedBeforeEnd = true;
          if (event.name === 'poll') setImmediate(() => ws.forceDisconnect());
        },
      },
    );
    expect(run.events.at(-1)).toMatchObject({ name: 'disconnected', graceful: false, reason: 'force disconnect' });
    expect(inflatedBeforeEnd).toBe(false);
  });
});
