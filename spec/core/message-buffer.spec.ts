import fc from 'fast-check';
import { PayloadTooLargeError } from '../../lib/core/errors.js';
import { MessageBuffer } from '../../lib/core/message-buffer.js';

/** What the header's length may make it allocate beyond twice the bytes received, and what kept views may hold. */
const ALLOC_SLACK = 64 * 1024;
const VIEW_SLACK = 256 * 1024;
const MIN_TAIL = 256;
const MAX = 1 << 30;
/** A part of `size` bytes of `fill` in a chunk (ArrayBuffer) of its own, or inside a larger one. */
const part = (size: number, fill = 1, chunk = size): Uint8Array => new Uint8Array(chunk).fill(fill).subarray(0, size);

describe('MessageBuffer', () => {
  it('starts empty and hands out an empty message', () => {
    const buffer = new MessageBuffer((size) => new Uint8Array(size));
    expect([buffer.length, buffer.heldBytes]).toEqual([0, 0]);
    expect(buffer.take()).toEqual(new Uint8Array(0));
  });

  it('copies small parts into a tail that doubles from 256 bytes, then joins at the exact size', () => {
    const alloc = jest.fn((size: number) => new Uint8Array(size));
    const buffer = new MessageBuffer(alloc);
    for (let i = 0; i < 1000; i++) buffer.append(Uint8Array.of(i & 0xff), MAX, false);
    expect(alloc.mock.calls).toEqual([[256], [512], [1024]]);
    expect([buffer.length, buffer.heldBytes]).toEqual([1000, 1024]);
    const data = buffer.take();
    expect(data).toEqual(Uint8Array.from({ length: 1000 }, (_, i) => i & 0xff));
    expect(alloc.mock.calls.at(-1)).toEqual([1000]);
    expect([buffer.length, buffer.heldBytes]).toEqual([0, 0]);
  });

  it('allocates the exact size at once when it is known and within the budget, and hands that buffer out', () => {
    const alloc = jest.fn((size: number) => new Uint8Array(size));
    const buffer = new MessageBuffer(alloc);
    buffer.append(part(10), 100, true);
    buffer.append(part(90, 2), 100, true);
    expect(alloc.mock.calls).toEqual([[100]]);
    const data = buffer.take();
    expect(data).toBe(alloc.mock.results[0]!.value);
    expect([data.length, data[9], data[10]]).toEqual([100, 1, 2]);
  });

  it('never grows the tail past the limit', () => {
    const alloc = jest.fn((size: number) => new Uint8Array(size));
    const buffer = new MessageBuffer(alloc);
    buffer.append(part(10), 100, false);
    buffer.append(part(90, 2), 100, false);
    expect(alloc.mock.calls).toEqual([[100]]);
    expect(buffer.take()).toBe(alloc.mock.results[0]!.value);
  });

  it('grows to what a part needs even beyond the limit', () => {
    const buffer = new MessageBuffer((size) => new Uint8Array(size));
    buffer.append(part(300), 10, false);
    expect(buffer.heldBytes).toBe(300);
  });

  it('does not trust a known size beyond the budget: 100 MiB announced, 5 bytes received', () => {
    const alloc = jest.fn((size: number) => new Uint8Array(size));
    const buffer = new MessageBuffer(alloc);
    buffer.append(part(5), 100 << 20, true);
    expect(alloc.mock.calls).toEqual([[256]]);
    expect(buffer.heldBytes).toBe(256);
  });

  it('keeps the chunks of a 1 MiB frame as views until half of it arrived, then copies into one buffer of 1 MiB', () => {
    const alloc = jest.fn((size: number) => new Uint8Array(size));
    const buffer = new MessageBuffer(alloc);
    const size = 1 << 20;
    for (let at = 0, i = 0; at < size; at += 65536, i++) {
      buffer.append(part(65536, i), size, true);
      expect(buffer.heldBytes).toBeLessThanOrEqual(2 * buffer.length + VIEW_SLACK);
      if (at + 65536 < (size - ALLOC_SLACK) / 2) expect(alloc).not.toHaveBeenCalled();
    }
    expect(alloc.mock.calls).toEqual([[size]]);
    const data = buffer.take();
    expect(data).toBe(alloc.mock.results[0]!.value);
    expect([data[0], data[65536], data[size - 1]]).toEqual([0, 1, 15]);
  });

  it('never allocates what a header announces beyond twice the bytes received and one read (a hostile 200 KiB announcement)', () => {
    const alloc = jest.fn((size: number) => new Uint8Array(size));
    const buffer = new MessageBuffer(alloc);
    buffer.append(part(1024), 200_000, true);

    expect(alloc.mock.calls.flat().every((size) => size <= 2 * 1024 + ALLOC_SLACK)).toBe(true);
    expect(buffer.heldBytes).toBeLessThanOrEqual(2 * 1024 + ALLOC_SLACK);
  });

  it('counts the memory behind consecutive views of one slab once', () => {
    const alloc = jest.fn((size: number) => new Uint8Array(size));
    const buffer = new MessageBuffer(alloc);
    const slab = new Uint8Array(256 * 1024);
    for (let i = 0; i < 4; i++) buffer.append(slab.subarray(i * 65536, (i + 1) * 65536).fill(i), MAX, false);

    expect(buffer.heldBytes).toBe(slab.length); // one slab, not four
    expect(alloc).not.toHaveBeenCalled(); // all kept as views
    const data = buffer.take();
    expect([data.length, data[0], data[65536], data[data.length - 1]]).toEqual([slab.length, 0, 1, 3]);
  });

  it('keeps a large part that fills its chunk as a view, and hands it out alone', () => {
    const alloc = jest.fn((size: number) => new Uint8Array(size));
    const buffer = new MessageBuffer(alloc);
    const view = part(8192);
    buffer.append(view, MAX, false);
    expect(alloc).not.toHaveBeenCalled();
    expect(buffer.take()).toBe(view);
  });

  it('copies a large part whose chunk exceeds the budget', () => {
    const buffer = new MessageBuffer((size) => new Uint8Array(size));
    const view = part(8192, 3, 1 << 20);
    buffer.append(view, MAX, false);
    expect(buffer.heldBytes).toBeLessThan(2 * 8192 + MIN_TAIL);
    const data = buffer.take();
    expect(data).toEqual(view);
    expect(data.buffer).not.toBe(view.buffer);
  });

  it('keeps the order of copied and kept parts, sealing the tail before a view', () => {
    const alloc = jest.fn((size: number) => new Uint8Array(size));
    const buffer = new MessageBuffer(alloc);
    const pieces = [part(3, 1), part(5000, 2), part(7, 3), part(6000, 4), part(1, 5)];
    for (const piece of pieces) buffer.append(piece, MAX, false);
    const data = buffer.take();
    expect(data.length).toBe(11011);
    expect([data[0], data[3], data[5002], data[5003], data[5010], data[11010]]).toEqual([1, 2, 2, 3, 4, 5]);
    expect(alloc.mock.calls.at(-1)).toEqual([11011]);
  });

  it('turns an allocation failure into a PayloadTooLargeError (1009)', () => {
    const buffer = new MessageBuffer((size) => {
      if (size > 256) throw new RangeError('Array buffer allocation failed');
      return new Uint8Array(size);
    });
    buffer.append(part(200), MAX, false);
    let error: unknown;
    try {
      buffer.append(part(200), MAX, false);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(PayloadTooLargeError);
    expect([(error as PayloadTooLargeError).closeCode, (error as Error).message]).toEqual([1009, 'message of 512 bytes is too large to buffer']);
  });

  it('holds at most twice the bytes appended, plus a chunk and a tail, whatever the parts and their chunks', () => {
    const parts = fc.array(
      fc.record({ size: fc.oneof(fc.integer({ min: 1, max: 16 }), fc.integer({ min: 1, max: 70_000 })), extra: fc.oneof(fc.constant(0), fc.nat(200_000)) }),
      { maxLength: 40 },
    );
    fc.assert(
      fc.property(parts, (list) => {
        const buffer = new MessageBuffer((size) => new Uint8Array(size));
        const expected: number[] = [];
        const total = list.reduce((sum, { size }) => sum + size, 0);
        list.forEach(({ size, extra }, i) => {
          // The size becomes known halfway, as when the last frame of a message begins.
          const known = i >= list.length / 2;
          buffer.append(part(size, i & 0xff, size + extra), known ? total : MAX, known);
          expected.push(i & 0xff, size);
          expect(buffer.heldBytes).toBeLessThanOrEqual(2 * buffer.length + VIEW_SLACK + MIN_TAIL);
        });
        const data = buffer.take();
        expect(data.length).toBe(total);
        let at = 0;
        for (let i = 0; i < expected.length; i += 2) {
          expect([data[at], data[at + expected[i + 1]! - 1]]).toEqual([expected[i], expected[i]]);
          at += expected[i + 1]!;
        }
      }),
      { numRuns: 150, seed: 20261201 },
    );
  });
});
