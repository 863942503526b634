/**
 * `closed` means the close handshake completed (SPEC "Events"): with
 * permessage-deflate, the echo of a server's close waits in the outbox behind
 * what the application sent from its handlers while that is compressed, and
 * `closed` comes once the echo has left. Against the real `ws` server, which
 * ends TCP once it has our close frame.
 */
import { lastValueFrom, tap, toArray } from 'rxjs';
import { randomBytes } from 'node:crypto';
import type { WebSocket as WsSocket } from 'ws';
import { WebSocket } from '../../lib/websocket.js';
import type { WebSocketEvent } from '../../lib/events/events.js';
import { startWsServer, type LocalWsServer } from '../helpers/ws-server.js';

const session = { pingRate: 0, poll: 600_000, closeTimeout: 5000, connectTimeout: 5000 };

let server: LocalWsServer | null = null;

afterEach(async () => {
  await server?.close();
  server = null;
});

describe('the close echo behind compressed messages', () => {
  it('delivers closed once the echo left, after the reply the handler sent, and ends gracefully', async () => {
    // Random bytes as base64: compressed in zlib's threadpool (too large for a synchronous deflate), so that the
    // echo of the server's close waits behind it.
    const reply = randomBytes(3 << 20).toString('base64');
    const got: Array<{ text: string | null; code: number | null }> = [];
    let ended: Promise<void> = Promise.resolve();
    server = await startWsServer({ perMessageDeflate: true }, (socket: WsSocket) => {
      ended = new Promise((resolve) => {
        socket.on('message', (data) => got.push({ text: data.toString(), code: null }));
        socket.on('close', (code) => {
          got.push({ text: null, code });
          resolve();
        });
      });
      socket.send('hello', () => socket.close(1000, 'bye'));
    });
    const ws = new WebSocket(server.url, { compress: true });
    let sentAtClosed: number | null | undefined;
    const events: WebSocketEvent[] = await lastValueFrom(
      ws.connect$(session).pipe(
        // The application answers from its handler: the reply is compressed asynchronously.
        tap((event) => {
          if (event.name === 'text') ws.sendText(reply);
          if (event.name === 'closed') sentAtClosed = ws.sentCloseTime;
        }),
        toArray(),
      ),
    );
    await ended;
    const names = events.map((e) => e.name).filter((name) => name !== 'poll');
    expect(names).toEqual(['connecting', 'connected', 'ready', 'text', 'closing', 'closed', 'disconnected']);
    // Delivered once our close frame was out, not while it still waited behind the reply.
    expect(sentAtClosed).not.toBeNull();
    const closed = events.find((e) => e.name === 'closed');
    expect(closed).toMatchObject({ code: 1000, reason: 'bye' });
    expect(closed!.receivedTime).toBeGreaterThanOrEqual(sentAtClosed!);
    expect(events[events.length - 1]).toMatchObject({ name: 'disconnected', graceful: true });
    // The server had the reply, whole, then our close.
    expect(got).toEqual([
      { text: reply, code: null },
      { text: null, code: 1000 },
    ]);
  });
});
