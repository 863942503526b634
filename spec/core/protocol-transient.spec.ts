/**
 * ClientProtocol.receive(chunk, transient = true): the chunk's memory is reused
 * as soon as the call returns (node:net reading into one shared buffer), so
 * whatever the protocol hands out or keeps must survive the chunk being
 * overwritten. Each test scribbles over every chunk right after receiving it
 * and only then compares what was reported with what the server sent.
 */
import fc from 'fast-check';
import { isUtf8 } from 'node:buffer';
import { ClientProtocol } from '../../lib/core/protocol.js';
import { Opcode } from '../../lib/core/opcode.js';
import { encodeFrame } from '../helpers/frames.js';
import { FakeSink } from '../helpers/protocol-harness.js';

type Reported = { kind: 'text'; text: string } | { kind: 'binary' | 'ping' | 'pong' | 'compressed'; data: Uint8Array };

function transientHarness(compression = false) {
  const reported: Reported[] = [];
  const sink = new FakeSink();
  const protocol = new ClientProtocol(
    {
      onText: (text) => void reported.push({ kind: 'text', text }),
      onBinary: (data) => void reported.push({ kind: 'binary', data }),
      onCompressed: (_opcode, data) => void reported.push({ kind: 'compressed', data }),
      onPing: (data) => void reported.push({ kind: 'ping', data }),
      onPong: (data) => void reported.push({ kind: 'pong', data }),
      onClose: () => undefined,
      onProtocolError: (error) => {
        throw error;
      },
    },
    { maxPayload: 1 << 22, maxMessageSize: 1 << 22, compression, maskKey: () => new Uint8Array(4), output: sink, isUtf8, alloc: (size) => Buffer.allocUnsafe(size) },
  );
  /** Feeds `bytes` cut at `cuts`, each piece through one reused scratch buffer that is scribbled over after the call. */
  const feed = (bytes: Uint8Array, cuts: readonly number[]): void => {
    const ends = [...cuts.filter((c) => c > 0 && c < bytes.length)].sort((a, b) => a - b).concat(bytes.length);
    // As small as the largest piece, like a socket's read buffer (a part of it may then be kept as a view).
    const scratch = new Uint8Array(Math.max(...ends.map((end, i) => end - (i === 0 ? 0 : ends[i - 1]!))));
    let at = 0;
    for (const cut of ends) {
      if (cut <= at) continue;
      const chunk = scratch.subarray(0, cut - at);
      chunk.set(bytes.subarray(at, cut));
      protocol.receive(chunk, true);
      chunk.fill(0xee);
      at = cut;
    }
  };
  return { protocol, reported, sink, feed };
}

const pattern = (length: number, seed: number): Uint8Array => Uint8Array.from({ length }, (_, i) => (i * 31 + seed) & 0xff);

