import { isUtf8 } from 'node:buffer';
import fc from 'fast-check';
import { PayloadTooLargeError, ProtocolError } from '../../lib/core/errors.js';
import { encodeFrame } from '../helpers/frames.js';
import { FrameParser } from '../../lib/core/frame-parser.js';
import { MessageAssembler, type MessageAssemblerOptions } from '../../lib/core/message-assembler.js';
import { Opcode } from '../../lib/core/opcode.js';

const hex = (text: string): Uint8Array => Uint8Array.from(text.split(/\s+/).filter(Boolean), (byte) => parseInt(byte, 16));
const utf8 = (text: string): Uint8Array => new TextEncoder().encode(text);
const bytesOf = (payload: Uint8Array | string): Uint8Array => (typeof payload === 'string' ? utf8(payload) : payload);

interface FrameSpec {
  fin?: boolean;
  rsv1?: boolean;
  /** Offsets at which the payload arrives cut into parts. */
  cuts?: number[];
  /** Each part in memory of its own (reads into different buffers), not views of one (reads into one slab). */
  apart?: boolean;
}

/** A complete message as the assembler describes it after `frameEnd`. */
interface Message {
  readonly opcode: number;
  readonly compressed: boolean;
  readonly data: Uint8Array;
}

/**
 * Feeds one frame the way FrameParser does: an uncut payload whole, through `frame()`; a cut one (as when it spans
 * chunks) through frameStart, payloadPart for each non-empty slice, frameEnd.
 */
function deliver(assembler: MessageAssembler, opcode: number, payload: Uint8Array | string, spec: FrameSpec = {}): Message | null {
  const bytes = bytesOf(payload);
  const fin = spec.fin ?? true;
  const rsv1 = spec.rsv1 ?? false;
  let data: Uint8Array | null;
  if (spec.cuts === undefined) {
    data = assembler.frame(opcode, fin, rsv1, bytes);
  } else {
    assembler.frameStart(opcode, fin, rsv1, bytes.length);
    const points = [0, ...spec.cuts, bytes.length];
    for (let i = 1; i < points.length; i++) {
      const view = bytes.subarray(points[i - 1], points[i]);
      const part = spec.apart === true ? view.slice() : view;
      if (part.length > 0) assembler.payloadPart(part);
    }
    data = assembler.frameEnd();
  }
  return data === null ? null : { opcode: assembler.opcode, compressed: assembler.compressed, data };
}

const create = (options: Partial<MessageAssemblerOptions> = {}) => new MessageAssembler({ maxMessageSize: 1 << 20, ...options });

/** Runs `run` and asserts the exact error it throws. */
function expectFailure(run: () => unknown, type: typeof ProtocolError, closeCode: number, message: string): void {
  let error: unknown;
  try {
    run();
  } catch (caught) {
    error = caught;
  }
  expect(error).toBeInstanceOf(type);
  const failure = error as ProtocolError;
  expect([failure.name, failure.closeCode, failure.message]).toEqual([type.name, closeCode, message]);
}

