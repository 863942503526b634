import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { base64, portableAcceptFor, sha1 } from '../../lib/core/sha1.js';
import { acceptFor } from '../../lib/connection/handshake-keys.js';

const hex = (bytes: Uint8Array): string => Buffer.from(bytes).toString('hex');
const ascii = (text: string): Uint8Array => new TextEncoder().encode(text);

describe('sha1 (RFC 3174)', () => {
  // RFC 3174 §7.3 test vectors.
  it.each([
    ['"abc"', 'abc', 'a9993e364706816aba3e25717850c26c9cd0d89d'],
    ['the 448-bit message', 'abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq', '84983e441c3bd26ebaae4aa1f95129e5e54670f1'],
    ['"01234567" 80 times', '01234567'.repeat(80), 'dea356a2cddd90c7a7ecedc5ebb563934f460452'],
  ])('hashes %s as the RFC test vector says', (_label, text, digest) => {
    expect(hex(sha1(ascii(text)))).toBe(digest);
  });

  it('hashes a million "a" as the RFC test vector says', () => {
    expect(hex(sha1(new Uint8Array(1_000_000).fill(0x61)))).toBe('34aa973cd4c4daa4f61eeb2bdbad27316534016f');
  });

  it('equals node:crypto for every length 0..200 (every padding case around the 56- and 64-byte boundaries)', () => {
    for (let length = 0; length <= 200; length++) {
      const data = Uint8Array.from({ length }, (_, i) => (i * 131 + length) & 0xff);
      expect(hex(sha1(data))).toBe(createHash('sha1').update(data).digest('hex'));
    }
  });

  it('equals node:crypto on random inputs', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 1000 }), (data) => hex(sha1(data)) === createHash('sha1').update(data).digest('hex')),
      { seed: 3174, numRuns: 500 },
    );
  });
});

describe('base64 (RFC 4648 §4)', () => {
  // RFC 4648 §10 test vectors.
  it.each([
    ['', ''],
    ['f', 'Zg=='],
    ['fo', 'Zm8='],
    ['foo', 'Zm9v'],
    ['foob', 'Zm9vYg=='],
    ['fooba', 'Zm9vYmE='],
    ['foobar', 'Zm9vYmFy'],
  ])('encodes %j as %j', (text, encoded) => {
    expect(base64(ascii(text))).toBe(encoded);
  });

  it('equals Buffer base64 on random bytes', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 300 }), (data) => base64(data) === Buffer.from(data).toString('base64')), { seed: 4648, numRuns: 500 });
  });
});

describe('portableAcceptFor (RFC 6455 §4.2.2)', () => {
  it('matches the example of RFC 6455 §1.3', () => {
    expect(portableAcceptFor('dGhlIHNhbXBsZSBub25jZQ==')).toBe('s3pPLMBiTxaQ9kYGzzhZRbK+xOo=');
  });

  it('equals the node:crypto acceptFor on random keys', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 16, maxLength: 16 }), (nonce) => {
        const key = Buffer.from(nonce).toString('base64');
        return portableAcceptFor(key) === acceptFor(key);
      }),
      { seed: 6455, numRuns: 300 },
    );
  });
});
