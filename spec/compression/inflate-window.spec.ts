/**
 * InflateWindow: the last 2^windowBits bytes of a received deflate stream's output, kept for synchronous inflates.
 */
import { InflateWindow } from '../../lib/compression/inflate-window.js';

/** A fixed xorshift32, so that failures replay. */
function generator(seed: number): () => number {
  let state = seed >>> 0 || 1;
  return () => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>>= 0);
  };
}

describe('InflateWindow', () => {
  it('starts empty, and is empty again after clear', () => {
    const window = new InflateWindow(512);
    expect(window.empty).toBe(true);
    expect(window.view()).toBeNull();
    window.push(new Uint8Array(0));
    expect(window.view()).toBeNull();
    window.push(Uint8Array.of(1, 2, 3));
    expect(window.empty).toBe(false);
    expect(Array.from(window.view()!)).toEqual([1, 2, 3]);
    window.clear();
    expect(window.view()).toBeNull();
  });

  it.each([512, 4096, 32768])('holds the last %i bytes of everything pushed, whatever the sizes of the pieces', (size) => {
    const random = generator(size);
    const window = new InflateWindow(size);
    let all = Buffer.alloc(0);
    for (let i = 0; i < 400; i++) {
      // Mostly small pieces, some about the window's size, some larger than it.
      const kind = random() % 10;
      const length = kind < 7 ? random() % 300 : kind < 9 ? random() % (size + 1) : size + (random() % size);
      const piece = Buffer.alloc(length);
      for (let j = 0; j < length; j++) piece[j] = random() & 0xff;
      window.push(piece);
      all = Buffer.concat([all, piece]).subarray(-2 * size); // the reference: the tail of the concatenation
      const expected = all.subarray(Math.max(0, all.length - size));
      const view = window.view();
      if (expected.length === 0) expect(view).toBeNull();
      else expect(Buffer.from(view!).equals(expected)).toBe(true);
    }
  });

  it('holds one and a half windows of memory, allocated at the first push', () => {
    const window = new InflateWindow(32768);
    for (let i = 0; i < 1000; i++) window.push(new Uint8Array(100 + i));
    const view = window.view()!;
    expect(view.length).toBe(32768);
    expect(view.buffer.byteLength).toBe(49152);
  });
});