describe('RFC 6455 §5.4 fragmentation', () => {
  it('returns a single-frame text message as the frame payload itself (zero-copy)', () => {
    const payload = utf8('Hello');
    const message = deliver(create(), Opcode.TEXT, payload);
    expect(message).toEqual({ opcode: Opcode.TEXT, compressed: false, data: payload });
    expect(message!.data).toBe(payload);
  });

  it('returns a single-frame binary message', () => {
    expect(deliver(create(), Opcode.BINARY, hex('00 ff'))).toEqual({ opcode: Opcode.BINARY, compressed: false, data: hex('00 ff') });
  });

  it('returns null until the FIN frame, copying small fragments into one buffer, then a buffer of the exact size', () => {
    const alloc = jest.fn((size: number) => new Uint8Array(size));
    const assembler = create({ alloc });
    expect(deliver(assembler, Opcode.BINARY, hex('01 02'), { fin: false })).toBeNull();
    expect(deliver(assembler, Opcode.CONTINUATION, hex('03'), { fin: false })).toBeNull();
    expect(alloc.mock.calls).toEqual([[256]]);
    const message = deliver(assembler, Opcode.CONTINUATION, hex('04 05'));
    expect(message).toEqual({ opcode: Opcode.BINARY, compressed: false, data: hex('01 02 03 04 05') });
    expect(alloc.mock.calls).toEqual([[256], [5]]);
    expect(message!.data).toBe(alloc.mock.results[1]!.value);
  });

  it('returns a large only fragment that fills its chunk without copying it', () => {
    const assembler = create();
    const payload = new Uint8Array(8192).fill(7);
    deliver(assembler, Opcode.BINARY, '', { fin: false });
    deliver(assembler, Opcode.CONTINUATION, payload, { fin: false });
    expect(deliver(assembler, Opcode.CONTINUATION, '')!.data).toBe(payload);
  });

  it('copies a small only fragment rather than holding its chunk', () => {
    const assembler = create();
    const chunk = new Uint8Array(65536).fill(7);
    deliver(assembler, Opcode.BINARY, chunk.subarray(0, 3), { fin: false });
    const data = deliver(assembler, Opcode.CONTINUATION, '')!.data;
    expect(data).toEqual(chunk.subarray(0, 3));
    expect(data.buffer).not.toBe(chunk.buffer);
  });

  it('gathers a frame that spans chunks into one buffer of its exact size, allocated at its first part', () => {
    const alloc = jest.fn((size: number) => new Uint8Array(size));
    const assembler = create({ alloc });
    const bytes = Uint8Array.from({ length: 300 }, (_, i) => i & 0xff);
    const message = deliver(assembler, Opcode.BINARY, bytes, { cuts: [1, 100, 257], apart: true });
    expect(message!.data).toEqual(bytes);
    expect(alloc.mock.calls).toEqual([[300]]);
    expect(message!.data).toBe(alloc.mock.results[0]!.value);
  });

  it('hands out a frame whose parts arrive one after the other in the same memory (one slab) as one view: no buffer, no copy', () => {
    const alloc = jest.fn((size: number) => new Uint8Array(size));
    const view = jest.fn((memory: ArrayBufferLike, offset: number, length: number) => new Uint8Array(memory, offset, length));
    const assembler = create({ alloc, view });
    const slab = Uint8Array.from({ length: 1000 }, (_, i) => (i * 7) & 0xff);
    const bytes = slab.subarray(200, 500);
    const message = deliver(assembler, Opcode.BINARY, bytes, { cuts: [1, 100, 257] });
    expect(message!.data).toEqual(bytes);
    expect(alloc).not.toHaveBeenCalled();
    expect(message!.data.buffer).toBe(slab.buffer);
    expect(message!.data.byteOffset).toBe(200);
    expect(view).toHaveBeenLastCalledWith(slab.buffer, 200, 300); // the platform's view type (Node: a Buffer)
  });

  it('copies a frame whose next part arrives elsewhere once its first part was kept as a view', () => {
    const alloc = jest.fn((size: number) => new Uint8Array(size));
    const assembler = create({ alloc });
    const bytes = Uint8Array.from({ length: 300 }, (_, i) => i & 0xff);
    assembler.frameStart(Opcode.BINARY, true, false, 300);
    assembler.payloadPart(bytes.subarray(0, 120)); // kept as a view: the rest may follow it
    assembler.payloadPart(bytes.slice(120, 200)); // elsewhere: the message gets its buffer
    assembler.payloadPart(bytes.subarray(200));
    const data = assembler.frameEnd()!;
    expect(data).toEqual(bytes);
    expect(alloc.mock.calls).toEqual([[300]]);
    expect(data).toBe(alloc.mock.results[0]!.value);
  });

  it('returns an empty message made of empty fragments', () => {
    const assembler = create();
    deliver(assembler, Opcode.TEXT, '', { fin: false });
    expect(deliver(assembler, Opcode.CONTINUATION, '')).toEqual({ opcode: Opcode.TEXT, compressed: false, data: new Uint8Array(0) });
  });

  it('reports inProgress from the first frame of a message to its last', () => {
    const assembler = create();
    expect(assembler.inProgress).toBe(false);
    deliver(assembler, Opcode.TEXT, 'a', { fin: false });
    expect(assembler.inProgress).toBe(true);
    deliver(assembler, Opcode.CONTINUATION, 'b');
    expect(assembler.inProgress).toBe(false);
  });

  it('fails with 1002 on a continuation frame without a message in progress', () => {
    expectFailure(() => deliver(create(), Opcode.CONTINUATION, 'x'), ProtocolError, 1002, 'unexpected continuation frame');
  });

  it('fails with 1002 on a continuation frame after a complete message', () => {
    const assembler = create();
    deliver(assembler, Opcode.TEXT, 'done');
    expectFailure(() => deliver(assembler, Opcode.CONTINUATION, 'x'), ProtocolError, 1002, 'unexpected continuation frame');
  });

  it.each([
    [Opcode.TEXT, 'data frame opcode 0x1 inside a fragmented message'],
    [Opcode.BINARY, 'data frame opcode 0x2 inside a fragmented message'],
  ])('fails with 1002 when a new message (opcode %p) interleaves a fragmented one', (opcode, message) => {
    const assembler = create();
    deliver(assembler, Opcode.TEXT, 'a', { fin: false });
    expectFailure(() => deliver(assembler, opcode, 'b'), ProtocolError, 1002, message);
  });

  it('forgets a message in progress on reset()', () => {
    const assembler = create();
    deliver(assembler, Opcode.TEXT, 'a', { fin: false });
    assembler.reset();
    expect(assembler.inProgress).toBe(false);
    expect(deliver(assembler, Opcode.BINARY, 'b')!.data).toEqual(utf8('b'));
  });

  it('reassembles random fragmentations of a message', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 100 }), fc.array(fc.nat(), { maxLength: 6 }), (text, offsets) => {
        const bytes = utf8(text);
        const points = [0, ...offsets.map((offset) => offset % (bytes.length + 1)).sort((a, b) => a - b), bytes.length];
        const assembler = create();
        let message: Message | null = null;
        for (let i = 1; i < points.length; i++) {
          const fin = i === points.length - 1;
          message = deliver(assembler, i === 1 ? Opcode.TEXT : Opcode.CONTINUATION, bytes.subarray(points[i - 1], points[i]), { fin, cuts: [1] });
          if (!fin) expect(message).toBeNull();
        }
        expect(message).toEqual({ opcode: Opcode.TEXT, compressed: false, data: bytes });
      }),
    );
  });
});