describe('ClientProtocol: transient chunks (reused after receive)', () => {
  it('a binary message lying whole in the chunk is copied out, not handed out as a view', () => {
    const { reported, feed } = transientHarness();
    const payload = pattern(64, 1);
    feed(encodeFrame(Opcode.BINARY, payload, null), []);
    expect(reported).toEqual([{ kind: 'binary', data: Buffer.from(payload) }]);
  });

  it('large parts of a payload spanning chunks are copied, never kept as views', () => {
    const { reported, feed } = transientHarness();
    const payload = pattern(300_000, 2);
    const frame = encodeFrame(Opcode.BINARY, payload, null);
    feed(frame, [10, 65_557, 131_111, 200_003]); // not multiples of 256: the pattern repeats every 256 bytes
    expect(reported).toHaveLength(1);
    expect(Buffer.compare(reported[0]!.kind === 'binary' ? reported[0]!.data : new Uint8Array(), payload)).toBe(0);
  });

  it('ping and pong payloads are copied (the ping\'s also for its automatic pong)', () => {
    const { reported, sink, feed } = transientHarness();
    feed(Uint8Array.from([...encodeFrame(Opcode.PING, pattern(5, 3), null), ...encodeFrame(Opcode.PONG, pattern(7, 4), null)]), []);
    expect(reported).toEqual([
      { kind: 'ping', data: Buffer.from(pattern(5, 3)) },
      { kind: 'pong', data: Buffer.from(pattern(7, 4)) },
    ]);
    expect(sink.frames.map((frame) => [frame.opcode, Buffer.from(frame.payload)])).toEqual([[Opcode.PONG, Buffer.from(pattern(5, 3))]]);
  });

  it('a compressed message is copied (inflation may finish later)', () => {
    const { reported, feed } = transientHarness(true);
    const payload = pattern(40, 5);
    feed(encodeFrame(Opcode.BINARY, payload, null, { rsv1: true }), []);
    expect(reported).toEqual([{ kind: 'compressed', data: Buffer.from(payload) }]);
  });

  it('asks for chunks of its own while a large payload arrives or copying binary messages out costs more, not for text', () => {
    const { protocol, feed } = transientHarness();
    expect(protocol.prefersOwnedChunks).toBe(false);
    const frame = encodeFrame(Opcode.BINARY, pattern(100_000, 6), null);
    feed(frame.subarray(0, 1000), []);
    expect(protocol.prefersOwnedChunks).toBe(true); // 99,000+ bytes still to come
    feed(frame.subarray(1000), []);
    expect(protocol.prefersOwnedChunks).toBe(false); // its parts were kept, nothing copied at the end
    feed(encodeFrame(Opcode.BINARY, pattern(5000, 6), null), []);
    expect(protocol.prefersOwnedChunks).toBe(true); // 5,000 bytes copied out
    feed(encodeFrame(Opcode.BINARY, pattern(200, 6), null), []);
    expect(protocol.prefersOwnedChunks).toBe(false); // one small message: a copy is cheaper than a buffer
    feed(Buffer.concat(Array.from({ length: 20 }, () => encodeFrame(Opcode.BINARY, pattern(64, 7), null))), []);
    expect(protocol.prefersOwnedChunks).toBe(true); // many small copies
    protocol.receive(Buffer.concat(Array.from({ length: 20 }, () => encodeFrame(Opcode.BINARY, pattern(64, 7), null))), false);
    expect(protocol.prefersOwnedChunks).toBe(true); // an owned chunk of the same: still cheaper owned (no flip-flop)
    feed(encodeFrame(Opcode.TEXT, new TextEncoder().encode('x'.repeat(10_000)), null), []);
    expect(protocol.prefersOwnedChunks).toBe(false); // text is decoded in place
  });

  it('any mix of messages, fragments and controls, cut anywhere, arrives intact (property)', () => {
    const message = fc.oneof(
      fc.record({ kind: fc.constant('binary' as const), size: fc.integer({ min: 0, max: 70_000 }), seed: fc.nat(255), fragments: fc.integer({ min: 1, max: 3 }) }),
      fc.record({ kind: fc.constant('text' as const), text: fc.string({ unit: 'grapheme', maxLength: 300 }), fragments: fc.integer({ min: 1, max: 3 }) }),
      fc.record({ kind: fc.constant('ping' as const), size: fc.integer({ min: 0, max: 125 }), seed: fc.nat(255) }),
    );
    fc.assert(
      fc.property(fc.array(message, { minLength: 1, maxLength: 12 }), fc.array(fc.nat(1 << 20), { maxLength: 20 }), (messages, cuts) => {
        const { reported, feed } = transientHarness();
        const frames: Uint8Array[] = [];
        const expected: Reported[] = [];
        for (const m of messages) {
          if (m.kind === 'ping') {
            frames.push(encodeFrame(Opcode.PING, pattern(m.size, m.seed), null));
            expected.push({ kind: 'ping', data: Buffer.from(pattern(m.size, m.seed)) });
            continue;
          }
          const bytes = m.kind === 'binary' ? pattern(m.size, m.seed) : new TextEncoder().encode(m.text);
          const step = Math.ceil(bytes.length / m.fragments) || 1;
          for (let i = 0, first = true; first || i < bytes.length; i += step, first = false) {
            const fin = i + step >= bytes.length;
            frames.push(encodeFrame(first ? (m.kind === 'binary' ? Opcode.BINARY : Opcode.TEXT) : Opcode.CONTINUATION, bytes.subarray(i, i + step), null, { fin }));
          }
          expected.push(m.kind === 'binary' ? { kind: 'binary', data: Buffer.from(bytes) } : { kind: 'text', text: m.text });
        }
        const stream = Buffer.concat(frames);
        feed(stream, cuts.map((cut) => cut % (stream.length + 1)));
        expect(reported.length).toBe(expected.length);
        reported.forEach((got, i) => {
          const want = expected[i]!;
          expect(got.kind).toBe(want.kind);
          if (got.kind === 'text' && want.kind === 'text') expect(got.text).toBe(want.text);
          else if (got.kind !== 'text' && want.kind !== 'text') expect(Buffer.compare(got.data, want.data)).toBe(0);
        });
      }),
      { numRuns: 150, seed: 20261202 },
    );
  });

  it('offers the rest of a large message\'s own buffer as the next read target, and a chunk read there is not copied', () => {
    const { protocol, reported, feed } = transientHarness();
    const payload = pattern(600_000, 9);
    const frame = encodeFrame(Opcode.BINARY, payload, null);
    expect(protocol.readTarget()).toBeNull();
    // Received so far: not yet enough for the budget to allow the exact buffer (2 × received + 64 KiB).
    protocol.receive(frame.subarray(0, 100_010), false);
    expect(protocol.readTarget()).toBeNull();
    protocol.receive(frame.subarray(100_010, 300_010), false);
    const target = protocol.readTarget();
    expect(target).not.toBeNull();
    expect(target!.length).toBe(300_000); // exactly the rest of the payload, never past it
    // The transport reads into the target: the chunk is that very view.
    const read = target!.subarray(0, 123_456);
    read.set(payload.subarray(300_000, 423_456));
    protocol.receive(read, false);
    const next = protocol.readTarget()!;
    expect(next.byteOffset).toBe(target!.byteOffset + 123_456);
    next.set(payload.subarray(423_456));
    protocol.receive(next, false);
    expect(protocol.readTarget()).toBeNull();
    feed(encodeFrame(Opcode.BINARY, pattern(10, 1), null), []);
    expect(reported).toHaveLength(2);
    const message = reported[0]!.kind === 'binary' ? reported[0]!.data : new Uint8Array();
    expect(message.buffer).toBe(target!.buffer); // the message is the buffer the reads went into
    expect(Buffer.compare(message, payload)).toBe(0);
  });

  it('never offers a read target for a fragmented message (its size is not known yet)', () => {
    const { protocol } = transientHarness();
    const first = encodeFrame(Opcode.BINARY, pattern(400_000, 3), null, { fin: false });
    protocol.receive(first.subarray(0, 300_000), false);
    expect(protocol.readTarget()).toBeNull();
    const other = transientHarness();
    other.protocol.receive(encodeFrame(Opcode.BINARY, pattern(400_000, 3), null).subarray(0, 300_000), false);
    expect(other.protocol.readTarget()).not.toBeNull(); // the same bytes as one final frame: known, so offered
  });
});
