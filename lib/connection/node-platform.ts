/**
 * The Node adapters the pure core is given: Buffer allocation, a Buffer-based
 * UTF-8 codec, and masking keys drawn from a pooled crypto-random buffer
 * (one `randomFillSync` per 2048 keys instead of one call per frame).
 */
import { constants, isAscii, isUtf8 as bufferIsUtf8 } from 'node:buffer';
import { randomFillSync } from 'node:crypto';
import type { TextCodec } from '../core/protocol.js';

/** The largest Buffer this Node can allocate: the upper bound of `maxPayload` and `maxMessageSize`. */
export const MAX_BUFFER_LENGTH: number = constants.MAX_LENGTH;

/** Uninitialised Buffer allocation: every byte is written before use. */
export const allocUnsafe = (size: number): Uint8Array => Buffer.allocUnsafe(size);

/** A Buffer view of received memory (no copy): what a message made of contiguous reads is handed out as. */
export const bufferView = (memory: ArrayBufferLike, byteOffset: number, length: number): Uint8Array => Buffer.from(memory as ArrayBuffer, byteOffset, length);

const asBuffer = (bytes: Uint8Array): Buffer =>
  Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);

/** From this size on, decoding checks for pure ASCII first (a check at over 100 GB/s, then a 1.5–2× faster decode). */
const ASCII_CHECK_FROM = 512;

/**
 * Decodes valid UTF-8. Pure ASCII (most JSON) decodes as latin1, which gives the same string twice as
 * fast for large messages; small ones go straight to the UTF-8 decoder.
 */
function decode(bytes: Uint8Array): string {
  const buffer = asBuffer(bytes);
  if (buffer.length >= ASCII_CHECK_FROM && isAscii(buffer)) return buffer.toString('latin1');
  return buffer.toString();
}

/** UTF-8 through Buffer: faster than TextEncoder/TextDecoder for the sizes WebSocket messages have. */
export const bufferCodec: TextCodec = {
  byteLength: (text) => Buffer.byteLength(text, 'utf8'),
  write: (text, target, offset) => asBuffer(target).write(text, offset, 'utf8'),
  decode,
};

/** Whole-buffer UTF-8 validation (simdutf inside Node). */
export const isUtf8 = (bytes: Uint8Array): boolean => bufferIsUtf8(bytes);

const POOL_SIZE = 8192;

/**
 * Returns a source of 4-byte masking keys (RFC 6455 §5.3: "MUST pick a fresh
 * masking key from the set of allowed 32-bit values ... unpredictable"), taken
 * in turn from a pool of random bytes. Each call returns the same 4-byte array
 * with the next key in it — no allocation per frame: the frame writer copies
 * the key into the frame header and masks with it at once, before the next call.
 */
export function createMaskKeySource(): () => Uint8Array {
  const pool = Buffer.allocUnsafe(POOL_SIZE);
  let offset = POOL_SIZE;
  const key = new Uint8Array(4);
  return () => {
    if (offset === POOL_SIZE) {
      randomFillSync(pool);
      offset = 0;
    }
    key[0] = pool[offset]!;
    key[1] = pool[offset + 1]!;
    key[2] = pool[offset + 2]!;
    key[3] = pool[offset + 3]!;
    offset += 4;
    return key;
  };
}
