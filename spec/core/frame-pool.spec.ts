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

  it('hands out buffers of exactly the size asked, at 64-byte steps, and is empty once all are back', () => {
    const a = take(1000);
    const b = take(70_000);

    expect(a.length).toBe(1000);
    expect(b.length).toBe(70_000);
    expect(b.buffer).toBe(a.buffer);
    expect(b.byteOffset).toBe(a.byteOffset + 1024);
    expect(framePoolInUse()).toBe(1024 + 70_016);
    releaseFrameBuffer(a);
    expect(framePoolInUse()).toBe(70_016);
    releaseFrameBuffer(b);
  });

  it('reuses a buffer released out of order at once (a stalled frame keeps only its own bytes)', () => {
    const [a, b, c] = [take(100), take(200), take(300)];
    releaseFrameBuffer(b);
    expect(framePoolInUse()).toBe(128 + 320);
    const again = take(150);
    expect(again.byteOffset).toBe(b.byteOffset);
    for (const buffer of [a, c, again]) releaseFrameBuffer(buffer);
  });

  it('joins released neighbours into one free range', () => {
    const quarter = POOL_SIZE / 4;
    const parts = [take(quarter), take(quarter), take(quarter), take(quarter)];
    expect(takeFrameBuffer(1)).toBeNull(); // full
    releaseFrameBuffer(parts[2]!);
    releaseFrameBuffer(parts[1]!); // joins the free range after it
    const half = take(2 * quarter);
    expect(half.byteOffset).toBe(parts[1]!.byteOffset);
    releaseFrameBuffer(half);
    releaseFrameBuffer(parts[0]!);
    releaseFrameBuffer(parts[3]!);
    releaseFrameBuffer(take(POOL_SIZE)); // whole again
  });

  it('says null when the pool has no room or the frame is larger than the pool, and ignores foreign buffers', () => {
    expect(takeFrameBuffer(POOL_SIZE + 1)).toBeNull();
    const all = take(POOL_SIZE);
    expect(takeFrameBuffer(1)).toBeNull();
    releaseFrameBuffer(new Uint8Array(10));
    releaseFrameBuffer(all.subarray(64)); // not a buffer it handed out
    expect(framePoolInUse()).toBe(POOL_SIZE);
    releaseFrameBuffer(all);
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