describe('RFC 6455 §10.4 maxMessageSize', () => {
  it('accepts a message of exactly maxMessageSize bytes', () => {
    const assembler = create({ maxMessageSize: 4 });
    deliver(assembler, Opcode.BINARY, 'ab', { fin: false });
    expect(deliver(assembler, Opcode.CONTINUATION, 'cd')!.data).toEqual(utf8('abcd'));
  });

  it('fails with 1009 at the header of a frame that is too large, before its payload', () => {
    const assembler = create({ maxMessageSize: 10 });
    expectFailure(() => assembler.frameStart(Opcode.BINARY, true, false, 11), PayloadTooLargeError, 1009, 'message of 11 bytes exceeds 10');
  });

  it('fails with 1009 at the fragment that makes the message too large', () => {
    const assembler = create({ maxMessageSize: 10 });
    deliver(assembler, Opcode.TEXT, 'abcd', { fin: false });
    deliver(assembler, Opcode.CONTINUATION, 'efgh', { fin: false });
    expectFailure(() => deliver(assembler, Opcode.CONTINUATION, 'ijk'), PayloadTooLargeError, 1009, 'message of 11 bytes exceeds 10');
  });

  it('counts each message on its own', () => {
    const assembler = create({ maxMessageSize: 4 });
    deliver(assembler, Opcode.BINARY, 'abcd');
    expect(deliver(assembler, Opcode.BINARY, 'efgh')!.data).toEqual(utf8('efgh'));
  });

  it('bounds compressed messages by their compressed bytes', () => {
    const assembler = create({ maxMessageSize: 4 });
    expectFailure(() => deliver(assembler, Opcode.TEXT, 'abcde', { rsv1: true }), PayloadTooLargeError, 1009, 'message of 5 bytes exceeds 4');
  });
});

