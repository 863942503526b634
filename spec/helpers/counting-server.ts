/**
 * A WebSocket server on 127.0.0.1 that keeps nothing: it accepts the
 * upgrade, then walks the client's frames header by header, counting payload
 * bytes and recording each frame's opcode and FIN bit without holding the
 * payloads — so a test can send a gigabyte and measure only the client's
 * memory. Payloads of control frames (≤ 125 bytes) are kept, unmasked.
 */
import { createHash } from 'node:crypto';
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';

/** One frame the client sent, without its data payload. */
export interface CountedFrame {
  readonly opcode: number;
  readonly fin: boolean;
  readonly length: number;
  /** The unmasked payload of a control frame. */
  readonly control?: Buffer;
}

/** A running counting server. */
export interface CountingServer {
  readonly url: string;
  /** Frames received, in order (data payloads not kept). */
  readonly frames: CountedFrame[];
  /** Data payload bytes received so far. */
  readonly payloadBytes: () => number;
  close(): Promise<void>;
}

const GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';

/** Starts the server; it answers a close frame with a close frame and ends the connection. */
export async function startCountingServer(): Promise<CountingServer> {
  const frames: CountedFrame[] = [];
  let bytes = 0;
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
    let head = Buffer.alloc(0);
    let upgraded = false;
    // Frame walking state: the header being gathered, then how many payload bytes to skip.
    let header = Buffer.alloc(0);
    let remaining = 0;
    let current: { opcode: number; fin: boolean; length: number; mask: Buffer; control: Buffer[] } | null = null;
    const finish = (): void => {
      const frame = current!;
      current = null;
      if (frame.opcode >= 8) {
        const payload = Buffer.concat(frame.control);
        for (let i = 0; i < payload.length; i++) payload[i]! ^= frame.mask[i % 4]!;
        frames.push({ opcode: frame.opcode, fin: frame.fin, length: frame.length, control: payload });
        if (frame.opcode === 8) socket.end(Buffer.concat([Buffer.from([0x88, payload.length]), payload]));
      } else {
        frames.push({ opcode: frame.opcode, fin: frame.fin, length: frame.length });
        bytes += frame.length;
      }
    };
    const walk = (chunk: Buffer): void => {
      let at = 0;
      while (at < chunk.length) {
        if (current !== null) {
          const take = Math.min(remaining, chunk.length - at);
          if (current.opcode >= 8) current.control.push(chunk.subarray(at, at + take));
          remaining -= take;
          at += take;
          if (remaining === 0) finish();
          continue;
        }
        // The header: 2 bytes, then as many as its length code says (extended length, mask key).
        const size = header.length < 2 ? 2 : 2 + ((header[1]! & 0x7f) === 126 ? 2 : (header[1]! & 0x7f) === 127 ? 8 : 0) + 4;
        const take = Math.min(size - header.length, chunk.length - at);
        header = Buffer.concat([header, chunk.subarray(at, at + take)]);
        at += take;
        if (header.length < 6 || header.length < size || size === 2) continue;
        const lengthCode = header[1]! & 0x7f;
        const length = lengthCode === 126 ? header.readUInt16BE(2) : lengthCode === 127 ? Number(header.readBigUInt64BE(2)) : lengthCode;
        current = { opcode: header[0]! & 0x0f, fin: (header[0]! & 0x80) !== 0, length, mask: Buffer.from(header.subarray(size - 4, size)), control: [] };
        header = Buffer.alloc(0);
        remaining = length;
        if (remaining === 0) finish();
      }
    };
    socket.on('data', (chunk: Buffer) => {
      if (upgraded) return walk(chunk);
      head = Buffer.concat([head, chunk]);
      const end = head.indexOf('\r\n\r\n');
      if (end < 0) return;
      const key = /sec-websocket-key:\s*(\S+)/i.exec(head.subarray(0, end).toString('latin1'))![1]!;
      const accept = createHash('sha1').update(key + GUID).digest('base64');
      socket.write(`HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${accept}\r\n\r\n`);
      upgraded = true;
      walk(head.subarray(end + 4));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `ws://127.0.0.1:${(server.address() as AddressInfo).port}/`,
    frames,
    payloadBytes: () => bytes,
    close: () =>
      new Promise((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
