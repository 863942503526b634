import fc from 'fast-check';
import { CriticalProtocolError, PayloadTooLargeError, ProtocolError } from '../../lib/core/errors.js';
import { frameHeaderSize } from '../../lib/core/frame.js';
import { encodeFrame, type Frame, type FrameHeader } from '../helpers/frames.js';
import { FrameParser, type FrameHandler, type FrameParserOptions } from '../../lib/core/frame-parser.js';
import { Opcode, isControl } from '../../lib/core/opcode.js';

const hex = (text: string): Uint8Array => Uint8Array.from(text.split(/\s+/).filter(Boolean), (byte) => parseInt(byte, 16));
const utf8 = (text: string): Uint8Array => new TextEncoder().encode(text);
const concat = (parts: Uint8Array[]): Uint8Array => {
  const out = new Uint8Array(parts.reduce((sum, part) => sum + part.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
};
const frame = (opcode: number, payload: Uint8Array | string, fin = true, rsv1 = false): Frame => ({
  fin,
  rsv1,
  opcode,
  payload: typeof payload === 'string' ? utf8(payload) : payload,
});
/** A deterministic payload of `size` bytes. */
const pattern = (size: number, seed = 0): Uint8Array => Uint8Array.from({ length: size }, (_, i) => (i * 31 + seed) & 0xff);

type Event = ['frame', Frame] | ['start', FrameHeader] | ['part', Uint8Array] | ['end'] | ['control', Frame];

/**
 * A parser with a handler that records every callback, in order, and rebuilds the frames from them: a data
 * frame reported whole keeps its payload view (so zero-copy views can be checked), one that spans chunks gets its
 * parts joined.
 */
function recorder(options: Partial<FrameParserOptions> = {}) {
  const events: Event[] = [];
  const handler: FrameHandler = {
    onDataFrame: (opcode, fin, rsv1, payload) => void events.push(['frame', { fin, rsv1, opcode, payload }]),
    onDataStart: (opcode, fin, rsv1, length) => void events.push(['start', { fin, rsv1, opcode, masked: false, length }]),
    onDataPart: (part) => void events.push(['part', part]),
    onDataEnd: () => void events.push(['end']),
    onControl: (opcode, payload) => void events.push(['control', { fin: true, rsv1: false, opcode, payload }]),
  };
  const parser = new FrameParser(handler, { maxPayload: 1 << 20, ...options });
  const frames = (): Frame[] => {
    const list: Frame[] = [];
    let header: FrameHeader | null = null;
    let parts: Uint8Array[] = [];
    for (const event of events) {
      if (event[0] === 'control' || event[0] === 'frame') list.push(event[1]);
      else if (event[0] === 'start') [header, parts] = [event[1], []];
      else if (event[0] === 'part') parts.push(event[1]);
      else {
        const { fin, rsv1, opcode } = header!;
        list.push({ fin, rsv1, opcode, payload: parts.length === 1 ? parts[0]! : concat(parts) });
      }
    }
    return list;
  };
  return { parser, events, frames };
}

/** Parses `chunks` in order and returns the frames, with plain Uint8Array payloads for comparison. */
function parse(chunks: Uint8Array[], options: Partial<FrameParserOptions> = {}): Frame[] {
  const { parser, frames } = recorder(options);
  for (const chunk of chunks) parser.push(chunk);
  return frames().map((parsed) => ({ ...parsed, payload: Uint8Array.from(parsed.payload) }));
}

/** Frames with payloads as base64: compares large payloads fast. */
const summary = (list: Frame[]) => list.map((f) => ({ ...f, payload: Buffer.from(f.payload.buffer, f.payload.byteOffset, f.payload.length).toString('base64') }));

/** `bytes` cut at the given offsets. */
const cut = (bytes: Uint8Array, offsets: number[]): Uint8Array[] => {
  const points = [0, ...offsets.map((offset) => offset % (bytes.length + 1)).sort((a, b) => a - b), bytes.length];
  return points.slice(1).map((end, i) => bytes.subarray(points[i], end));
};
const oneByteAtATime = (bytes: Uint8Array): Uint8Array[] => Array.from(bytes, (_, i) => bytes.subarray(i, i + 1));

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
  expect({ name: failure.name, closeCode: failure.closeCode, critical: failure.critical, message: failure.message }).toEqual({
    name: type.name,
    closeCode,
    critical: type === CriticalProtocolError,
    message,
  });
}

describe('RFC 6455 §5.7 examples, parsed byte for byte', () => {
  const examples: [string, string, Frame[]][] = [
    ['a single-frame unmasked text message', '81 05 48 65 6c 6c 6f', [frame(Opcode.TEXT, 'Hello')]],
    ['a fragmented unmasked text message', '01 03 48 65 6c 80 02 6c 6f', [frame(Opcode.TEXT, 'Hel', false), frame(Opcode.CONTINUATION, 'lo')]],
    ['an unmasked ping', '89 05 48 65 6c 6c 6f', [frame(Opcode.PING, 'Hello')]],
    ['256 bytes of binary data', `82 7e 01 00 ${'ab '.repeat(256)}`, [frame(Opcode.BINARY, new Uint8Array(256).fill(0xab))]],
    ['64 KiB of binary data', `82 7f 00 00 00 00 00 01 00 00 ${'cd '.repeat(65536)}`, [frame(Opcode.BINARY, new Uint8Array(65536).fill(0xcd))]],
  ];

  it.each(examples)('parses %s', (_, bytes, expected) => {
    expect(summary(parse([hex(bytes)]))).toEqual(summary(expected));
  });

  it.each(examples.slice(0, 4))('parses %s split at every offset and one byte at a time', (_, text, expected) => {
    const bytes = hex(text);
    for (let at = 0; at <= bytes.length; at++) expect(parse([bytes.subarray(0, at), bytes.subarray(at)])).toEqual(expected);
    expect(parse(oneByteAtATime(bytes))).toEqual(expected);
  });

  it('parses the 64 KiB example one byte at a time', () => {
    const bytes = hex(examples[4]![1]);
    expect(summary(parse(oneByteAtATime(bytes)))).toEqual(summary(examples[4]![2]));
  });

  it('rejects the masked "Hello" (a client never accepts masked frames)', () => {
    expectFailure(() => parse([hex('81 85 37 fa 21 3d 7f 9f 4d 51 58')]), CriticalProtocolError, 1002, 'masked frame from server');
  });
});

describe('RFC 6455 §5.2 base framing', () => {
  describe('round trips', () => {
    const sizes = fc.oneof(fc.constantFrom(0, 1, 125, 126, 127, 65535, 65536), fc.nat(300));
    const frames = fc.array(
      fc.oneof(
        fc.record({ opcode: fc.constantFrom(Opcode.TEXT, Opcode.BINARY), fin: fc.boolean(), rsv1: fc.boolean(), size: sizes }),
        fc.record({ opcode: fc.constant(Opcode.CONTINUATION), fin: fc.boolean(), rsv1: fc.constant(false), size: sizes }),
        fc.record({ opcode: fc.constantFrom(Opcode.CLOSE, Opcode.PING, Opcode.PONG), fin: fc.constant(true), rsv1: fc.constant(false), size: fc.nat(125) }),
      ),
      { minLength: 1, maxLength: 6 },
    );
    const build = (specs: { opcode: number; fin: boolean; rsv1: boolean; size: number }[]) =>
      specs.map(({ opcode, fin, rsv1, size }, i) => frame(opcode, pattern(size, i), fin, rsv1));
    const encode = (list: Frame[]) => concat(list.map((f) => encodeFrame(f.opcode, f.payload, null, { fin: f.fin, rsv1: f.rsv1 })));

    it('gives back the frames it was given, whatever the chunk boundaries', () => {
      fc.assert(
        fc.property(frames, fc.array(fc.nat(), { maxLength: 8 }), (specs, offsets) => {
          const list = build(specs);
          // RFC 6455 §1.4: nothing after a Close frame is parsed.
          const close = list.findIndex((f) => f.opcode === Opcode.CLOSE);
          const expected = close < 0 ? list : list.slice(0, close + 1);
          expect(summary(parse(cut(encode(list), offsets), { allowRsv1: true }))).toEqual(summary(expected));
        }),
        { numRuns: 200 },
      );
    });

    it('gives back small frames fed one byte at a time', () => {
      const small = fc.array(
        fc.record({ opcode: fc.constantFrom(Opcode.TEXT, Opcode.BINARY, Opcode.PING), fin: fc.constant(true), rsv1: fc.constant(false), size: fc.nat(125) }),
        { minLength: 1, maxLength: 4 },
      );
      fc.assert(
        fc.property(small, (specs) => {
          const list = build(specs);
          expect(parse(oneByteAtATime(encode(list)))).toEqual(list);
        }),
      );
    });

    it.each([0, 1, 125, 126, 65535, 65536])('gives back a %p-byte frame fed one byte at a time', (size) => {
      const list = [frame(Opcode.BINARY, pattern(size)), frame(Opcode.PONG, 'after')];
      expect(summary(parse(oneByteAtATime(encode(list))))).toEqual(summary(list));
    });

    it('gives back several small frames split at every pair of offsets', () => {
      const list = [frame(Opcode.TEXT, 'ab', false), frame(Opcode.PING, ''), frame(Opcode.CONTINUATION, pattern(130)), frame(Opcode.CLOSE, hex('03 e8'))];
      const bytes = encode(list);
      for (let first = 0; first <= bytes.length; first += 1) {
        for (let second = first; second <= bytes.length; second += 7) {
          expect(parse([bytes.subarray(0, first), bytes.subarray(first, second), bytes.subarray(second)])).toEqual(list);
        }
      }
    });

    it('reports every header field, of a frame whole and of one that spans chunks', () => {
      const { parser, events } = recorder({ allowRsv1: true });
      parser.push(hex('41 02 68 69 c2 03 01'));
      expect(events[0]).toEqual(['frame', frame(Opcode.TEXT, 'hi', false, true)]);
      expect(events[1]).toEqual(['start', { fin: true, rsv1: true, opcode: Opcode.BINARY, masked: false, length: 3 }]);
    });

    it('accepts a length that is not minimally encoded', () => {
      expect(parse([hex('82 7e 00 02 61 62 82 7f 00 00 00 00 00 00 00 01 63')])).toEqual([frame(Opcode.BINARY, 'ab'), frame(Opcode.BINARY, 'c')]);
    });

    it('ignores empty chunks', () => {
      expect(parse([hex(''), hex('89'), hex(''), hex('00')])).toEqual([frame(Opcode.PING, '')]);
    });
  });

  describe('callbacks and buffers', () => {
    it('calls onDataStart once the header of a frame that spans chunks is complete, before any payload byte', () => {
      const { parser, events } = recorder();
      parser.push(hex('82 7e 01'));
      expect(events).toEqual([]);
      parser.push(hex('00'));
      expect(events.map((event) => event[0])).toEqual(['start']);
    });

    it('hands out a zero-copy view of the chunk when the payload lies in it', () => {
      const { parser, frames } = recorder();
      const chunk = hex('82 03 01 02 03 81 01 61 89 01 62');
      parser.push(chunk);
      const [first, second, ping] = frames();
      expect(first!.payload.buffer).toBe(chunk.buffer);
      expect(first!.payload.byteOffset).toBe(2);
      expect(second!.payload.byteOffset).toBe(7);
      expect(ping!.payload.buffer).toBe(chunk.buffer);
      expect(ping!.payload.byteOffset).toBe(10);
    });

    it('never buffers a data payload that spans chunks: every slice is a view of its chunk, nothing is allocated', () => {
      const alloc = jest.fn((size: number) => new Uint8Array(size));
      const { parser, events, frames } = recorder({ alloc, maxPayload: 200 << 20 });
      // A header that announces 100 MiB, then 299 bytes of it.
      const chunks = [hex('82 7f 00 00 00 00 06 40 00 00 00'), new Uint8Array(150).fill(1), new Uint8Array(148).fill(2)];
      chunks.forEach((chunk) => parser.push(chunk));
      expect(alloc).not.toHaveBeenCalled();
      expect(parser.bufferedBytes).toBeLessThanOrEqual(8);
      const parts = events.filter((event) => event[0] === 'part').map((event) => event[1] as Uint8Array);
      expect(parts.map((part) => part.buffer)).toEqual(chunks.map((chunk) => chunk.buffer));
      expect(frames()).toEqual([]);
    });

    it('gathers a control payload that spans chunks into one buffer of its exact length', () => {
      const alloc = jest.fn((size: number) => new Uint8Array(size));
      const { parser, frames } = recorder({ alloc });
      parser.push(hex('89 7d 00'));
      expect(alloc).toHaveBeenCalledTimes(1);
      expect(alloc).toHaveBeenCalledWith(125);
      expect(parser.bufferedBytes).toBe(125);
      parser.push(new Uint8Array(123).fill(1));
      parser.push(hex('03 82 00'));
      expect(alloc).toHaveBeenCalledTimes(1);
      expect(parser.bufferedBytes).toBeLessThanOrEqual(8);
      expect(frames()[0]!.payload).toBe(alloc.mock.results[0]!.value);
      expect(frames()[0]!.payload).toEqual(concat([hex('00'), new Uint8Array(123).fill(1), hex('03')]));
      expect(frames()).toHaveLength(2);
    });

    it('reports each slice of a data payload as a view of its chunk, in order, before onDataEnd', () => {
      const { parser, events } = recorder();
      const chunks = [hex('02 05 01 02'), hex('03'), hex('04 05 80 00')];
      chunks.forEach((chunk) => parser.push(chunk));
      expect(events.map((event) => event[0])).toEqual(['start', 'part', 'part', 'part', 'end', 'frame']);
      const parts = events.filter((event) => event[0] === 'part').map((event) => event[1] as Uint8Array);
      expect(parts.map((part) => part.buffer)).toEqual(chunks.map((chunk) => chunk.buffer));
      expect(concat(parts)).toEqual(hex('01 02 03 04 05'));
    });

    it('reports a data frame that lies in one chunk in one call, with a view of its payload', () => {
      const { parser, events } = recorder();
      const chunk = hex('81 02 68 69');
      parser.push(chunk);
      expect(events).toEqual([['frame', frame(Opcode.TEXT, 'hi')]]);
      expect((events[0]![1] as Frame).payload.buffer).toBe(chunk.buffer);
    });

    it('reports a data frame whole once its header completes in the chunk that holds its payload', () => {
      const { parser, events } = recorder();
      parser.push(hex('82 7e'));
      parser.push(hex('00 02 01 02'));
      expect(events).toEqual([['frame', frame(Opcode.BINARY, hex('01 02'))]]);
    });

    it('reports control frames whole, and an empty data frame whole even after a split header', () => {
      const { parser, events } = recorder();
      oneByteAtATime(hex('89 03 61 62 63 8a 00 82 00')).forEach((chunk) => parser.push(chunk));
      expect(events.map((event) => event[0])).toEqual(['control', 'control', 'frame']);
    });

    it('parses many small frames in one chunk', () => {
      const one = encodeFrame(Opcode.BINARY, pattern(10), null);
      const chunk = concat(Array.from({ length: 1000 }, () => one));
      const { parser, frames } = recorder();
      parser.push(chunk);
      expect(frames()).toHaveLength(1000);
      expect(frames().every((parsed) => parsed.payload.buffer === chunk.buffer)).toBe(true);
    });
  });

  describe('RFC 6455 §1.4 the Close frame ends the stream', () => {
    // "after receiving a control frame indicating the connection should be closed, a peer discards any further data received."
    it.each([
      ['an invalid header', '88 02 03 e8 ff ff'],
      ['a frame with RSV1', '88 02 03 e8 c1 00'],
      ['a valid text frame', '88 02 03 e8 81 01 61'],
    ])('ignores %s after the Close frame, in the same chunk or later ones, split anywhere', (_, text) => {
      const bytes = hex(text);
      for (let at = 0; at <= bytes.length; at++) {
        const { parser, events } = recorder();
        expect(() => [bytes.subarray(0, at), bytes.subarray(at), hex('ff ff 81 01 62')].forEach((chunk) => parser.push(chunk))).not.toThrow();
        expect(events).toEqual([['control', frame(Opcode.CLOSE, hex('03 e8'))]]);
        expect(parser.closed).toBe(true);
      }
    });

    it('reads on after pings and pongs', () => {
      const { parser } = recorder();
      parser.push(hex('89 00 8a 00'));
      expect(parser.closed).toBe(false);
    });
  });

  describe('reserved bits', () => {
    it('allows RSV1 on data frames once allowRsv1 is set, even after construction', () => {
      const { parser, frames } = recorder();
      parser.allowRsv1 = true;
      parser.push(hex('c1 01 78 42 00'));
      expect(frames().map((parsed) => [parsed.opcode, parsed.rsv1])).toEqual([
        [Opcode.TEXT, true],
        [Opcode.BINARY, true],
      ]);
    });

    it('leaves RSV1 on a continuation frame to the message assembler', () => {
      expect(parse([hex('40 00')], { allowRsv1: true })).toEqual([frame(Opcode.CONTINUATION, '', false, true)]);
    });
  });
});

describe('violations', () => {
  type Row = [string, string, typeof ProtocolError, number, string, number, Partial<FrameParserOptions>?];
  const reserved = [0x3, 0x4, 0x5, 0x6, 0x7, 0xb, 0xc, 0xd, 0xe, 0xf].map(
    (opcode): Row => [`reserved opcode 0x${opcode.toString(16)}`, `8${opcode.toString(16)} 00`, ProtocolError, 1002, `invalid opcode 0x${opcode.toString(16)}`, 1],
  );
  // [what, bytes, error class, close code, message, index of the byte that reveals it, parser options]
  const rows: Row[] = [
    ['RFC 6455 §5.1: a masked frame', '82 80 00 00 00 00', CriticalProtocolError, 1002, 'masked frame from server', 1],
    ['RFC 6455 §5.2: RSV1 without a negotiated extension', 'c1 00', ProtocolError, 1002, 'reserved bits set 0x40', 1],
    ['RFC 6455 §5.2: RSV2', 'a2 00', ProtocolError, 1002, 'reserved bits set 0x20', 1, { allowRsv1: true }],
    ['RFC 6455 §5.2: RSV3', '91 00', ProtocolError, 1002, 'reserved bits set 0x10', 1, { allowRsv1: true }],
    ['RFC 6455 §5.2: RSV1 with RSV2', 'e1 00', ProtocolError, 1002, 'reserved bits set 0x60', 1, { allowRsv1: true }],
    ['RFC 7692 §6.1: RSV1 on a control frame', 'c9 00', ProtocolError, 1002, 'reserved bits set 0x40', 1, { allowRsv1: true }],
    ...reserved,
    ['RFC 6455 §5.5: a fragmented ping', '09 00', ProtocolError, 1002, 'fragmented control frame', 1],
    ['RFC 6455 §5.5: a fragmented close', '08 00', ProtocolError, 1002, 'fragmented control frame', 1],
    ['RFC 6455 §5.5: a ping with a 16-bit length', '89 7e 00 7e', ProtocolError, 1002, 'control frame payload exceeds 125 bytes', 1],
    ['RFC 6455 §5.5: a close with a 64-bit length', '88 7f 00 00 00 00 00 01 00 00', ProtocolError, 1002, 'control frame payload exceeds 125 bytes', 1],
    ['RFC 6455 §5.2: a 64-bit length with its most significant bit set', '82 7f 80 00 00 00 00 00 00 01', CriticalProtocolError, 1002, 'invalid 64-bit payload length 0x8000000000000001', 9],
    ['a 64-bit length of 2^53, beyond any buffer', '82 7f 00 20 00 00 00 00 00 00', PayloadTooLargeError, 1009, 'frame payload of 9007199254740992 bytes exceeds 1024', 9],
    ['a 7-bit length over maxPayload', '82 7d', PayloadTooLargeError, 1009, 'frame payload of 125 bytes exceeds 100', 1, { maxPayload: 100 }],
    ['a 16-bit length over maxPayload', '82 7e 04 01', PayloadTooLargeError, 1009, 'frame payload of 1025 bytes exceeds 1024', 3],
    ['a 64-bit length over maxPayload', '82 7f 00 00 00 00 00 01 00 00', PayloadTooLargeError, 1009, 'frame payload of 65536 bytes exceeds 1024', 9],
    ['masked wins over reserved bits and opcode', 'a3 80', CriticalProtocolError, 1002, 'masked frame from server', 1],
    ['reserved bits win over a reserved opcode', 'a3 00', ProtocolError, 1002, 'reserved bits set 0x20', 1],
    ['a reserved opcode wins over a cleared FIN', '0b 00', ProtocolError, 1002, 'invalid opcode 0xb', 1],
    ['a cleared FIN wins over a long control frame', '09 7e', ProtocolError, 1002, 'fragmented control frame', 1],
  ];

  it.each(rows)('fails on %s', (_, bytes, type, closeCode, message, __, options = { maxPayload: 1024 }) => {
    expectFailure(() => parse([hex(bytes)], { maxPayload: 1024, ...options }), type, closeCode, message);
  });

  it.each(rows)('fails on %s at the byte that reveals it, before any callback or allocation', (_, bytes, type, closeCode, message, index, options = {}) => {
    const alloc = jest.fn((size: number) => new Uint8Array(size));
    const { parser, events } = recorder({ maxPayload: 1024, alloc, ...options });
    const input = hex(bytes);
    for (let i = 0; i < index; i++) parser.push(input.subarray(i, i + 1));
    expectFailure(() => parser.push(input.subarray(index, index + 1)), type, closeCode, message);
    expect(events).toEqual([]);
    expect(alloc).not.toHaveBeenCalled();
  });

  it('accepts a payload of exactly maxPayload bytes', () => {
    expect(parse([hex('82 7e 04 00'), new Uint8Array(1024)], { maxPayload: 1024 })).toHaveLength(1);
  });

  it('delivers the frames before a violation, then ignores all input after it', () => {
    const { parser, events } = recorder();
    expectFailure(() => parser.push(hex('81 01 61 83 00 81 01 62')), ProtocolError, 1002, 'invalid opcode 0x3');
    expect(events.map((event) => event[0])).toEqual(['frame']);
    expect(() => parser.push(hex('81 01 63'))).not.toThrow();
    expect(events).toHaveLength(1);
  });

  it('fails and ignores later input when the handler throws', () => {
    const onDataPart = jest.fn();
    const onDataEnd = jest.fn();
    const onDataFrame = jest.fn((opcode: number) => {
      if (opcode === Opcode.CONTINUATION) throw new ProtocolError('unexpected continuation frame');
    });
    const parser = new FrameParser(
      {
        onDataFrame,
        onDataStart: jest.fn(),
        onDataPart,
        onDataEnd,
        onControl: jest.fn(),
      },
      { maxPayload: 1024 },
    );
    expectFailure(() => parser.push(hex('80 01 61')), ProtocolError, 1002, 'unexpected continuation frame');
    parser.push(hex('81 01 61'));
    expect(onDataFrame).toHaveBeenCalledTimes(1);
    expect(onDataPart).not.toHaveBeenCalled();
    expect(onDataEnd).not.toHaveBeenCalled();
  });

  it('checks every frame of a random valid stream without false alarms', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.constantFrom(0x1, 0x2, 0x9, 0xa), fc.nat(130)), { maxLength: 10 }), (list) => {
        const frames = list.map(([opcode, size]) => frame(opcode, pattern(isControl(opcode) ? Math.min(size, 125) : size)));
        const bytes = concat(frames.map((f) => encodeFrame(f.opcode, f.payload, null)));
        expect(parse([bytes])).toEqual(frames);
        expect(bytes.length).toBe(frames.reduce((sum, f) => sum + frameHeaderSize(f.payload.length, false) + f.payload.length, 0));
      }),
    );
  });
});
