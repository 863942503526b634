/**
 * zlibWindowBits: negotiated RFC 7692 window bits → the value zlib is given.
 */
import { constants, deflateRawSync, inflateRawSync } from 'node:zlib';
import { MIN_RAW_WINDOW_BITS, zlibWindowBits } from '../../lib/compression/window-bits.js';

describe('zlibWindowBits', () => {
  it.each([9, 10, 11, 12, 13, 14, 15])('passes %i through', (bits) => {
    expect(zlibWindowBits(bits)).toBe(bits);
  });

  it('raises 8 to 9, the smallest raw window zlib builds', () => {
    expect(MIN_RAW_WINDOW_BITS).toBe(9);
    expect(zlibWindowBits(8)).toBe(9);
  });

  it.each([7, 16, 8.5, NaN])('throws a RangeError for %p', (bits) => {
    expect(() => zlibWindowBits(bits)).toThrow(new RangeError(`invalid window bits ${bits} (expected an integer 8-15)`));
  });

  it('is safe for a peer with a 256-byte window: a 9-bit deflater never reaches more than 250 bytes back', () => {
    const sync = { finishFlush: constants.Z_SYNC_FLUSH };
    /** Random bytes repeating with `period`: compressible only by matches exactly `period` back. */
    const periodic = (period: number): Buffer => {
      let seed = 7;
      const block = Buffer.from(Array.from({ length: period }, () => (seed = (seed * 1103515245 + 12345) >>> 0) >>> 24));
      return Buffer.concat(Array.from({ length: 40 }, () => block));
    };
    const size = (period: number): number => deflateRawSync(periodic(period), { windowBits: zlibWindowBits(8), ...sync }).length;
    expect(size(250)).toBeLessThan(1000); // matches 250 back are used
    expect(size(251)).toBeGreaterThan(8000); // 251 back (or farther, up to the 512-byte window) never
    expect(size(300)).toBeGreaterThan(8000);
    const data = periodic(250);
    expect(inflateRawSync(deflateRawSync(data, { windowBits: 9, ...sync }), { windowBits: 8, ...sync }).equals(data)).toBe(true);
  });
});
