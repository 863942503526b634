import { isUtf8 } from 'node:buffer';
import fc from 'fast-check';
import { Utf8Validator, isValidUtf8 } from '../../lib/core/utf8-validator.js';

const hex = (text: string): Uint8Array => Uint8Array.from(text.split(/\s+/).filter(Boolean), (byte) => parseInt(byte, 16));
const utf8 = (text: string): Uint8Array => new TextEncoder().encode(text);

/** Every way to feed `bytes`: whole, split in two at every offset, and one byte at a time. */
function splits(bytes: Uint8Array): Uint8Array[][] {
  const ways: Uint8Array[][] = [[bytes]];
  for (let at = 0; at <= bytes.length; at++) ways.push([bytes.subarray(0, at), bytes.subarray(at)]);
  ways.push(Array.from(bytes, (_, i) => bytes.subarray(i, i + 1)));
  return ways;
}

/** Index of the first byte after which `bytes` cannot be a prefix of valid UTF-8 (WHATWG's fatal streaming decoder), or -1. */
function referenceFailIndex(bytes: Uint8Array): number {
  const decoder = new TextDecoder('utf-8', { fatal: true });
  for (let i = 0; i < bytes.length; i++) {
    try {
      decoder.decode(bytes.subarray(i, i + 1), { stream: true });
    } catch {
      return i;
    }
  }
  return -1;
}

/** Pushes one byte at a time; returns the index of the first push that returned false, or -1. */
function failIndex(bytes: Uint8Array, validator = new Utf8Validator()): number {
  for (let i = 0; i < bytes.length; i++) if (!validator.push(bytes.subarray(i, i + 1))) return i;
  return -1;
}

const VALID: [string, Uint8Array][] = [
  ['the empty string', hex('')],
  ['ASCII', utf8('Hello, world')],
  ['U+0000 and U+007F', hex('00 7f')],
  ['a 2-byte character (U+00E9)', hex('c3 a9')],
  ['the smallest 2-byte character (U+0080)', hex('c2 80')],
  ['the largest 2-byte character (U+07FF)', hex('df bf')],
  ['a 3-byte character (U+20AC)', hex('e2 82 ac')],
  ['the smallest 3-byte character (U+0800)', hex('e0 a0 80')],
  ['the last character before the surrogates (U+D7FF)', hex('ed 9f bf')],
  ['the first character after the surrogates (U+E000)', hex('ee 80 80')],
  ['U+FFFF', hex('ef bf bf')],
  ['the smallest 4-byte character (U+10000)', hex('f0 90 80 80')],
  ['a 4-byte character (U+1F600)', hex('f0 9f 98 80')],
  ['the largest code point (U+10FFFF)', hex('f4 8f bf bf')],
  ['mixed text', utf8('κόσμε – 日本語 – 😀 – ascii')],
];

/** [description, bytes, index of the first byte that makes the input impossible]. */
const INVALID: [string, Uint8Array, number][] = [
  ['an overlong 2-byte NUL (C0 80)', hex('c0 80'), 0],
  ['an overlong 2-byte form (C1 BF)', hex('c1 bf'), 0],
  ['an overlong 3-byte NUL (E0 80 80)', hex('e0 80 80'), 1],
  ['an overlong 3-byte form (E0 9F BF)', hex('e0 9f bf'), 1],
  ['an overlong 4-byte NUL (F0 80 80 80)', hex('f0 80 80 80'), 1],
  ['an overlong 4-byte form (F0 8F BF BF)', hex('f0 8f bf bf'), 1],
  ['the first surrogate U+D800 (ED A0 80)', hex('ed a0 80'), 1],
  ['the last surrogate U+DFFF (ED BF BF)', hex('ed bf bf'), 1],
  ['a surrogate pair (ED A0 BD ED B8 80)', hex('ed a0 bd ed b8 80'), 1],
  ['U+110000, above the last code point (F4 90 80 80)', hex('f4 90 80 80'), 1],
  ['the lead byte F5', hex('f5 80 80 80'), 0],
  ['the byte FE', hex('fe'), 0],
  ['the byte FF', hex('ff'), 0],
  ['a lone continuation byte (80)', hex('80'), 0],
  ['a lone continuation byte (BF) after ASCII', hex('41 42 bf'), 2],
  ['a continuation byte too many after a 2-byte character', hex('c3 a9 a9'), 2],
  ['a 2-byte sequence cut by ASCII', hex('c3 41'), 1],
  ['a 3-byte sequence cut by ASCII at its last byte', hex('e2 82 41'), 2],
  ['a 4-byte sequence cut by ASCII at its last byte', hex('f0 9f 98 41'), 3],
  ['a 3-byte sequence cut by a new lead byte', hex('e2 82 e2 82 ac'), 2],
  ['an invalid byte after 300 bytes of ASCII', new Uint8Array([...new Uint8Array(300).fill(0x61), 0xff]), 300],
];