describe('RFC 6455 §10.4 memory follows the bytes received', () => {
  it('holds next to nothing for a frame that announces 100 MiB and sends 5 bytes', () => {
    const alloc = jest.fn((size: number) => new Uint8Array(size));
    const assembler = create({ maxMessageSize: 200 << 20, alloc });
    assembler.frameStart(Opcode.BINARY, true, false, 100 << 20);
    assembler.payloadPart(hex('01 02 03 04 05'));
    expect(assembler.bufferedBytes).toBe(256);
    expect(Math.max(...alloc.mock.calls.map(([size]) => size))).toBe(256);
  });

  it('holds about the bytes of a million one-byte fragments, in one buffer, then hands out exactly them', () => {
    const alloc = jest.fn((size: number) => new Uint8Array(size));
    const assembler = create({ maxMessageSize: 2 << 20, alloc });
    const n = 1_000_000;
    const one = new Uint8Array(1);
    assembler.frameStart(Opcode.BINARY, false, false, 1);
    assembler.payloadPart(one);
    assembler.frameEnd();
    for (let i = 1; i < n - 1; i++) {
      assembler.frameStart(Opcode.CONTINUATION, false, false, 1);
      one[0] = i & 0xff;
      assembler.payloadPart(one);
      expect(assembler.frameEnd()).toBeNull();
    }
    expect(assembler.bufferedBytes).toBeLessThanOrEqual(2 * n);
    expect(alloc.mock.calls.length).toBeLessThan(20); // geometric growth: no allocation per fragment
    assembler.frameStart(Opcode.CONTINUATION, true, false, 1);
    assembler.payloadPart(Uint8Array.of(0xee));
    const data = assembler.frameEnd()!;
    expect(data.length).toBe(n);
    expect([data[0], data[1], data[255], data[n - 2], data[n - 1]]).toEqual([0, 1, 255, (n - 2) & 0xff, 0xee]);
    expect(assembler.bufferedBytes).toBe(0);
  });

  it('fails with 1009 when no buffer can hold the message', () => {
    const alloc = (size: number): Uint8Array => {
      if (size > 1000) throw new RangeError('Array buffer allocation failed');
      return new Uint8Array(size);
    };
    const assembler = create({ alloc });
    deliver(assembler, Opcode.BINARY, new Uint8Array(600), { fin: false, cuts: [1] });
    expectFailure(() => deliver(assembler, Opcode.CONTINUATION, new Uint8Array(600), { cuts: [1] }), PayloadTooLargeError, 1009, 'message of 1200 bytes is too large to buffer');
  });

  it('lets other allocator errors through', () => {
    const assembler = create({
      alloc: () => {
        throw new TypeError('broken allocator');
      },
    });
    expect(() => deliver(assembler, Opcode.BINARY, 'ab', { cuts: [1], apart: true })).toThrow(new TypeError('broken allocator'));
  });

  it('drops what it holds on reset()', () => {
    const assembler = create();
    deliver(assembler, Opcode.BINARY, 'abc', { fin: false });
    expect(assembler.bufferedBytes).toBeGreaterThan(0);
    assembler.reset();
    expect(assembler.bufferedBytes).toBe(0);
  });
});

