/**
 * Masking (RFC 6455 §5.3): XOR with a 4-byte key. Into the kernel's own
 * memory (a frame pool or gather buffer) at any size, where it lies
 * (mask-simd.ts: in 32-bit words for short payloads, by the WebAssembly SIMD
 * kernel for long ones); elsewhere from {@link SIMD_THRESHOLD} bytes on
 * through the kernel where there is one; else in JavaScript, in 32-bit words
 * over the aligned middle of the buffer and bytewise only for the ragged ends
 * and for payloads too short to be worth a word view.
 *
 * @see https://www.rfc-editor.org/rfc/rfc6455#section-5.3
 */

import { inKernelMemory, keyWord, maskBlocks, maskIntoKernel, maskKernelRange } from './mask-simd.js';

/** Below this many bytes an unrolled byte loop beats creating a Uint32Array view (measured: 64 B 73 vs 99 ns, 128 B 136 vs 119 ns). */
const WORD_THRESHOLD = 96;
/** From this many bytes on the SIMD kernel (two copies and a 16-bytes-a-step XOR) beats the JavaScript word loop (measured). */
const SIMD_THRESHOLD = 256;

/** XORs `buffer[start, end)` in place with `key`; the key starts at byte 0 at `start`. */
function xorInPlace(buffer: Uint8Array, start: number, end: number, key: Uint8Array): void {
  if (end - start < WORD_THRESHOLD) {
    maskBytes(buffer, start, end - start, key, buffer, start);
    return;
  }
  let i = start;
  let k = 0;
  // Bytewise up to a 4-byte boundary of the underlying ArrayBuffer, then whole words.
  while (((buffer.byteOffset + i) & 3) !== 0) buffer[i++]! ^= key[k++ & 3]!;
  const word = keyWord(key, k);
  const words = new Uint32Array(buffer.buffer, buffer.byteOffset + i, (end - i) >>> 2);
  const count = words.length;
  for (let w = 0; w < count; w++) words[w]! ^= word;
  const done = count << 2;
  i += done;
  k += done; // a multiple of 4: the key phase is unchanged
  for (; i < end; i++) buffer[i]! ^= key[k++ & 3]!;
}

/** `target[offset + i] = source[from + i] ^ key[i & 3]` for `i < length`, four bytes a step: short payloads. */
function maskBytes(source: Uint8Array, from: number, length: number, key: Uint8Array, target: Uint8Array, offset: number): void {
  const k0 = key[0]!;
  const k1 = key[1]!;
  const k2 = key[2]!;
  const k3 = key[3]!;
  let i = 0;
  for (; i + 4 <= length; i += 4) {
    target[offset + i] = source[from + i]! ^ k0;
    target[offset + i + 1] = source[from + i + 1]! ^ k1;
    target[offset + i + 2] = source[from + i + 2]! ^ k2;
    target[offset + i + 3] = source[from + i + 3]! ^ k3;
  }
  for (; i < length; i++) target[offset + i] = source[from + i]! ^ key[i & 3]!;
}

/**
 * Writes `source` masked with `key` into `target` at `offset`:
 * `target[offset + i] = source[i] ^ key[i & 3]`. `source` is left untouched
 * unless it shares memory with the target range.
 *
 * @example
 * ```ts
 * const out = new Uint8Array(7);
 * mask(new TextEncoder().encode('Hello'), new Uint8Array([0x37, 0xfa, 0x21, 0x3d]), out, 2);
 * // out: 00 00 7f 9f 4d 51 58
 * ```
 * @see https://www.rfc-editor.org/rfc/rfc6455#section-5.3
 */
export function mask(source: Uint8Array, key: Uint8Array, target: Uint8Array, offset: number): void {
  const length = source.length;
  if (inKernelMemory(target)) {
    maskIntoKernel(source, key, target, offset);
    return;
  }
  if (length >= SIMD_THRESHOLD && maskBlocks(source, key, target, offset)) return;
  if (length < WORD_THRESHOLD) {
    maskBytes(source, 0, length, key, target, offset);
    return;
  }
  // One memcpy, then one word pass in place: as fast as a fused loop and free of alignment cases.
  target.set(source, offset);
  xorInPlace(target, offset, offset + length, key);
}

/**
 * Masks or unmasks `buffer` in place (the operation is its own inverse).
 *
 * @see https://www.rfc-editor.org/rfc/rfc6455#section-5.3
 */
export function unmask(buffer: Uint8Array, key: Uint8Array): void {
  maskInPlace(buffer, 0, buffer.length, key);
}

/** Masks `buffer[start, start + length)` in place, the key's byte 0 at `start` (a frame's payload where it was written). */
export function maskInPlace(buffer: Uint8Array, start: number, length: number, key: Uint8Array): void {
  if (maskKernelRange(buffer, start, length, key)) return;
  if (length >= SIMD_THRESHOLD) {
    const part = start === 0 && length === buffer.length ? buffer : buffer.subarray(start, start + length);
    if (maskBlocks(part, key, part, 0)) return;
  }
  xorInPlace(buffer, start, start + length, key);
}
