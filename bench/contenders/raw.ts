/** The ceiling of the receive path: a raw net (or TLS) socket that upgrades and counts bytes, no framing. */
import { randomBytes } from 'node:crypto';
import { connect as netConnect, type Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import type { ByteSink } from '../sink.js';

/** Upgrades on `url` (ws: or wss:) and pushes every byte after the HTTP response into `sink`; resolves when it has all, or at close. */
export function rawReceive(url: string, sink: ByteSink): Promise<void> {
  return new Promise((resolve, reject) => {
    const target = new URL(url);
    const secure = target.protocol === 'wss:';
    const port = Number(target.port);
    const socket: Socket = secure ? tlsConnect({ port, host: target.hostname }) : netConnect(port, target.hostname);
    const key = randomBytes(16).toString('base64');
    let head = true;
    socket.once(secure ? 'secureConnect' : 'connect', () =>
      socket.write(`GET ${target.pathname}${target.search} HTTP/1.1\r\nHost: ${target.host}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: ${key}\r\nSec-WebSocket-Version: 13\r\n\r\n`),
    );
    socket.on('data', (chunk: Buffer) => {
      if (head) {
        const end = chunk.indexOf('\r\n\r\n');
        if (end < 0) return;
        head = false;
        chunk = chunk.subarray(end + 4);
        if (chunk.length === 0) return;
      }
      if (sink.push(chunk)) {
        socket.destroy();
        resolve();
      }
    });
    socket.on('close', () => resolve());
    socket.on('error', reject);
  });
}
