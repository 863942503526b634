import { randomFillSync } from 'node:crypto';
import { releaseFrameBuffer, takeFrameBuffer } from '../../lib/core/frame-pool.js';
import { FrameWriter, type ByteSink, type FrameEncoding } from '../../lib/core/frame-writer.js';
import { Opcode } from '../../lib/core/opcode.js';
import { defaultTextCodec } from '../../lib/core/text-codec.js';
import { ClientFrameReader, type ClientFrame } from '../../lib/testing/client-frame-reader.js';

const encoding: FrameEncoding = {
  maskKey: () => randomFillSync(new Uint8Array(4)),
  alloc: (size) => new Uint8Array(size),
  codec: defaultTextCodec,
};

/** A sink that gathers frames in place into one buffer (optionally in the frame pool, where masking is done in place), as the socket does. */
class GatheringSink implements ByteSink {
  readonly writes: Uint8Array[] = [];
  used = 0;
  rooms = 0;
  constructor(readonly writableBuffer: Uint8Array) {}
  write(data: Uint8Array): void {
    this.writes.push(data.slice());
  }
  writable(size: number): number {
    if (this.used + size > this.writableBuffer.length) return -1;
    const at = this.used;
    this.used += size;
    this.rooms++;
    return at;
  }
  /** Everything in wire order: what was gathered first, then what was written (the test writes control frames last). */
  frames(): ClientFrame[] {
    const reader = new ClientFrameReader();
    return [...reader.push(this.writableBuffer.slice(0, this.used)), ...this.writes.flatMap((data) => reader.push(data))];
  }
}

const payload = (length: number, seed: number): Uint8Array => Uint8Array.from({ length }, (_, i) => (i * 31 + seed) & 0xff);

describe('FrameWriter into a sink that offers room in place (writable and writableBuffer)', () => {
  it.each([
    ['an ordinary buffer', () => new Uint8Array(64 * 1024)],
    ['a frame pool buffer (masked where it lies)', () => takeFrameBuffer(64 * 1024)!],
  ])('writes text and binary frames of every small size one after the other into %s, each masked with its own key', (_, buffer) => {
    const room = buffer();
    try {
      const sink = new GatheringSink(room);
      const writer = new FrameWriter(sink, encoding);
      const sizes = [0, 1, 5, 63, 64, 125, 126, 127, 300, 511, 512, 513, 1000, 4099];
      for (const [i, size] of sizes.entries()) {
        writer.writeFrame(Opcode.BINARY, payload(size, i));
        writer.writeText('é'.repeat(size >> 1) + 'x'.repeat(size & 1));
      }
      writer.writeFrame(Opcode.PING, payload(5, 99)); // control frames go through write

      const frames = sink.frames();
      expect(sink.rooms).toBe(2 * sizes.length);
      expect(sink.writes).toHaveLength(1);
      expect(frames).toHaveLength(2 * sizes.length + 1);
      for (const [i, size] of sizes.entries()) {
        const binary = frames[2 * i]!;
        const text = frames[2 * i + 1]!;
        expect([binary.opcode, binary.fin, binary.rsv1, binary.masked]).toEqual([Opcode.BINARY, true, false, true]);
        expect(Buffer.from(binary.payload).equals(Buffer.from(payload(size, i)))).toBe(true);
        expect([text.opcode, text.masked]).toEqual([Opcode.TEXT, true]);
        expect(Buffer.from(text.payload).toString('utf8')).toBe('é'.repeat(size >> 1) + 'x'.repeat(size & 1));
      }
      expect(frames.at(-1)!.opcode).toBe(Opcode.PING);
    } finally {
      releaseFrameBuffer(room);
    }
  });

  it('writes a frame through write when the sink has no room for it (-1), and never leaves a room unfilled', () => {
    const sink = new GatheringSink(new Uint8Array(100));
    const writer = new FrameWriter(sink, encoding);
    writer.writeFrame(Opcode.BINARY, payload(80, 1)); // 86 bytes: in place
    writer.writeFrame(Opcode.BINARY, payload(80, 2)); // no room left: written
    writer.writeText('hi'); // 8 bytes: in place again

    expect(sink.used).toBe(86 + 8);
    expect(sink.writes).toHaveLength(1);
    const reader = new ClientFrameReader();
    const inPlace = reader.push(sink.writableBuffer.slice(0, sink.used));
    expect(inPlace.map((frame) => Buffer.from(frame.payload).toString('hex'))).toEqual([Buffer.from(payload(80, 1)).toString('hex'), Buffer.from('hi').toString('hex')]);
    expect(Buffer.from(new ClientFrameReader().push(sink.writes[0]!)[0]!.payload).equals(Buffer.from(payload(80, 2)))).toBe(true);
  });

  it('leaves the caller\'s payload as it was', () => {
    const sink = new GatheringSink(takeFrameBuffer(1024)!);
    try {
      const data = payload(200, 7);
      const copy = data.slice();
      new FrameWriter(sink, encoding).writeFrame(Opcode.BINARY, data);
      expect(Buffer.from(data).equals(Buffer.from(copy))).toBe(true);
    } finally {
      releaseFrameBuffer(sink.writableBuffer);
    }
  });
});
