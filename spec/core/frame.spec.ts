import fc from 'fast-check';
import { FrameBuildError } from '../../lib/core/errors.js';
import { frameHeaderSize, writeFrameHeader } from '../../lib/core/frame.js';
import { encodeFrame } from '../helpers/frames.js';
import { FrameWriter } from '../../lib/core/frame-writer.js';
import { defaultTextCodec } from '../../lib/core/text-codec.js';
import { Opcode } from '../../lib/core/opcode.js';

const hex = (text: string): Uint8Array => Uint8Array.from(text.split(/\s+/).filter(Boolean), (byte) => parseInt(byte, 16));
const toHex = (bytes: Uint8Array): string => Array.from(bytes, (byte) => byte.toString(16).padStart(2, '0')).join(' ');
const utf8 = (text: string): Uint8Array => new TextEncoder().encode(text);
const KEY = hex('37 fa 21 3d');

/** Asserts that `run` throws exactly a FrameBuildError with `message`. */
function expectBuildError(run: () => unknown, message: string): void {
  let error: unknown;
  try {
    run();
  } catch (caught) {
    error = caught;
  }
  expect(error).toBeInstanceOf(FrameBuildError);
  expect((error as Error).name).toBe('FrameBuildError');
  expect((error as Error).message).toBe(message);
}
const HELLO = utf8('Hello');

describe('RFC 6455 §5.7 examples, encoded byte for byte', () => {
  it('encodes a single-frame unmasked text message', () => {
    expect(toHex(encodeFrame(Opcode.TEXT, HELLO, null))).toBe('81 05 48 65 6c 6c 6f');
  });

  it('encodes a single-frame masked text message', () => {
    expect(toHex(encodeFrame(Opcode.TEXT, HELLO, KEY))).toBe('81 85 37 fa 21 3d 7f 9f 4d 51 58');
  });

  it('encodes a fragmented unmasked text message', () => {
    expect(toHex(encodeFrame(Opcode.TEXT, utf8('Hel'), null, { fin: false }))).toBe('01 03 48 65 6c');
    expect(toHex(encodeFrame(Opcode.CONTINUATION, utf8('lo'), null))).toBe('80 02 6c 6f');
  });

  it('encodes an unmasked ping', () => {
    expect(toHex(encodeFrame(Opcode.PING, HELLO, null))).toBe('89 05 48 65 6c 6c 6f');
  });

  it('encodes a masked pong', () => {
    expect(toHex(encodeFrame(Opcode.PONG, HELLO, KEY))).toBe('8a 85 37 fa 21 3d 7f 9f 4d 51 58');
  });

  it('encodes 256 bytes of binary data with a 16-bit length', () => {
    const payload = new Uint8Array(256).fill(0xab);
    const frame = encodeFrame(Opcode.BINARY, payload, null);
    expect(toHex(frame.subarray(0, 4))).toBe('82 7e 01 00');
    expect(frame.subarray(4)).toEqual(payload);
  });

  it('encodes 64 KiB of binary data with a 64-bit length', () => {
    const payload = new Uint8Array(65536).fill(0xcd);
    const frame = encodeFrame(Opcode.BINARY, payload, null);
    expect(toHex(frame.subarray(0, 10))).toBe('82 7f 00 00 00 00 00 01 00 00');
    expect(frame.length).toBe(65546);
    expect(frame.subarray(10)).toEqual(payload);
  });
});

