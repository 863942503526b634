/**
 * Memory held for frames and messages in flight, measured with
 * process.memoryUsage() after full garbage collections: it grows with the
 * bytes a hostile server actually sends, never with what its headers
 * announce, and a flood of tiny fragments leaves no object per fragment.
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { ClientProtocol, type ProtocolHandler } from '../../lib/core/protocol.js';
import { allocUnsafe, bufferCodec, isUtf8 } from '../../lib/connection/node-platform.js';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;
const MiB = 1024 * 1024;

function usage(): { heap: number; arrayBuffers: number } {
  gc();
  gc();
  const { heapUsed, arrayBuffers } = process.memoryUsage();
  return { heap: heapUsed, arrayBuffers };
}

/** A protocol as the session builds it (Node allocator and codec), with a handler that counts what it reports. */
function open(limit: number) {
  const events: string[] = [];
  const handler: ProtocolHandler = {
    onText: () => void events.push('text'),
    onBinary: (data) => void events.push(`binary ${data.length}`),
    onCompressed: () => void events.push('compressed'),
    onPing: () => void events.push('ping'),
    onPong: () => void events.push('pong'),
    onClose: () => void events.push('close'),
    onProtocolError: (error) => void events.push(`protocol_error ${error.message}`),
  };
  const protocol = new ClientProtocol(handler, {
    maxPayload: limit,
    maxMessageSize: limit,
    compression: false,
    maskKey: () => new Uint8Array(4),
    output: { write: () => undefined },
    alloc: allocUnsafe,
    codec: bufferCodec,
    isUtf8,
  });
  return { protocol, events };
}

describe('memory under hostile frames', () => {
  it('8 connections whose frame header announces 100 MiB, then 5 bytes, hold well under 1 MiB (was 800 MiB)', () => {
    const header = Uint8Array.of(0x82, 0x7f, 0, 0, 0, 0, 0x06, 0x40, 0, 0); // binary, 64-bit length 104857600
    const before = usage();
    const connections = Array.from({ length: 8 }, () => open(200 * MiB));
    for (const { protocol } of connections) {
      protocol.receive(header);
      protocol.receive(Uint8Array.of(1, 2, 3, 4, 5));
    }
    const after = usage();
    expect(after.arrayBuffers - before.arrayBuffers).toBeLessThan(MiB / 4);
    expect(after.heap - before.heap).toBeLessThan(MiB);
    expect(connections.map(({ protocol, events }) => [protocol.bufferedBytes <= 512, events.length])).toEqual(Array(8).fill([true, 0]));
  });

  it('2 million one-byte fragments (5.7 MiB on the wire) hold a few MiB, not 200', () => {
    const n = 2_000_000;
    const wire = Buffer.allocUnsafe(3 * n);
    for (let i = 0, at = 0; i < n; i++) {
      wire[at++] = i === 0 ? 0x02 : i === n - 1 ? 0x80 : 0x00; // binary, continuations, the last with FIN
      wire[at++] = 0x01;
      wire[at++] = i & 0xff;
    }
    // As a socket delivers it: 64 KiB chunks, each its own buffer. The last chunk is held back: the message is in flight.
    const chunks: Buffer[] = [];
    for (let at = 0; at < wire.length; at += 65536) chunks.push(Buffer.from(wire.subarray(at, at + 65536)));
    const last = chunks.pop()!;
    const { protocol, events } = open(200 * MiB);
    const before = usage();
    for (const chunk of chunks) protocol.receive(chunk);
    const after = usage();
    const growth = after.heap - before.heap + (after.arrayBuffers - before.arrayBuffers);
    expect(growth).toBeLessThan(6 * MiB);
    expect(protocol.bufferedBytes).toBeLessThanOrEqual(2 * n);
    protocol.receive(last);
    expect(events).toEqual([`binary ${n}`]);
  });
});
