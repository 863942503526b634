/** The ceilings: of the receive path, a raw net (or TLS) socket that upgrades and counts bytes, no framing; of the send path, pre-built frames written as fast as the server takes them. */
import { randomBytes } from 'node:crypto';
import { connect as netConnect, type Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import type { ByteSink, Window } from '../sink.js';
import type { SendPlan } from './contender.js';

/** The HTTP upgrade request for `target` (a fresh key; the raw sockets do not check the server's accept). */
function upgradeRequest(target: URL): string {
  const key = randomBytes(16).toString('base64');
  return `GET ${target.pathname}${target.search} HTTP/1.1\r\nHost: ${target.host}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: ${key}\r\nSec-WebSocket-Version: 13\r\n\r\n`;
}

/** Upgrades on `url` (ws: or wss:) and pushes every byte after the HTTP response into `sink`; resolves when it has all, or at close. */
export function rawReceive(url: string, sink: ByteSink): Promise<void> {
  return new Promise((resolve, reject) => {
    const target = new URL(url);
    const secure = target.protocol === 'wss:';
    const port = Number(target.port);
    const socket: Socket = secure ? tlsConnect({ port, host: target.hostname }) : netConnect(port, target.hostname);
    let head = true;
    socket.once(secure ? 'secureConnect' : 'connect', () =>
      socket.write(upgradeRequest(target)),
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

/** A client frame of `payload` masked with the all-zero key (RFC 6455 allows any key; a ceiling does no masking work). */
function zeroMaskedFrame(payload: Buffer): Buffer {
  const length = payload.length;
  const extended = length < 126 ? 0 : length < 65536 ? 2 : 8;
  const frame = Buffer.alloc(2 + extended + 4 + length);
  frame[0] = 0x82;
  if (extended === 0) frame[1] = 0x80 | length;
  else if (extended === 2) {
    frame[1] = 0x80 | 126;
    frame.writeUInt16BE(length, 2);
  } else {
    frame[1] = 0x80 | 127;
    frame.writeBigUInt64BE(BigInt(length), 2);
  }
  payload.copy(frame, 2 + extended + 4);
  return frame;
}

/**
 * The ceiling of the send path: the plan's frames built before the window opens (no framing or masking work
 * in it) and written in batches of about 1 MiB under the senders' backpressure rule; resolves with the
 * server's summary. What the server can take is then the row's limit, whoever sends.
 */
export function rawSend(url: string, plan: SendPlan, window: Window): Promise<string> {
  return new Promise((resolve, reject) => {
    const target = new URL(url);
    const socket = netConnect(Number(target.port), target.hostname);
    const first = zeroMaskedFrame(plan.first);
    const middle = zeroMaskedFrame(plan.middle);
    const last = zeroMaskedFrame(plan.last);
    const perBatch = Math.max(1, Math.floor((1024 * 1024) / middle.length));
    const batch = Buffer.concat(Array.from({ length: perBatch }, () => middle));
    let text = '';
    let open = false;
    const later = (): Promise<void> => new Promise((done) => setImmediate(done));
    const pump = async (): Promise<void> => {
      const middles = Math.max(0, plan.count - 2);
      socket.write(first);
      for (let sent = 0; sent < middles; sent += perBatch) {
        while (socket.writableLength > 1024 * 1024) await later();
        const n = Math.min(perBatch, middles - sent);
        socket.write(n === perBatch ? batch : batch.subarray(0, n * middle.length));
      }
      if (plan.count > 1) socket.write(last);
    };
    socket.once('connect', () => {
      socket.setNoDelay(true);
      socket.write(upgradeRequest(target));
    });
    socket.on('data', (chunk: Buffer) => {
      text += chunk.toString('latin1');
      if (!open) {
        const end = text.indexOf('\r\n\r\n');
        if (end < 0) return;
        open = true;
        text = text.slice(end + 4);
        window.start();
        pump().catch(reject);
      }
      // The summary is the payload of one small text frame: its JSON object, once whole.
      const from = text.indexOf('{');
      const to = text.lastIndexOf('}');
      if (from >= 0 && to > from) {
        window.finish();
        socket.destroy();
        resolve(text.slice(from, to + 1));
      }
    });
    socket.on('error', reject);
  });
}
