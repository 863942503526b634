import fc from 'fast-check';
import { bufferCodec, createMaskKeySource } from '../../lib/connection/node-platform.js';

describe('bufferCodec', () => {
  it('decodes what it encodes, on both sides of the ASCII fast path (512 bytes)', () => {
    const lengths = fc.integer({ min: 0, max: 2048 });
    fc.assert(
      fc.property(fc.oneof(fc.string({ unit: 'grapheme-ascii', maxLength: 2048 }), fc.string({ unit: 'grapheme', maxLength: 1024 })), lengths, (text, pad) => {
        const padded = 'a'.repeat(pad % 600) + text;
        const bytes = Buffer.alloc(bufferCodec.byteLength(padded));
        expect(bufferCodec.write(padded, bytes, 0)).toBe(bytes.length);
        expect(bufferCodec.decode(bytes)).toBe(padded);
      }),
    );
  });

  it('decodes a long ASCII message and a long one with a single non-ASCII character at the end', () => {
    const ascii = 'x'.repeat(4096);
    expect(bufferCodec.decode(Buffer.from(ascii))).toBe(ascii);
    expect(bufferCodec.decode(Buffer.from(`${ascii}é`))).toBe(`${ascii}é`);
    expect(bufferCodec.decode(new Uint8Array(Buffer.from(`${ascii}€`)))).toBe(`${ascii}€`);
  });
});

describe('createMaskKeySource', () => {
  it('hands out 4-byte keys that do not repeat across pool refills', () => {
    const next = createMaskKeySource();
    const seen = new Set<string>();
    for (let i = 0; i < 5000; i++) {
      const key = next();
      expect(key.length).toBe(4);
      seen.add(Buffer.from(key).toString('hex'));
    }
    // 5000 random 32-bit keys: a handful of collisions at most (birthday bound ≈ 0.003 expected).
    expect(seen.size).toBeGreaterThan(4990);
  });
});
