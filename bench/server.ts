/**
 * The benchmark server, run as its own process so that its CPU does not share
 * the client's event loop. It speaks just enough WebSocket for the benches:
 *   /blast?size=N&count=N&type=text|binary[&deflate=1]  pre-encodes one frame and writes it `count` times as fast as the socket drains, then a close frame
 *   /sink?count=N                            counts client frames and answers "done" after `count` data frames
 *   /echo                                    echoes every data frame
 *   /idle                                    does nothing (memory per idle connection)
 * permessage-deflate is accepted (with server_no_context_takeover and
 * client_no_context_takeover) on /blast?…&deflate=1 when offered, and the
 * frame is then pre-compressed once; every other row is uncompressed, whatever
 * the client offers.
 * Prints "PORT <n>" on stdout once listening; stops on stdin end.
 */
import { createHash } from 'node:crypto';
import { createServer, type Socket } from 'node:net';
import { constants, deflateRawSync } from 'node:zlib';

const GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';

function frame(opcode: number, payload: Buffer, rsv1 = false): Buffer {
  const length = payload.length;
  const size = length < 126 ? 2 : length < 65536 ? 4 : 10;
  const out = Buffer.allocUnsafe(size + length);
  out[0] = 0x80 | (rsv1 ? 0x40 : 0) | opcode;
  if (size === 2) out[1] = length;
  else if (size === 4) {
    out[1] = 126;
    out.writeUInt16BE(length, 2);
  } else {
    out[1] = 127;
    out.writeBigUInt64BE(BigInt(length), 2);
  }
  payload.copy(out, size);
  return out;
}

function payloadOf(size: number, text: boolean): Buffer {
  const out = Buffer.allocUnsafe(size);
  for (let i = 0; i < size; i++) out[i] = text ? 97 + (i % 26) : (i * 7) & 0xff;
  return out;
}

/** Skips over masked client frames; calls `onData` per data frame, `onClose` on a close frame. */
function frameCounter(onData: (opcode: number, payload: Buffer | null) => void, onClose: () => void, keepPayload: boolean) {
  let pending = Buffer.alloc(0);
  return (chunk: Buffer): void => {
    let buf = pending.length ? Buffer.concat([pending, chunk]) : chunk;
    let offset = 0;
    for (;;) {
      if (buf.length - offset < 2) break;
      const opcode = buf[offset]! & 0x0f;
      let length = buf[offset + 1]! & 0x7f;
      let header = 2;
      if (length === 126) {
        if (buf.length - offset < 4) break;
        length = buf.readUInt16BE(offset + 2);
        header = 4;
      } else if (length === 127) {
        if (buf.length - offset < 10) break;
        length = Number(buf.readBigUInt64BE(offset + 2));
        header = 10;
      }
      const masked = (buf[offset + 1]! & 0x80) !== 0;
      const total = header + (masked ? 4 : 0) + length;
      if (buf.length - offset < total) break;
      if (opcode === 8) return onClose();
      if (opcode === 1 || opcode === 2) {
        let payload: Buffer | null = null;
        if (keepPayload) {
          payload = Buffer.from(buf.subarray(offset + header + 4, offset + total));
          const key = buf.subarray(offset + header, offset + header + 4);
          for (let i = 0; i < payload.length; i++) payload[i]! ^= key[i & 3]!;
        }
        onData(opcode, payload);
      }
      offset += total;
    }
    pending = offset < buf.length ? Buffer.from(buf.subarray(offset)) : Buffer.alloc(0);
    buf = pending;
  };
}

function handle(socket: Socket, path: string, headers: Map<string, string>): void {
  const url = new URL(path, 'http://bench');
  const offered = (headers.get('sec-websocket-extensions') ?? '').includes('permessage-deflate');
  // Compressed only when the row asks for it: clients that offer permessage-deflate by default (Node's WebSocket,
  // ws) must receive the same uncompressed frames as the others in the plain rows.
  const deflate = offered && url.pathname === '/blast' && url.searchParams.get('deflate') === '1';
  const accept = createHash('sha1').update(headers.get('sec-websocket-key') + GUID).digest('base64');
  const extra = deflate ? 'Sec-WebSocket-Extensions: permessage-deflate; server_no_context_takeover; client_no_context_takeover\r\n' : '';
  socket.write(`HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${accept}\r\n${extra}\r\n`);
  const closeFrame = frame(8, Buffer.from([0x03, 0xe8]));
  switch (url.pathname) {
    case '/blast': {
      const size = Number(url.searchParams.get('size'));
      const count = Number(url.searchParams.get('count'));
      const text = url.searchParams.get('type') === 'text';
      let payload = payloadOf(size, text);
      // RFC 7692 §7.2.1: compress with a sync flush and drop the trailing 00 00 ff ff.
      if (deflate) payload = deflateRawSync(payload, { finishFlush: constants.Z_SYNC_FLUSH }).subarray(0, -4);
      const one = frame(text ? 1 : 2, payload, deflate);
      // Batch small frames into ~64 KiB writes so the server is never the bottleneck.
      const perWrite = Math.max(1, Math.floor(65536 / one.length));
      const batch = perWrite > 1 ? Buffer.concat(Array.from({ length: perWrite }, () => one)) : one;
      let sent = 0;
      const pump = (): void => {
        while (sent < count) {
          const n = Math.min(perWrite, count - sent);
          const ok = socket.write(n === perWrite ? batch : batch.subarray(0, n * one.length));
          sent += n;
          if (!ok) return void socket.once('drain', pump);
        }
        socket.write(closeFrame);
      };
      pump();
      socket.on('data', frameCounter(() => undefined, () => socket.end(), false));
      return;
    }
    case '/sink': {
      const count = Number(url.searchParams.get('count'));
      let seen = 0;
      socket.on('data', frameCounter(() => {
        if (++seen === count) socket.write(frame(1, Buffer.from('done')));
      }, () => socket.end(closeFrame), false));
      return;
    }
    case '/echo':
      socket.on('data', frameCounter((opcode, payload) => socket.write(frame(opcode, payload!)), () => socket.end(closeFrame), true));
      return;
    default:
      socket.on('data', frameCounter(() => undefined, () => socket.end(closeFrame), false));
  }
}

const server = createServer((socket) => {
  socket.setNoDelay(true);
  let head = Buffer.alloc(0);
  const onData = (chunk: Buffer): void => {
    head = Buffer.concat([head, chunk]);
    const end = head.indexOf('\r\n\r\n');
    if (end < 0) return;
    socket.off('data', onData);
    const lines = head.subarray(0, end).toString('latin1').split('\r\n');
    const headers = new Map<string, string>();
    for (const line of lines.slice(1)) {
      const colon = line.indexOf(':');
      headers.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim());
    }
    handle(socket, lines[0]!.split(' ')[1]!, headers);
    const rest = head.subarray(end + 4);
    if (rest.length) socket.emit('data', rest);
  };
  socket.on('data', onData);
  socket.on('error', () => socket.destroy());
});
server.listen(0, '127.0.0.1', () => {
  const address = server.address();
  process.stdout.write(`PORT ${typeof address === 'object' && address ? address.port : 0}\n`);
});
process.stdin.on('end', () => process.exit(0));
process.stdin.resume();
