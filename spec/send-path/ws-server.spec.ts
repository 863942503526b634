/**
 * The send path against the real `ws` server on 127.0.0.1, with and without
 * permessage-deflate: call order (with a close in the middle of a `closing`
 * handler), buffer ownership, `bufferedAmount` (compression queue included),
 * `drain$`, the offline queue across a persist reconnect, and `pause()` with
 * TCP backpressure seen from the server.
 */
import { randomBytes } from 'node:crypto';
import { filter, firstValueFrom, lastValueFrom, tap } from 'rxjs';
import { WebSocket } from '../../lib/websocket.js';
import { persist } from '../../lib/operators/persist.js';
import { SendQueueFullError, WebSocketClosedError } from '../../lib/core/errors.js';
import type { WebSocketEvent } from '../../lib/events/events.js';
import type { WebSocket as WsSocket } from 'ws';
import { startWsServer, type LocalWsServer } from '../helpers/ws-server.js';
import { waitFor } from '../helpers/wait-for.js';

const session = { pingRate: 0, poll: 60_000, closeTimeout: 5000, connectTimeout: 5000 };
const MiB = 1024 * 1024;

/** The index a test message carries: text `#<i> …`, binary: its first 4 bytes. */
function indexOf(data: Buffer, isBinary: boolean): number {
  return isBinary ? data.readUInt32BE(0) : Number(/^#(\d+)/.exec(data.toString())![1]);
}

/** Message `i` of the mixed sequence: small and large text and binary, compressed or not, a binary buffer reused. */
function sendMixed(ws: WebSocket, i: number, scratch: Uint8Array): void {
  switch (i % 6) {
    case 0:
      ws.sendText(`#${i}`);
      return;
    case 1:
      ws.sendText(`#${i} ${'lomond '.repeat(300)}`); // ≥ 1024 bytes: compressed when negotiated
      return;
    case 2: {
      scratch.fill(i & 0xff);
      new DataView(scratch.buffer, scratch.byteOffset).setUint32(0, i);
      ws.sendBinary(scratch.subarray(0, 16)); // then the caller overwrites `scratch` at once
      return;
    }
    case 3: {
      scratch.fill(i & 0xff);
      new DataView(scratch.buffer, scratch.byteOffset).setUint32(0, i);
      ws.sendBinary(scratch); // 4 KiB, compressed when negotiated, buffer reused by the next call
      return;
    }
    case 4:
      ws.sendText(`#${i} ${'x'.repeat(2000)}`, { compress: false });
      return;
    default:
      ws.sendJson({ i }); // '{"i":…}'
  }
}
const indexOfMixed = (data: Buffer, isBinary: boolean): number =>
  !isBinary && data[0] === 0x7b ? (JSON.parse(data.toString()) as { i: number }).i : indexOf(data, isBinary);

describe.each([
  ['without compression', false],
  ['with permessage-deflate', true],
])('the send path against the ws server, %s', (_label, deflate) => {
  let server: LocalWsServer;
  afterEach(async () => {
    await server.close();
  });

  it('keeps call order over 10,000 mixed sends, what the closing handler sends going before the close echo', async () => {
    const received: number[] = [];
    let closeCode = 0;
    const closedOnServer = new Promise<void>((resolve) => {
      void startWsServer({ perMessageDeflate: deflate, maxPayload: 16 * MiB }, (socket) => {
        socket.on('message', (data: Buffer, isBinary) => {
          received.push(indexOfMixed(data, isBinary));
          // The server starts the close handshake in the middle of the client's first burst.
          if (received.length === 2500) socket.close(4000, 'enough');
        });
        socket.on('close', (code) => {
          closeCode = code;
          resolve();
        });
      }).then((started) => (server = started));
    });
    await waitFor(() => server !== undefined);
    const ws = new WebSocket(server.url, { compress: deflate });
    const scratch = new Uint8Array(4096);
    // 5,000 messages compressed one by one before the close echo leaves: a loaded machine needs time.
    const patient = { ...session, closeTimeout: 60_000 };
    const events: WebSocketEvent[] = [];
    let negotiated = false;
    await lastValueFrom(
      ws.connect$(patient).pipe(
        tap((event) => {
          events.push(event);
          if (event.name === 'ready') {
            negotiated = ws.supportsCompression;
            for (let i = 0; i < 5000; i++) sendMixed(ws, i, scratch);
          }
          // SPEC: the app may still send inside the closing handler; the echo follows what it sends.
          if (event.name === 'closing') for (let i = 5000; i < 10_000; i++) sendMixed(ws, i, scratch);
        }),
      ),
    );
    await closedOnServer;
    expect(negotiated).toBe(deflate);
    expect(received.length).toBe(10_000);
    expect(received.every((index, at) => index === at)).toBe(true);
    expect(closeCode).toBe(4000);
    expect(events.at(-1)).toMatchObject({ name: 'disconnected', graceful: true });
  });

  it('sends the bytes a buffer held at the call, even when it waits behind a compressed message', async () => {
    const received: Buffer[] = [];
    server = await startWsServer({ perMessageDeflate: deflate }, (socket) => socket.on('message', (data: Buffer) => received.push(data)));
    const ws = new WebSocket(server.url, { compress: deflate });
    const subscription = ws.connect$(session).subscribe((event) => {
      if (event.name !== 'ready') return;
      ws.sendBinary(randomBytes(64 * 1024)); // compressed when negotiated: the next one waits behind it
      const small = Uint8Array.of(1, 2, 3);
      ws.sendBinary(small);
      small.fill(9);
      const large = new Uint8Array(8192).fill(7);
      ws.sendBinary(large);
      large.fill(9);
    });
    await waitFor(() => received.length === 3);
    subscription.unsubscribe();
    expect([...received[1]!]).toEqual([1, 2, 3]);
    expect(received[2]!.equals(Buffer.alloc(8192, 7))).toBe(true);
  });

  it('counts every accepted byte in bufferedAmount (the compression queue too) until drain$() says it left', async () => {
    let count = 0;
    server = await startWsServer({ perMessageDeflate: deflate, maxPayload: MiB }, (socket) => socket.on('message', () => count++));
    const ws = new WebSocket(server.url, { compress: deflate });
    let afterSends = -1;
    let afterDrain = -1;
    const done = firstValueFrom(
      ws.connect$(session).pipe(
        filter((event) => event.name === 'ready'),
        tap(() => {
          const payload = randomBytes(64 * 1024); // incompressible: the frames stay as large as the messages
          for (let i = 0; i < 200; i++) ws.sendBinary(payload);
          afterSends = ws.bufferedAmount;
        }),
      ),
    ).then(() => firstValueFrom(ws.drain$(), { defaultValue: undefined }).then(() => (afterDrain = ws.bufferedAmount)));
    await done;
    await waitFor(() => count === 200);
    ws.forceDisconnect();
    // 200 × 64 KiB = 12.5 MiB accepted in one tick. With deflate all of it waits for zlib; without, large frames
    // go to the socket at once and the kernel takes what fits in its buffer: the rest is still counted.
    if (deflate) expect(afterSends).toBeGreaterThan(10 * MiB);
    else expect(afterSends).toBeGreaterThan(2 * MiB);
    expect(afterSends).toBeLessThanOrEqual(200 * (64 * 1024 + 14));
    expect(afterDrain).toBe(0);
  });

  it('drain$(mark) waits while a server that stops reading holds the bytes back, and emits once at or below the mark', async () => {
    const serverSockets: WsSocket[] = [];
    let count = 0;
    server = await startWsServer({ perMessageDeflate: deflate, maxPayload: MiB }, (socket) => {
      serverSockets.push(socket);
      socket.on('message', () => count++);
    });
    const ws = new WebSocket(server.url, { compress: deflate });
    const subscription = ws.connect$(session).subscribe();
    await waitFor(() => ws.isActive && serverSockets.length === 1);
    const raw = (serverSockets[0] as unknown as { _socket: import('node:net').Socket })._socket;
    raw.pause();
    expect(await firstValueFrom(ws.drain$(), { defaultValue: 'none' })).toBeUndefined(); // nothing buffered: at once
    const payload = randomBytes(256 * 1024);
    for (let i = 0; i < 128; i++) ws.sendBinary(payload); // 32 MiB: more than loopback's buffers take
    let resumed = false;
    const mark = 2 * MiB;
    const seen: Array<{ amount: number; resumed: boolean }> = [];
    const drained = new Promise<void>((resolve, reject) =>
      ws.drain$(mark).subscribe({ next: () => seen.push({ amount: ws.bufferedAmount, resumed }), complete: resolve, error: reject }),
    );
    await new Promise((resolve) => setImmediate(resolve));
    resumed = true;
    raw.resume();
    await drained;
    await waitFor(() => count === 128);
    subscription.unsubscribe();
    expect(seen).toHaveLength(1);
    expect(seen[0]!.resumed).toBe(true);
    expect(seen[0]!.amount).toBeLessThanOrEqual(mark);
  });

  it('drain$ errors with WebSocketClosedError when the connection ends before the bytes left', async () => {
    const serverSockets: WsSocket[] = [];
    server = await startWsServer({ perMessageDeflate: deflate, maxPayload: MiB }, (socket) => serverSockets.push(socket));
    const ws = new WebSocket(server.url, { compress: deflate });
    const subscription = ws.connect$(session).subscribe();
    await waitFor(() => ws.isActive && serverSockets.length === 1);
    (serverSockets[0] as unknown as { _socket: import('node:net').Socket })._socket.pause();
    const payload = randomBytes(256 * 1024);
    for (let i = 0; i < 128; i++) ws.sendBinary(payload);
    const drained = firstValueFrom(ws.drain$());
    ws.forceDisconnect();
    await expect(drained).rejects.toBeInstanceOf(WebSocketClosedError);
    subscription.unsubscribe();
  });
});

describe('the offline queue across a persist reconnect (ws server)', () => {
  let server: LocalWsServer;
  afterEach(async () => {
    await server.close();
  });

  it.each([
    ['error', ['q0', 'q1', 'q2']],
    ['drop-oldest', ['q2', 'q3', 'q4']],
    ['drop-newest', ['q0', 'q1', 'q2']],
  ] as const)('overflow %s: flushed in order at the next ready, before what the ready handler sends', async (overflow, expected) => {
    const perConnection: string[][] = [];
    server = await startWsServer({}, (socket) => {
      const messages: string[] = [];
      perConnection.push(messages);
      socket.on('message', (data: Buffer) => messages.push(data.toString()));
      // The first connection dies at once: persist backs off, and the app keeps sending meanwhile.
      if (perConnection.length === 1) socket.terminate();
    });
    const ws = new WebSocket(server.url, { sendQueue: { maxMessages: 3, overflow } });
    const thrown: unknown[] = [];
    let readies = 0;
    const subscription = ws
      .connect$(session)
      .pipe(persist({ minWait: 20, maxWait: 20 }))
      .subscribe((event) => {
        if (event.name === 'back_off' && readies === 1) {
          for (let i = 0; i < 5; i++) {
            try {
              ws.sendText(`q${i}`);
            } catch (error) {
              thrown.push(error);
            }
          }
          expect(ws.queuedMessages).toBe(3);
        }
        if (event.name === 'ready' && ++readies === 2) ws.sendText('after ready');
      });
    await waitFor(() => perConnection.length === 2 && perConnection[1]!.length === 4);
    subscription.unsubscribe();
    expect(perConnection[1]).toEqual([...expected, 'after ready']);
    expect(ws.queuedMessages).toBe(0);
    if (overflow === 'error') {
      expect(thrown).toHaveLength(2);
      expect(thrown[0]).toBeInstanceOf(SendQueueFullError);
    } else expect(thrown).toEqual([]);
  });
});

describe('pause() against the ws server', () => {
  let server: LocalWsServer;
  afterEach(async () => {
    await server.close();
  });

  it('stops reading: the server meets TCP backpressure, and everything arrives in order after resume()', async () => {
    const COUNT = 512; // 512 × 64 KiB = 32 MiB, more than loopback's socket buffers hold
    let sentAll = false;
    let heldOnServer = -1;
    server = await startWsServer({}, (socket) => {
      socket.on('message', (data: Buffer) => {
        if (data.toString() === 'start') {
          for (let i = 0; i < COUNT; i++) {
            const payload = Buffer.alloc(64 * 1024); // ws keeps a reference to what it sends unmasked
            payload.writeUInt32BE(i, 0);
            socket.send(payload);
          }
          sentAll = true;
        } else if (data.toString() === 'probe') {
          heldOnServer = (socket as unknown as { _socket: import('node:net').Socket })._socket.writableLength;
        }
      });
    });
    const ws = new WebSocket(server.url);
    const order: number[] = [];
    let whilePaused = 0;
    let paused = false;
    const subscription = ws.connect$(session).subscribe((event) => {
      if (event.name === 'ready') {
        ws.pause();
        paused = true;
        ws.sendText('start');
      }
      if (event.name === 'binary') {
        if (paused) whilePaused++;
        order.push(Buffer.from(event.data).readUInt32BE(0));
      }
    });
    await waitFor(() => sentAll);
    ws.sendText('probe');
    await waitFor(() => heldOnServer >= 0);
    paused = false;
    ws.resume();
    await waitFor(() => order.length === COUNT);
    subscription.unsubscribe();
    expect(whilePaused).toBe(0);
    expect(heldOnServer).toBeGreaterThan(16 * MiB); // the server's socket holds what the paused client did not read
    expect(order.every((index, at) => index === at)).toBe(true);
  });
});
