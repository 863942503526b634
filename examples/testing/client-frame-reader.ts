import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { createServer, type AddressInfo } from 'node:net';
import { lastValueFrom, map, tap, toArray } from 'rxjs';
import { Opcode, WebSocket, isReady } from 'lomond';
import { ClientFrameReader, serverClose, type ClientFrame } from 'lomond/testing';

it('decodes what lomond writes to a real socket (a hand-written server on 127.0.0.1)', async () => {
  const frames: ClientFrame[] = [];
  const server = createServer((socket) => {
    const reader = new ClientFrameReader();
    let head: Buffer | null = Buffer.alloc(0); // the upgrade request until its blank line, then null
    socket.on('data', (chunk: Buffer) => {
      if (head !== null) {
        head = Buffer.concat([head, chunk]);
        const end = head.indexOf('\r\n\r\n');
        if (end === -1) return;
        const keyLine = head.subarray(0, end).toString('latin1').split('\r\n').find((line) => line.toLowerCase().startsWith('sec-websocket-key:'));
        const accept = createHash('sha1').update(`${keyLine!.slice(18).trim()}258EAFA5-E914-47DA-95CA-C5AB0DC85B11`).digest('base64');
        socket.write(`HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${accept}\r\n\r\n`);
        chunk = head.subarray(end + 4);
        head = null;
      }
      for (const frame of reader.push(chunk)) {
        frames.push(frame);
        if (frame.opcode === Opcode.TEXT) socket.write(serverClose(1000, 'bye'));
        if (frame.opcode === Opcode.CLOSE) socket.end();
      }
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  try {
    const ws = new WebSocket(`ws://127.0.0.1:${(server.address() as AddressInfo).port}/`, { proxies: {} });
    const names = await lastValueFrom(
      ws.connect$({ pingRate: 0 }).pipe(
        tap((event) => isReady(event) && ws.sendText('hello')),
        map((event) => event.name),
        toArray(),
      ),
    );
    expect(names).toEqual(['connecting', 'connected', 'ready', 'poll', 'closing', 'closed', 'disconnected']);
    expect(frames.map((f) => [f.opcode, f.masked])).toEqual([[Opcode.TEXT, true], [Opcode.CLOSE, true]]);
    expect(new TextDecoder().decode(frames[0]!.payload)).toBe('hello');
  } finally {
    server.close();
  }
});
