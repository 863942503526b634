/**
 * Masking (RFC 6455 §5.3): XOR with a 4-byte key, in 32-bit words over the
 * aligned middle of the buffer and bytewise only for the ragged ends.
 *
 * @see https://www.rfc-editor.org/rfc/rfc6455#section-5.3
 */

const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;
/** Below this many bytes a plain loop beats creating a Uint32Array view. */
const WORD_THRESHOLD = 32;

/** XORs `buffer[start, end)` in place with `key`, the key starting at `keyOffset`. */
function xorInPlace(buffer: Uint8Array, start: number, end: number, key: Uint8Array, keyOffset: number): void {
  let i = start;
  let k = keyOffset;
  if (end - start >= WORD_THRESHOLD) {
    while (((buffer.byteOffset + i) & 3) !== 0) buffer[i++]! ^= key[k++ & 3]!;
    const words = (end - i) >>> 2;
    const k0 = key[k & 3]!;
    const k1 = key[(k + 1) & 3]!;
    const k2 = key[(k + 2) & 3]!;
    const k3 = key[(k + 3) & 3]!;
    const word = LITTLE_ENDIAN ? (k0 | (k1 << 8) | (k2 << 16) | (k3 << 24)) >>> 0 : ((k0 << 24) | (k1 << 16) | (k2 << 8) | k3) >>> 0;
    const view = new Uint32Array(buffer.buffer, buffer.byteOffset + i, words);
    for (let w = 0; w < words; w++) view[w]! ^= word;
    i += words << 2; // k is unchanged modulo 4
  }
  for (; i < end; i++) buffer[i]! ^= key[k++ & 3]!;
}

/**
 * Writes `source` masked with `key` into `target` at `offset`
 * (`target[offset + i] = source[i] ^ key[i % 4]`). `source` is not modified.
 */
export function mask(source: Uint8Array, key: Uint8Array, target: Uint8Array, offset: number): void {
  target.set(source, offset);
  xorInPlace(target, offset, offset + source.length, key, 0);
}

/** Masks or unmasks `buffer` in place (the operation is its own inverse). */
export function unmask(buffer: Uint8Array, key: Uint8Array): void {
  xorInPlace(buffer, 0, buffer.length, key, 0);
}