describe('RFC 6455 §8.1 UTF-8 in text messages', () => {
  it('accepts text split inside a multibyte character across frames', () => {
    const assembler = create();
    const bytes = utf8('a😀b'); // 61 f0 9f 98 80 62
    deliver(assembler, Opcode.TEXT, bytes.subarray(0, 2), { fin: false });
    deliver(assembler, Opcode.CONTINUATION, bytes.subarray(2, 4), { fin: false, cuts: [1] });
    expect(deliver(assembler, Opcode.CONTINUATION, bytes.subarray(4))!.data).toEqual(bytes);
  });

  it('fails with 1007 inside the first of two frames, before that frame ends', () => {
    const assembler = create();
    const parser = new FrameParser(
      {
        onDataFrame: (opcode, fin, rsv1, payload) => void assembler.frame(opcode, fin, rsv1, payload),
        onDataStart: (opcode, fin, rsv1, length) => assembler.frameStart(opcode, fin, rsv1, length),
        onDataPart: (part) => assembler.payloadPart(part),
        onDataEnd: () => void assembler.frameEnd(),
        onControl: () => undefined,
      },
      { maxPayload: 1024 },
    );
    const first = encodeFrame(Opcode.TEXT, hex('61 62 ff 63 64'), null, { fin: false });
    parser.push(first.subarray(0, 4)); // header + "ab"
    expectFailure(() => parser.push(first.subarray(4, 5)), ProtocolError, 1007, 'invalid utf-8');
  });

  it('fails with 1007 at the byte of the next frame that breaks a sequence the previous one left open', () => {
    const assembler = create();
    deliver(assembler, Opcode.TEXT, hex('61 e2 82'), { fin: false });
    expectFailure(() => deliver(assembler, Opcode.CONTINUATION, hex('41')), ProtocolError, 1007, 'invalid utf-8');
  });

  it('fails with 1007 when a text message ends inside a character', () => {
    const assembler = create();
    deliver(assembler, Opcode.TEXT, hex('61'), { fin: false });
    expectFailure(() => deliver(assembler, Opcode.CONTINUATION, hex('c3')), ProtocolError, 1007, 'invalid utf-8');
  });

  it('fails with 1007 on a surrogate in a single-frame message', () => {
    expectFailure(() => deliver(create(), Opcode.TEXT, hex('ed a0 80')), ProtocolError, 1007, 'invalid utf-8');
  });

  it('does not validate binary messages', () => {
    expect(deliver(create(), Opcode.BINARY, hex('ff c0'))!.data).toEqual(hex('ff c0'));
  });

  it('validates each message afresh: no open sequence carries over', () => {
    const assembler = create();
    deliver(assembler, Opcode.TEXT, hex('e2'), { fin: false });
    assembler.reset();
    expectFailure(() => deliver(assembler, Opcode.TEXT, hex('82 ac')), ProtocolError, 1007, 'invalid utf-8');
    assembler.reset();
    deliver(assembler, Opcode.BINARY, hex('e2'));
    expectFailure(() => deliver(assembler, Opcode.TEXT, hex('82 ac')), ProtocolError, 1007, 'invalid utf-8');
    assembler.reset();
    expect(deliver(assembler, Opcode.TEXT, hex('e2 82 ac'))!.data).toEqual(utf8('€'));
  });

  describe('with a native whole-buffer check', () => {
    it('uses it for a text message that arrives as one frame in one piece', () => {
      const native = jest.fn(isUtf8);
      expect(deliver(create({ isUtf8: native }), Opcode.TEXT, 'Hello')!.data).toEqual(utf8('Hello'));
      expect(native).toHaveBeenCalledTimes(1);
    });

    it('fails with 1007 when it rejects the message', () => {
      expectFailure(() => deliver(create({ isUtf8 }), Opcode.TEXT, hex('61 ff')), ProtocolError, 1007, 'invalid utf-8');
    });

    it('still fails fast inside a fragmented message', () => {
      const assembler = create({ isUtf8 });
      deliver(assembler, Opcode.TEXT, 'a'.repeat(100), { fin: false });
      expectFailure(() => deliver(assembler, Opcode.CONTINUATION, hex('c0 80'), { cuts: [1] }), ProtocolError, 1007, 'invalid utf-8');
    });

    it('still catches a message cut inside a character when it arrives in pieces', () => {
      const assembler = create({ isUtf8 });
      expectFailure(() => deliver(assembler, Opcode.TEXT, hex('61 e2 82'), { cuts: [1] }), ProtocolError, 1007, 'invalid utf-8');
    });
  });
});

describe('RFC 7692 §6.1 compressed messages', () => {
  it('marks a message whose first frame has RSV1 as compressed and leaves its bytes unchecked', () => {
    const assembler = create();
    deliver(assembler, Opcode.TEXT, hex('ff 00'), { fin: false, rsv1: true });
    expect(deliver(assembler, Opcode.CONTINUATION, hex('c0'))).toEqual({ opcode: Opcode.TEXT, compressed: true, data: hex('ff 00 c0') });
  });

  it('fails with 1002 on RSV1 on a continuation frame', () => {
    const assembler = create();
    deliver(assembler, Opcode.BINARY, 'a', { fin: false, rsv1: true });
    expectFailure(() => deliver(assembler, Opcode.CONTINUATION, 'b', { rsv1: true }), ProtocolError, 1002, 'rsv1 set on a continuation frame');
  });

  it('starts the next message uncompressed', () => {
    const assembler = create();
    deliver(assembler, Opcode.TEXT, 'x', { rsv1: true });
    expect(deliver(assembler, Opcode.TEXT, 'y')!.compressed).toBe(false);
  });
});
