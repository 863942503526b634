/**
 * InflateWindow: the LZ77 window of a received permessage-deflate stream with
 * context takeover, kept outside zlib: the last 2^windowBits bytes of
 * everything inflated since the context began. A message inflated
 * synchronously (`inflateRawSync`, a new zlib context per call) starts from
 * it as its preset dictionary, which raw inflate takes as the initial window
 * (RFC 1951 distances then reach into the previous messages, as RFC 7692
 * §7.1.1 allows); so does a new async stream after such messages.
 *
 * The bytes live in one buffer of 1.5 windows: a message's output is appended
 * after the window, and only when the buffer is full is the last window's
 * worth moved to the front, so each inflated byte is copied at most about
 * twice and the dictionary is a view, never a copy.
 *
 * ```
 * buffer: [.....older.....|<------ window (size) ------>|...free...]
 *                          ^ view() starts here          ^ length
 * ```
 *
 * @see https://www.rfc-editor.org/rfc/rfc7692#section-7.1.1
 */

/** The last `size` bytes of a byte sequence appended piece by piece. */
export class InflateWindow {
  /** Allocated at the first push (a connection that never inflates holds none). */
  private buffer: Buffer | null = null;
  /** Bytes in use at the start of `buffer`; the window is the last `size` of them. */
  private length = 0;

  /** @param size - the window size in bytes (2^windowBits) */
  constructor(readonly size: number) {}

  /** True while the window holds no byte (a fresh context). */
  get empty(): boolean {
    return this.length === 0;
  }

  /** Appends inflated output: the window becomes the last `size` bytes of what it was followed by `data`. */
  push(data: Uint8Array): void {
    const size = this.size;
    const n = data.length;
    if (n === 0) return;
    const buffer = (this.buffer ??= Buffer.allocUnsafe(size + (size >>> 1)));
    if (n >= size) {
      buffer.set(n === size ? data : data.subarray(n - size), 0);
      this.length = size;
      return;
    }
    if (this.length + n > buffer.length) {
      // Keep what of the old window stays in the new one, at the front.
      const keep = size - n;
      buffer.copyWithin(0, this.length - keep, this.length);
      this.length = keep;
    }
    buffer.set(data, this.length);
    this.length += n;
  }

  /** The window's bytes, oldest first: a view, valid until the next push or clear; null when empty. */
  view(): Uint8Array | null {
    if (this.length === 0) return null;
    return this.buffer!.subarray(Math.max(0, this.length - this.size), this.length);
  }

  /** Forgets the window (a new context: no context takeover, or after a final deflate block). */
  clear(): void {
    this.length = 0;
  }
}
