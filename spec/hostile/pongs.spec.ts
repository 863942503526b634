/**
 * A ping flood from a server that stops reading, on 127.0.0.1: the client's
 * automatic pongs do not pile up in its write buffer. Once the socket needs
 * to drain, only the latest ping is answered, when it has drained (RFC 6455
 * §5.5.3); every ping is still reported.
 */
import { createHash } from 'node:crypto';
import { createServer, type AddressInfo, type Socket } from 'node:net';
import { lastValueFrom, tap } from 'rxjs';
import { Opcode } from '../../lib/core/opcode.js';
import { ClientFrameReader, type ClientFrame } from '../../lib/testing/client-frame-reader.js';
import { serverFrame } from '../../lib/testing/server-frames.js';
import { WebSocket } from '../../lib/websocket.js';

const GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';
const PINGS = 150_000;
/** A ping payload of 125 bytes carrying its index: each unanswered pong would be 131 bytes in the client's buffer. */
const payload = (index: number): Uint8Array => {
  const bytes = new Uint8Array(125);
  new DataView(bytes.buffer).setUint32(0, index);
  return bytes;
};
const indexOf = (frame: ClientFrame): number => new DataView(frame.payload.buffer, frame.payload.byteOffset).getUint32(0);

describe('automatic pongs under a ping flood', () => {
  it('keeps the write buffer small while the server does not read, and answers the latest ping once it drained', async () => {
    let socket!: Socket;
    const frames: ClientFrame[] = [];
    const server = createServer((s) => {
      socket = s;
      s.on('error', () => undefined);
      let head = '';
      const onHead = (chunk: Buffer): void => {
        head += chunk.toString('latin1');
        if (!head.includes('\r\n\r\n')) return;
        s.off('data', onHead);
        s.pause(); // stop reading: the client's pongs back up
        const key = /^sec-websocket-key: *(\S+)/im.exec(head)![1]!;
        const accept = createHash('sha1').update(`${key}${GUID}`).digest('base64');
        s.write(`HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${accept}\r\n\r\n`);
        const pings = Buffer.concat(Array.from({ length: PINGS }, (_, i) => serverFrame(Opcode.PING, payload(i))));
        s.write(pings);
      };
      s.on('data', onHead);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const ws = new WebSocket(`ws://127.0.0.1:${(server.address() as AddressInfo).port}/`, { proxies: {} });
    let pings = 0;
    let maxBuffered = 0;
    try {
      await lastValueFrom(
        ws.connect$({ pingRate: 0, poll: 600_000, closeTimeout: 1000 }).pipe(
          tap((event) => {
            if (event.name !== 'ping') return;
            pings++;
            maxBuffered = Math.max(maxBuffered, ws.bufferedAmount);
            if (pings === PINGS) {
              // The flood is over: read again, collect the pongs, then close.
              const reader = new ClientFrameReader();
              socket.on('data', (chunk: Buffer) => {
                for (const frame of reader.push(chunk)) {
                  frames.push(frame);
                  if (frame.opcode === Opcode.PONG && indexOf(frame) === PINGS - 1) socket.end(serverFrame(Opcode.CLOSE, Uint8Array.of(0x03, 0xe8)));
                }
              });
              socket.resume();
            }
          }),
        ),
      );
    } finally {
      ws.forceDisconnect();
      socket?.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
    expect(pings).toBe(PINGS);
    // Without coalescing the pongs of 150,000 pings (19 MiB) queued up behind the kernel's buffers.
    expect(maxBuffered).toBeLessThan(1024 * 1024);
    const pongs = frames.filter((frame) => frame.opcode === Opcode.PONG).map(indexOf);
    expect(pongs.length).toBeLessThan(PINGS);
    expect(pongs.at(-1)).toBe(PINGS - 1);
    expect(pongs).toEqual([...pongs].sort((a, b) => a - b)); // in order, none twice
    expect(new Set(pongs).size).toBe(pongs.length);
  });
});