const TRUNCATED: [string, Uint8Array][] = [
  ['a 2-byte character', hex('c3')],
  ['a 3-byte character after one byte', hex('e2')],
  ['a 3-byte character after two bytes', hex('e2 82')],
  ['a 4-byte character after three bytes', hex('f0 9f 98')],
  ['text that ends inside a character', utf8('abc😀').subarray(0, 6)],
];

describe('RFC 6455 §8.1 / RFC 3629 §4 UTF-8 validation', () => {
  describe('valid input', () => {
    it.each(VALID)('accepts %s fed whole, split at every offset and one byte at a time', (_, bytes) => {
      for (const pieces of splits(bytes)) {
        const validator = new Utf8Validator();
        expect(pieces.map((piece) => validator.push(piece))).not.toContain(false);
        expect(validator.end()).toBe(true);
      }
      expect(isValidUtf8(bytes)).toBe(true);
    });

    it('accepts every string TextEncoder produces, fed in random pieces', () => {
      fc.assert(
        fc.property(fc.string({ unit: 'binary', maxLength: 200 }), fc.array(fc.nat(), { maxLength: 6 }), (text, cuts) => {
          const bytes = utf8(text);
          const offsets = [0, ...cuts.map((cut) => cut % (bytes.length + 1)).sort((a, b) => a - b), bytes.length];
          const validator = new Utf8Validator();
          for (let i = 1; i < offsets.length; i++) expect(validator.push(bytes.subarray(offsets[i - 1], offsets[i]))).toBe(true);
          expect(validator.end()).toBe(true);
        }),
      );
    });
  });

  describe('invalid input fails fast', () => {
    it.each(INVALID)('rejects %s at the exact byte that makes it impossible', (_, bytes, at) => {
      expect(failIndex(bytes)).toBe(at);
      expect(referenceFailIndex(bytes)).toBe(at); // the fixture agrees with WHATWG's decoder
      expect(isValidUtf8(bytes)).toBe(false);
    });

    it.each(INVALID)('rejects %s in the push that holds the failing byte, at every split point', (_, bytes, at) => {
      for (let cut = 0; cut <= bytes.length; cut++) {
        const validator = new Utf8Validator();
        const first = validator.push(bytes.subarray(0, cut));
        expect(first).toBe(at >= cut);
        if (first) expect(validator.push(bytes.subarray(cut))).toBe(false);
        expect(validator.end()).toBe(false);
      }
    });

    it.each(TRUNCATED)('accepts the pieces of %s cut short, but end() reports the incomplete sequence', (_, bytes) => {
      const validator = new Utf8Validator();
      expect(validator.push(bytes)).toBe(true);
      expect(validator.end()).toBe(false);
      expect(isValidUtf8(bytes)).toBe(false);
    });

    it('fails at the same byte as WHATWG’s fatal decoder on random bytes', () => {
      const interesting = fc.constantFrom(0x00, 0x41, 0x7f, 0x80, 0x8f, 0x90, 0x9f, 0xa0, 0xbf, 0xc0, 0xc1, 0xc2, 0xdf, 0xe0, 0xe1, 0xec, 0xed, 0xee, 0xef, 0xf0, 0xf1, 0xf3, 0xf4, 0xf5, 0xff);
      fc.assert(
        fc.property(fc.uint8Array({ maxLength: 12 }), fc.array(interesting, { maxLength: 12 }), (random, picked) => {
          const bytes = new Uint8Array([...random, ...picked]);
          const at = referenceFailIndex(bytes);
          expect(failIndex(bytes)).toBe(at);
          expect(isValidUtf8(bytes)).toBe(at === -1 && isUtf8(bytes));
        }),
        { numRuns: 2000 },
      );
    });
  });

  describe('state', () => {
    it('stays invalid after a failure, even for valid input', () => {
      const validator = new Utf8Validator();
      expect(validator.push(hex('ff'))).toBe(false);
      expect(validator.push(utf8('fine'))).toBe(false);
      expect(validator.end()).toBe(false);
    });

    it('reset() forgets an error and an open sequence', () => {
      const validator = new Utf8Validator();
      validator.push(hex('ff'));
      validator.reset();
      expect(validator.push(hex('e2 82'))).toBe(true);
      validator.reset();
      expect(validator.end()).toBe(true);
      expect(validator.push(hex('41'))).toBe(true);
      expect(validator.end()).toBe(true);
    });

    it('accepts empty pushes without changing its state', () => {
      const validator = new Utf8Validator();
      expect(validator.push(hex('e2'))).toBe(true);
      expect(validator.push(hex(''))).toBe(true);
      expect(validator.push(hex('82 ac'))).toBe(true);
      expect(validator.end()).toBe(true);
    });

    it('validates views at any byte offset, including long ASCII runs scanned in words', () => {
      const whole = new Uint8Array(1100).fill(0x61);
      whole.set(hex('e2 82 ac'), 1000);
      for (let start = 0; start < 8; start++) {
        expect(isValidUtf8(whole.subarray(start))).toBe(true);
        expect(isValidUtf8(whole.subarray(start, 1001 + (start % 2)))).toBe(false);
      }
      whole[700] = 0x80;
      expect(failIndex(whole)).toBe(700);
      expect(new Utf8Validator().push(whole.subarray(3))).toBe(false);
    });

    it('finds a character or an invalid byte at every position around where a long ASCII run switches to words', () => {
      for (let at = 60; at < 90; at++) {
        const text = new Uint8Array(400).fill(0x61);
        text.set(hex('c3 a9'), at);
        expect(isValidUtf8(text)).toBe(true);
        text[at + 1] = 0x41;
        expect(isValidUtf8(text)).toBe(false);
        text[at] = 0xff;
        expect(failIndex(text)).toBe(at);
        expect(new Utf8Validator().push(text)).toBe(false);
      }
    });
  });

  describe('with a native whole-buffer check', () => {
    const native = jest.fn((bytes: Uint8Array) => isUtf8(bytes));
    beforeEach(() => native.mockClear());

    it('hands long pieces to the native check', () => {
      const validator = new Utf8Validator(native);
      expect(validator.push(utf8('ü'.repeat(100)))).toBe(true);
      expect(validator.end()).toBe(true);
      expect(native).toHaveBeenCalledTimes(1);
    });

    it('never calls the native check for short pieces', () => {
      const validator = new Utf8Validator(native);
      expect(validator.push(utf8('short'))).toBe(true);
      expect(native).not.toHaveBeenCalled();
    });

    it('agrees with the plain automaton on long inputs split anywhere', () => {
      const text = utf8('αβγ 日本語 😀 '.repeat(8)); // 192 bytes
      const broken = text.slice();
      broken[150] = 0xc0;
      for (let cut = 0; cut <= text.length; cut += 3) {
        for (const bytes of [text, broken]) {
          const plain = new Utf8Validator();
          const fast = new Utf8Validator(native);
          const plainResult = [plain.push(bytes.subarray(0, cut)), plain.push(bytes.subarray(cut)), plain.end()];
          const fastResult = [fast.push(bytes.subarray(0, cut)), fast.push(bytes.subarray(cut)), fast.end()];
          expect(fastResult).toEqual(plainResult);
        }
      }
    });

    it('finishes a sequence left open by the previous piece before the native check', () => {
      const validator = new Utf8Validator(native);
      expect(validator.push(hex('f0 9f'))).toBe(true);
      expect(validator.push(new Uint8Array([0x98, 0x80, ...utf8('x'.repeat(100))]))).toBe(true);
      expect(validator.end()).toBe(true);
      expect(validator.push(new Uint8Array([0xe2, ...utf8('x'.repeat(100))]))).toBe(false);
      native.mockClear();
      const cut = new Utf8Validator(native);
      expect(cut.push(hex('e2'))).toBe(true);
      expect(cut.push(utf8('x'.repeat(100)))).toBe(false);
      expect(native).not.toHaveBeenCalled();
    });

    it('keeps a sequence this piece leaves open at its end for the next piece', () => {
      const validator = new Utf8Validator(native);
      expect(validator.push(new Uint8Array([...utf8('x'.repeat(100)), 0xf0, 0x9f, 0x98]))).toBe(true);
      expect(validator.end()).toBe(false);
      expect(validator.push(hex('80'))).toBe(true);
      expect(validator.end()).toBe(true);
    });

    it('matches the plain automaton on random long inputs', () => {
      fc.assert(
        fc.property(fc.string({ unit: 'binary', minLength: 40, maxLength: 120 }), fc.nat(), fc.nat(255), fc.nat(), (text, where, byte, cut) => {
          const bytes = utf8(text);
          bytes[where % bytes.length] = byte;
          const at = cut % (bytes.length + 1);
          const plain = new Utf8Validator();
          const fast = new Utf8Validator(native);
          expect([fast.push(bytes.subarray(0, at)), fast.push(bytes.subarray(at)), fast.end()]).toEqual([
            plain.push(bytes.subarray(0, at)),
            plain.push(bytes.subarray(at)),
            plain.end(),
          ]);
        }),
      );
    });
  });
});
