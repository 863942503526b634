/**
 * A small RFC 6455 server side over any duplex byte stream (an HTTP/2 stream
 * here): reads the client's masked frames, echoes text and binary messages
 * unmasked, answers pings, echoes a Close and ends. Written apart from
 * lomond's own parser, and linear in the bytes received (chunks are kept in a
 * list, not re-concatenated), so a 16 MiB message is cheap.
 *
 * With `deflate`, messages are inflated and the echo deflated per message
 * (the server answered `server_no_context_takeover; client_no_context_takeover`).
 */
import type { Duplex } from 'node:stream';
import { constants, deflateRawSync, inflateRawSync } from 'node:zlib';

/** What the echo saw, for assertions. */
export interface EchoRecord {
  /** Messages received (after inflate): opcode and size. */
  readonly messages: Array<{ opcode: number; size: number }>;
  /** The client's Close code, once received. */
  closeCode: number | null;
  /** True when any client frame came unmasked. */
  unmasked: boolean;
}

const TAIL = Buffer.from([0x00, 0x00, 0xff, 0xff]);

/** A frame header for a server frame of `length` bytes. */
function header(fin: boolean, rsv1: boolean, opcode: number, length: number): Buffer {
  const first = (fin ? 0x80 : 0) | (rsv1 ? 0x40 : 0) | opcode;
  if (length < 126) return Buffer.from([first, length]);
  if (length < 65536) return Buffer.from([first, 126, length >> 8, length & 0xff]);
  const head = Buffer.alloc(10);
  head[0] = first;
  head[1] = 127;
  head.writeBigUInt64BE(BigInt(length), 2);
  return head;
}

/** Runs the echo on `stream` until the close handshake; returns what it saw. */
export function echoOverStream(stream: Duplex, options: { deflate?: boolean } = {}): EchoRecord {
  const record: EchoRecord = { messages: [], closeCode: null, unmasked: false };
  const chunks: Buffer[] = [];
  let buffered = 0;
  let message: Buffer[] = [];
  let messageOpcode = 0;
  let compressed = false;

  const take = (n: number): Buffer => {
    const out = Buffer.allocUnsafe(n);
    let at = 0;
    while (at < n) {
      const first = chunks[0]!;
      const count = Math.min(first.length, n - at);
      first.copy(out, at, 0, count);
      at += count;
      if (count === first.length) chunks.shift();
      else chunks[0] = first.subarray(count);
    }
    buffered -= n;
    return out;
  };
  const peek = (n: number): Buffer => {
    if (chunks[0]!.length >= n) return chunks[0]!;
    const joined = Buffer.concat(chunks);
    chunks.length = 0;
    chunks.push(joined);
    return joined;
  };
  const send = (opcode: number, payload: Buffer, rsv1 = false): void => {
    stream.write(Buffer.concat([header(true, rsv1, opcode, payload.length), payload]));
  };

  const onFrame = (fin: boolean, rsv1: boolean, opcode: number, payload: Buffer): void => {
    if (opcode === 0x8) {
      record.closeCode = payload.length >= 2 ? payload.readUInt16BE(0) : 1005;
      send(0x8, payload.subarray(0, 2));
      stream.end();
      return;
    }
    if (opcode === 0x9) return send(0xa, payload);
    if (opcode === 0xa) return;
    if (opcode !== 0) {
      messageOpcode = opcode;
      compressed = rsv1;
    }
    message.push(payload);
    if (!fin) return;
    let data = message.length === 1 ? message[0]! : Buffer.concat(message);
    message = [];
    if (compressed) data = inflateRawSync(Buffer.concat([data, TAIL]), { finishFlush: constants.Z_SYNC_FLUSH });
    record.messages.push({ opcode: messageOpcode, size: data.length });
    if (options.deflate === true) {
      const out = deflateRawSync(data, { finishFlush: constants.Z_SYNC_FLUSH });
      send(messageOpcode, out.subarray(0, out.length - 4), true);
    } else {
      send(messageOpcode, data);
    }
  };

  stream.on('data', (chunk: Buffer) => {
    chunks.push(chunk);
    buffered += chunk.length;
    for (;;) {
      if (buffered < 2) return;
      const head = peek(Math.min(buffered, 14));
      const masked = (head[1]! & 0x80) !== 0;
      let length = head[1]! & 0x7f;
      let offset = 2;
      if (length === 126) {
        if (buffered < 4) return;
        length = head.readUInt16BE(2);
        offset = 4;
      } else if (length === 127) {
        if (buffered < 10) return;
        length = Number(head.readBigUInt64BE(2));
        offset = 10;
      }
      const keyAt = offset;
      if (masked) offset += 4;
      if (buffered < offset + length) return;
      const frame = take(offset + length);
      const payload = frame.subarray(offset);
      if (masked) for (let i = 0; i < payload.length; i++) payload[i]! ^= frame[keyAt + (i & 3)]!;
      else record.unmasked = true;
      onFrame((frame[0]! & 0x80) !== 0, (frame[0]! & 0x40) !== 0, frame[0]! & 0x0f, payload);
    }
  });
  stream.on('error', () => undefined);
  return record;
}