describe('RFC 6455 §5.2 base framing', () => {
  describe('frameHeaderSize', () => {
    it.each([
      [0, 2],
      [125, 2],
      [126, 4],
      [65535, 4],
      [65536, 10],
      [2 ** 53 - 1, 10],
    ])('is the minimal header for a payload of %p bytes (%p bytes, 4 more with a mask)', (length, size) => {
      expect(frameHeaderSize(length, false)).toBe(size);
      expect(frameHeaderSize(length, true)).toBe(size + 4);
    });
  });

  describe('payload length', () => {
    it.each([
      [0, '82 00'],
      [125, '82 7d'],
      [126, '82 7e 00 7e'],
      [65535, '82 7e ff ff'],
      [65536, '82 7f 00 00 00 00 00 01 00 00'],
      [2 ** 32 + 5, '82 7f 00 00 00 01 00 00 00 05'],
      [2 ** 53 - 1, '82 7f 00 1f ff ff ff ff ff ff'],
    ])('uses the minimal encoding for %p bytes, most significant bit 0', (length, header) => {
      const target = new Uint8Array(10);
      const size = writeFrameHeader(target, 0, Opcode.BINARY, length, null);
      expect(toHex(target.subarray(0, size))).toBe(header);
    });
  });

  describe('writeFrameHeader', () => {
    it('writes at the offset it is given and returns the header size', () => {
      const target = new Uint8Array(20).fill(0xee);
      expect(writeFrameHeader(target, 3, Opcode.TEXT, 300, KEY)).toBe(8);
      expect(toHex(target.subarray(0, 12))).toBe('ee ee ee 81 fe 01 2c 37 fa 21 3d ee');
    });

    it('sets FIN by default, clears it with fin: false and sets RSV1 with rsv1: true', () => {
      const target = new Uint8Array(2);
      writeFrameHeader(target, 0, Opcode.TEXT, 0, null, { fin: false, rsv1: true });
      expect(toHex(target)).toBe('41 00');
      writeFrameHeader(target, 0, Opcode.BINARY, 0, null, { rsv1: true });
      expect(toHex(target)).toBe('c2 00');
    });

    it('builds frames with reserved opcodes (for tests of peers)', () => {
      expect(toHex(encodeFrame(0x3, new Uint8Array(0), null))).toBe('83 00');
      expect(toHex(encodeFrame(0xf, new Uint8Array(0), null))).toBe('8f 00');
    });
  });

  describe('encodeFrame', () => {
    it('never modifies the caller’s payload when masking', () => {
      const payload = utf8('a payload long enough to be masked in 32-bit words');
      const copy = payload.slice();
      encodeFrame(Opcode.TEXT, payload, KEY);
      expect(payload).toEqual(copy);
    });

    it('FrameWriter allocates exactly one buffer of header plus payload through the injected allocator', () => {
      const alloc = jest.fn((size: number) => Buffer.allocUnsafe(size));
      const frame = new FrameWriter({ write: () => undefined }, { maskKey: () => KEY, alloc, codec: defaultTextCodec }).encode(Opcode.BINARY, new Uint8Array(300), false, true);
      expect(alloc).toHaveBeenCalledTimes(1);
      expect(alloc).toHaveBeenCalledWith(308);
      expect(Buffer.isBuffer(frame)).toBe(true);
    });

    it('unmasks back to the payload for random payloads and keys', () => {
      fc.assert(
        fc.property(fc.uint8Array({ maxLength: 300 }), fc.uint8Array({ minLength: 4, maxLength: 4 }), (payload, key) => {
          const frame = encodeFrame(Opcode.BINARY, payload, key);
          const headerSize = frameHeaderSize(payload.length, true);
          expect(frame.subarray(headerSize - 4, headerSize)).toEqual(key);
          expect(frame.subarray(headerSize).map((byte, i) => byte ^ key[i & 3]!)).toEqual(payload);
        }),
      );
    });
  });

  describe('invalid arguments throw FrameBuildError', () => {
    it.each([
      [-1, 'invalid opcode -1'],
      [16, 'invalid opcode 16'],
      [1.5, 'invalid opcode 1.5'],
    ])('rejects opcode %p', (opcode, message) => {
      expectBuildError(() => encodeFrame(opcode, new Uint8Array(0), null), message);
      expect(() => writeFrameHeader(new Uint8Array(14), 0, opcode, 0, null)).toThrow(FrameBuildError);
    });

    it.each([-1, 1.5, NaN, 2 ** 53])('rejects payload length %p', (length) => {
      expectBuildError(() => writeFrameHeader(new Uint8Array(14), 0, Opcode.BINARY, length, null), `invalid payload length ${length}`);
    });

    it('rejects a mask key that is not 4 bytes', () => {
      expectBuildError(() => encodeFrame(Opcode.TEXT, HELLO, new Uint8Array(3)), 'invalid mask key length 3');
    });
  });
});

describe('RFC 6455 §5.5 control frames', () => {
  it.each([Opcode.CLOSE, Opcode.PING, Opcode.PONG])('accepts a payload of 125 bytes for opcode %p', (opcode) => {
    expect(encodeFrame(opcode, new Uint8Array(125), null).length).toBe(127);
  });

  it.each([Opcode.CLOSE, Opcode.PING, Opcode.PONG])('throws FrameBuildError for a payload over 125 bytes (opcode %p)', (opcode) => {
    expectBuildError(() => encodeFrame(opcode, new Uint8Array(126), null), 'control frame payload of 126 bytes exceeds 125');
  });

  it.each([Opcode.CLOSE, Opcode.PING, Opcode.PONG])('throws FrameBuildError for a fragmented control frame (opcode %p)', (opcode) => {
    expectBuildError(() => encodeFrame(opcode, HELLO, null, { fin: false }), 'fragmented control frame');
  });
});

describe('RFC 7692 §6.1 the Per-Message Compressed bit', () => {
  it('is allowed on the first frame of a data message', () => {
    expect(toHex(encodeFrame(Opcode.TEXT, new Uint8Array(0), null, { rsv1: true, fin: false }))).toBe('41 00');
  });

  it.each([
    [Opcode.PING, 'rsv1 set on opcode 0x9'],
    [Opcode.CLOSE, 'rsv1 set on opcode 0x8'],
    [Opcode.CONTINUATION, 'rsv1 set on opcode 0x0'],
  ])('throws FrameBuildError on control and continuation frames (opcode %p)', (opcode, message) => {
    expectBuildError(() => encodeFrame(opcode, new Uint8Array(0), null, { rsv1: true }), message);
  });
});
