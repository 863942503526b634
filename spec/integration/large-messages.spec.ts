/**
 * Large and small messages mixed, both directions, against the npm `ws` echo
 * server over TCP and over TLS: the read paths (the shared buffer, slabs,
 * reads straight into a message's buffer, TLS decrypting into them) and the
 * write paths (the per-tick gather buffer, the frame pool) must carry every
 * byte in order.
 */
import { createServer as createHttpServer, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { WebSocketServer } from 'ws';
import { framePoolInUse } from '../../lib/core/frame-pool.js';
import { WebSocket } from '../../lib/websocket.js';
import { tlsFixtures } from '../helpers/tls-fixtures.js';
import { waitFor } from '../helpers/wait-for.js';

const SIZES = [10, 5000, 70_000, 1_500_000, 300, 200_000, 16_384, 64 * 1024 - 1, 3_000_000, 1];

/** Bytes that differ per message and per position (a shifted or swapped part shows). */
const payload = (size: number, seed: number): Buffer => {
  const bytes = Buffer.allocUnsafe(size);
  for (let i = 0; i < size; i++) bytes[i] = (i * 31 + seed * 7 + (i >>> 8)) & 0xff;
  return bytes;
};

async function echoServer(tls: boolean): Promise<{ url: string; close: () => Promise<void> }> {
  const server: Server = tls ? createHttpsServer({ key: tlsFixtures().key, cert: tlsFixtures().cert }) : createHttpServer();
  const wss = new WebSocketServer({ server, perMessageDeflate: false, maxPayload: 1 << 30 });
  wss.on('connection', (socket) => socket.on('message', (data, isBinary) => socket.send(data, { binary: isBinary })));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `${tls ? 'wss' : 'ws'}://127.0.0.1:${port}/`,
    close: async () => {
      for (const client of wss.clients) client.terminate();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

describe.each([
  ['TCP', false],
  ['TLS', true],
])('large messages over %s', (_, tls) => {
  it('echoes binary and text messages of every size, all sent in one tick, byte for byte and in order', async () => {
    const server = await echoServer(tls);
    try {
      const sent = SIZES.flatMap((size, i) => [payload(size, i), payload(size, i + 100).toString('latin1').replace(/[^\x20-\x7e]/g, 'x')]);
      const ws = new WebSocket(server.url, { tls: { ca: tlsFixtures().ca }, maxMessageSize: 1 << 30, maxPayload: 1 << 30, proxies: {} });
      const received: Array<Buffer | string> = [];
      await new Promise<void>((resolve, reject) => {
        const subscription = ws.connect$({ pingRate: 0, poll: 600_000 }).subscribe({
          next: (event) => {
            if (event.name === 'ready') {
              for (const message of sent) {
                if (typeof message === 'string') ws.sendText(message);
                else ws.sendBinary(message);
              }
            }
            if (event.name === 'binary') received.push(Buffer.from(event.data));
            else if (event.name === 'text') received.push(event.text);
            else if (event.name === 'disconnected') reject(new Error(event.reason));
            if (received.length === sent.length) {
              subscription.unsubscribe();
              resolve();
            }
          },
          error: reject,
        });
      });

      expect(received.length).toBe(sent.length);
      received.forEach((message, i) => {
        const expected = sent[i]!;
        expect(typeof message).toBe(typeof expected);
        expect(message.length).toBe(expected.length);
        expect(typeof message === 'string' ? message === expected : message.equals(expected as Buffer)).toBe(true);
      });
      await waitFor(() => framePoolInUse() === 0); // every pooled frame went out and came back
    } finally {
      await server.close();
    }
  });

  it('delivers a burst of ~16 KiB messages, many cut between reads, whole and each a Buffer', async () => {
    // Sizes around the size of the rest a message may have to be kept as views of consecutive reads (16 KiB).
    const sizes = Array.from({ length: 600 }, (_, i) => 12_000 + ((i * 977) % 9000));
    const sent = sizes.map((size, i) => payload(size, i));
    const server: Server = tls ? createHttpsServer({ key: tlsFixtures().key, cert: tlsFixtures().cert }) : createHttpServer();
    const wss = new WebSocketServer({ server, perMessageDeflate: false });
    wss.on('connection', (socket) => {
      for (const message of sent) socket.send(message, { binary: true });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const url = `${tls ? 'wss' : 'ws'}://127.0.0.1:${(server.address() as AddressInfo).port}/`;
      const ws = new WebSocket(url, { tls: { ca: tlsFixtures().ca }, proxies: {} });
      const received: Uint8Array[] = [];
      await new Promise<void>((resolve, reject) => {
        const subscription = ws.connect$({ pingRate: 0, poll: 600_000 }).subscribe({
          next: (event) => {
            if (event.name === 'binary') received.push(event.data);
            else if (event.name === 'disconnected') reject(new Error(event.reason));
            if (received.length === sent.length) {
              subscription.unsubscribe();
              resolve();
            }
          },
          error: reject,
        });
      });
      expect(received.filter((data) => !Buffer.isBuffer(data))).toEqual([]);
      expect(received.findIndex((data, i) => !(data as Buffer).equals(sent[i]!))).toBe(-1);
    } finally {
      for (const client of wss.clients) client.terminate();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
});
