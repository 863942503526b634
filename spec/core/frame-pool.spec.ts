import fc from 'fast-check';
import { framePoolInUse, releaseFrameBuffer, takeFrameBuffer } from '../../lib/core/frame-pool.js';
import { mask, unmask } from '../../lib/core/mask.js';
import { POOL_END, POOL_START } from '../../lib/core/mask-simd.js';

const POOL_SIZE = POOL_END - POOL_START;
const KEY = new Uint8Array([0x37, 0xfa, 0x21, 0x3d]);

/** The reference: RFC 6455 §5.3 octet by octet. */
const masked = (source: Uint8Array, key: Uint8Array): Uint8Array => source.map((byte, i) => byte ^ key[i & 3]!);

function take(size: number): Uint8Array {
  const buffer = takeFrameBuffer(size);
  if (buffer === null) throw new Error(`no room for ${size} bytes`);
  return buffer;
}

describe('the frame pool (large frames built and masked in the kernel memory)', () => {
  afterEach(() => expect(framePoolInUse()).toBe(0));

  it('hands out buffers of exactly the size asked, one after the other, and is empty once all are back', () => {
    const a = take(1000);
    const b = take(70_000);

    expect(a.length).toBe(1000);
    expect(b.length).toBe(70_000);
    expect(b.buffer).toBe(a.buffer);
    expect(b.byteOffset).toBe(a.byteOffset + 1000);
    expect(framePoolInUse()).toBe(71_000);
    releaseFrameBuffer(a);
    expect(framePoolInUse()).toBe(70_000);
    releaseFrameBuffer(b);
  });

  it('frees a buffer released out of order only once the older ones are back', () => {
    const [a, b, c] = [take(100), take(200), take(300)];
    releaseFrameBuffer(b);
    expect(framePoolInUse()).toBe(600); // a still out: b's bytes cannot be reused before a's
    releaseFrameBuffer(a);
    expect(framePoolInUse()).toBe(300);
    releaseFrameBuffer(c);
  });

  it('wraps around to the beginning and never hands out bytes still in use', () => {
    const big = take(POOL_SIZE - 100_000);
    const small = take(50_000);
    releaseFrameBuffer(big); // the oldest: the beginning is free again, the end of the ring too short
    const wrapped = take(60_000);

    expect(wrapped.byteOffset).toBe(big.byteOffset);
    const gap = small.byteOffset - (wrapped.byteOffset + 60_000);
    expect(takeFrameBuffer(gap)).toBeNull(); // it would close the ring onto `small`
    const between = take(gap - 1);
    expect(between.byteOffset).toBe(wrapped.byteOffset + 60_000);
    expect(takeFrameBuffer(1)).toBeNull(); // full: what is left would close the ring
    releaseFrameBuffer(small);
    releaseFrameBuffer(wrapped);
    releaseFrameBuffer(between);
  });

  it('says null when the pool is full or the frame larger than the pool', () => {
    expect(takeFrameBuffer(POOL_SIZE + 1)).toBeNull();
    const all = take(POOL_SIZE);
    expect(takeFrameBuffer(1)).toBeNull();
    releaseFrameBuffer(all);
    releaseFrameBuffer(take(POOL_SIZE)); // whole again
  });

  it('masks a frame built in the pool in place, exactly to its end (the kernel steps 64 bytes)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 256, maxLength: 5000 }), fc.integer({ min: 0, max: 20 }), (payload, offset) => {
        const frame = take(offset + payload.length);
        const next = take(64).fill(0xa5); // the bytes right after the frame: another frame, in flight
        frame.fill(0x11, 0, offset);
        mask(payload, KEY, frame, offset);
        const ok =
          Buffer.from(frame.subarray(offset)).equals(masked(payload, KEY)) &&
          frame.subarray(0, offset).every((byte) => byte === 0x11) &&
          next.every((byte) => byte === 0xa5);
        unmask(frame.subarray(offset), KEY); // in place, no copy of a source
        const back = Buffer.from(frame.subarray(offset)).equals(payload);
        releaseFrameBuffer(frame);
        releaseFrameBuffer(next);
        return ok && back;
      }),
    );
  });
});
