/**
 * The LZ77 window size zlib is asked for, given a negotiated
 * `*_max_window_bits` value (RFC 7692 §7.1.2).
 *
 * zlib cannot build a raw deflate stream with a 256-byte window: since zlib
 * 1.2.9 it rejects `windowBits` 8 for raw streams, and Node.js upgrades 8 to
 * 9 for `createDeflateRaw` (nodejs/node#16511). That is still safe for a peer
 * that expects 8: zlib never emits a match farther back than the window size
 * minus 262 bytes, i.e. 250 bytes with a 512-byte window, which fits in 256.
 * For inflating, a window larger than the peer's is always safe, so both
 * directions use 9 where 8 was negotiated: one rule, explicit here rather
 * than left to the runtime.
 *
 * @see https://www.rfc-editor.org/rfc/rfc7692#section-7.1.2
 */

/** Smallest window zlib accepts for raw deflate. */
export const MIN_RAW_WINDOW_BITS = 9;

/**
 * Maps negotiated window bits (8–15) to the value given to zlib.
 *
 * @example
 * ```ts
 * zlibWindowBits(8);  // 9
 * zlibWindowBits(12); // 12
 * ```
 * @param negotiated - `server_max_window_bits` or `client_max_window_bits`, 8–15
 * @returns `negotiated`, raised to 9
 * @throws RangeError for anything but an integer 8–15
 */
export function zlibWindowBits(negotiated: number): number {
  if (!Number.isInteger(negotiated) || negotiated < 8 || negotiated > 15) {
    throw new RangeError(`invalid window bits ${negotiated} (expected an integer 8-15)`);
  }
  return Math.max(MIN_RAW_WINDOW_BITS, negotiated);
}
