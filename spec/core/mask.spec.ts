import fc from 'fast-check';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { releaseFrameBuffer, takeFrameBuffer } from '../../lib/core/frame-pool.js';
import { mask, maskInPlace, unmask } from '../../lib/core/mask.js';

const hex = (text: string): Uint8Array => Uint8Array.from(text.split(/\s+/).filter(Boolean), (byte) => parseInt(byte, 16));
const KEY = hex('37 fa 21 3d');

/** The reference: one byte at a time, straight from the RFC's formula. */
function naiveMask(source: Uint8Array, key: Uint8Array): Uint8Array {
  return source.map((byte, i) => byte ^ key[i % 4]!);
}

/** `length` bytes at byte offset `alignment` of a fresh ArrayBuffer, filled with a pattern. */
function bytesAt(length: number, alignment: number): Uint8Array {
  const view = new Uint8Array(new ArrayBuffer(length + alignment + 8), alignment, length);
  for (let i = 0; i < length; i++) view[i] = (i * 37 + 11) & 0xff;
  return view;
}

describe('RFC 6455 §5.3 client-to-server masking', () => {
  it('masks "Hello" with key 37 fa 21 3d as in the §5.7 example', () => {
    const out = new Uint8Array(5);
    mask(new TextEncoder().encode('Hello'), KEY, out, 0);
    expect(out).toEqual(hex('7f 9f 4d 51 58'));
  });

  it('unmasks the §5.7 example back to "Hello" in place', () => {
    const data = hex('7f 9f 4d 51 58');
    unmask(data, KEY);
    expect(new TextDecoder().decode(data)).toBe('Hello');
  });

  describe('mask()', () => {
    it('equals a naive byte loop for every length 0..70, source alignment 0..7 and target offset 0..7', () => {
      for (let length = 0; length <= 70; length++) {
        for (let alignment = 0; alignment < 8; alignment++) {
          const source = bytesAt(length, alignment);
          const expected = naiveMask(source, KEY);
          for (let offset = 0; offset < 8; offset++) {
            const target = new Uint8Array(length + offset + 3).fill(0xee);
            mask(source, KEY, target, offset);
            expect(target.subarray(offset, offset + length)).toEqual(expected);
          }
        }
      }
    });

    it('writes only target[offset, offset + length)', () => {
      for (const length of [5, 64]) {
        const target = new Uint8Array(length + 20).fill(0xee);
        mask(bytesAt(length, 1), KEY, target, 10);
        expect(target.subarray(0, 10)).toEqual(new Uint8Array(10).fill(0xee));
        expect(target.subarray(10 + length)).toEqual(new Uint8Array(10).fill(0xee));
      }
    });

    it('leaves the source untouched', () => {
      for (const length of [7, 100]) {
        const source = bytesAt(length, 3);
        const copy = source.slice();
        mask(source, KEY, new Uint8Array(length + 6), 6);
        expect(source).toEqual(copy);
      }
    });

    it('writes into a target that is a view at an odd byte offset of a larger buffer', () => {
      const target = new Uint8Array(new ArrayBuffer(200), 3, 150);
      const source = bytesAt(100, 0);
      mask(source, KEY, target, 6);
      expect(target.subarray(6, 106)).toEqual(naiveMask(source, KEY));
    });

    it('accepts Node Buffers as source and target', () => {
      const source = Buffer.from('a Buffer payload long enough to use whole 32-bit words');
      const target = Buffer.alloc(source.length + 6);
      mask(source, KEY, target, 6);
      expect(Uint8Array.from(target.subarray(6))).toEqual(naiveMask(source, KEY));
    });

    it('equals the naive loop for random payloads, keys and offsets', () => {
      fc.assert(
        fc.property(fc.uint8Array({ maxLength: 600 }), fc.uint8Array({ minLength: 4, maxLength: 4 }), fc.nat(7), (source, key, offset) => {
          const target = new Uint8Array(source.length + offset);
          mask(source, key, target, offset);
          expect(target.subarray(offset)).toEqual(naiveMask(source, key));
        }),
      );
    });
  });

  describe('unmask()', () => {
    it('equals a naive byte loop in place for every length 0..70 and alignment 0..7', () => {
      for (let length = 0; length <= 70; length++) {
        for (let alignment = 0; alignment < 8; alignment++) {
          const data = bytesAt(length, alignment);
          const expected = naiveMask(data, KEY);
          unmask(data, KEY);
          expect(data).toEqual(expected);
        }
      }
    });

    it('is its own inverse', () => {
      fc.assert(
        fc.property(fc.uint8Array({ maxLength: 600 }), fc.uint8Array({ minLength: 4, maxLength: 4 }), fc.nat(7), (bytes, key, alignment) => {
          const data = new Uint8Array(new ArrayBuffer(bytes.length + alignment), alignment);
          data.set(bytes);
          unmask(data, key);
          unmask(data, key);
          expect(data).toEqual(bytes);
        }),
      );
    });

    it('touches nothing outside the view it is given', () => {
      const whole = new Uint8Array(120).fill(0xee);
      unmask(whole.subarray(5, 105), KEY);
      expect(whole.subarray(0, 5)).toEqual(new Uint8Array(5).fill(0xee));
      expect(whole.subarray(105)).toEqual(new Uint8Array(15).fill(0xee));
      expect(whole.subarray(5, 105)).toEqual(naiveMask(new Uint8Array(100).fill(0xee), KEY));
    });

    it('does nothing to an empty buffer', () => {
      const empty = new Uint8Array(0);
      unmask(empty, KEY);
      expect(empty.length).toBe(0);
    });
  });

  describe('the SIMD kernel (256 bytes and more) and its JavaScript fallback', () => {
    const LENGTHS = [255, 256, 257, 300, 4096 + 3, 65_535, 65_536, 65_537, 200_001];

    /** The first index where the two differ (-1: equal): jest's toEqual is far too slow for 200 KB arrays. */
    function firstDifference(a: Uint8Array, b: Uint8Array): number {
      if (a.length !== b.length) return Math.min(a.length, b.length);
      for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return i;
      return -1;
    }

    function check(maskFn: typeof mask, unmaskFn: typeof unmask): void {
      for (const length of LENGTHS) {
        for (const [alignment, offset] of [[0, 0], [1, 6], [3, 14], [2, 4093]] as const) {
          const source = bytesAt(length, alignment);
          const copy = source.slice();
          const expected = naiveMask(source, KEY);
          const target = new Uint8Array(length + offset + 5).fill(0xee);
          maskFn(source, KEY, target, offset);
          expect(firstDifference(target.subarray(offset, offset + length), expected)).toBe(-1);
          expect(target.subarray(0, offset).every((byte) => byte === 0xee)).toBe(true);
          expect(target.subarray(offset + length).every((byte) => byte === 0xee)).toBe(true);
          expect(firstDifference(source, copy)).toBe(-1);
          unmaskFn(target.subarray(offset, offset + length), KEY);
          expect(firstDifference(target.subarray(offset, offset + length), copy)).toBe(-1);
        }
      }
    }

    it('equals the naive loop for lengths around the threshold and the 64 KiB blocks, any alignment, in place too', () => {
      check(mask, unmask);
    });

    it('falls back to JavaScript, with the same results, where WebAssembly is missing', () => {
      const saved = globalThis.WebAssembly;
      // @ts-expect-error -- a runtime without WebAssembly (or with it forbidden)
      delete globalThis.WebAssembly;
      try {
        jest.isolateModules(() => {
          const fresh = require('../../lib/core/mask.js') as typeof import('../../lib/core/mask.js');
          const simd = require('../../lib/core/mask-simd.js') as typeof import('../../lib/core/mask-simd.js');
          expect(simd.maskBlocks(bytesAt(300, 0), KEY, new Uint8Array(300), 0)).toBe(false);
          check(fresh.mask, fresh.unmask);
          // Tried once: the kernel is not compiled again on every call (it would be, were WebAssembly back).
          globalThis.WebAssembly = saved;
          expect(simd.maskBlocks(bytesAt(300, 0), KEY, new Uint8Array(300), 0)).toBe(false);
          expect(simd.kernelMemory()).toBeNull();
        });
      } finally {
        globalThis.WebAssembly = saved;
      }
    });

    it('masks where it is inside the kernel\'s memory (frame pool and gather buffers): words below 512 bytes, the kernel from there, every phase', () => {
      const lengths = [...Array.from({ length: 70 }, (_, i) => i), 95, 96, 255, 511, 512, 513, 575, 576, 577, 1000, 4096 + 7];
      for (const length of lengths) {
        for (const offset of [0, 1, 2, 3, 6, 7, 10]) {
          const room = takeFrameBuffer(length + offset + 5)!;
          try {
            const source = bytesAt(length, offset & 3);
            const copy = source.slice();
            room.fill(0xee);
            mask(source, KEY, room, offset);
            expect(firstDifference(room.subarray(offset, offset + length), naiveMask(copy, KEY))).toBe(-1);
            expect(room.subarray(0, offset).every((byte) => byte === 0xee)).toBe(true);
            expect(room.subarray(offset + length).every((byte) => byte === 0xee)).toBe(true);
            expect(firstDifference(source, copy)).toBe(-1);
            // In place, as a text frame's payload encoded there is masked.
            maskInPlace(room, offset, length, KEY);
            expect(firstDifference(room.subarray(offset, offset + length), copy)).toBe(-1);
            expect(room.subarray(offset + length).every((byte) => byte === 0xee)).toBe(true);
          } finally {
            releaseFrameBuffer(room);
          }
        }
      }
    });

    it('keeps no large buffer alive after masking into it (only a small one outside the kernel\'s memory is remembered)', () => {
      setFlagsFromString('--expose-gc');
      const gc = runInNewContext('gc') as () => void;
      const external = (): number => {
        gc();
        gc();
        return process.memoryUsage().arrayBuffers;
      };
      const before = external();
      (() => {
        const frame = new Uint8Array(32 * 1024 * 1024); // a large frame outside the frame pool (a full pool, or Bun)
        mask(bytesAt(300, 0), KEY, frame, 6);
        maskInPlace(frame, 6, 300, KEY);
      })();
      expect(external() - before).toBeLessThan(1024 * 1024);
    });

    it('masks a range in place outside the kernel\'s memory too, touching nothing around it', () => {
      for (const length of [0, 5, 64, 95, 96, 300, 70_000]) {
        const buffer = bytesAt(length + 20, 1);
        const copy = buffer.slice();
        maskInPlace(buffer, 7, length, KEY);
        expect(firstDifference(buffer.subarray(7, 7 + length), naiveMask(copy.subarray(7, 7 + length), KEY))).toBe(-1);
        expect(firstDifference(buffer.subarray(0, 7), copy.subarray(0, 7))).toBe(-1);
        expect(firstDifference(buffer.subarray(7 + length), copy.subarray(7 + length))).toBe(-1);
      }
    });

    it('is available on this Node (the bench figures depend on it)', () => {
      const { maskBlocks } = require('../../lib/core/mask-simd.js') as typeof import('../../lib/core/mask-simd.js');
      expect(maskBlocks(bytesAt(300, 0), KEY, new Uint8Array(300), 0)).toBe(true);
    });
  });
});
