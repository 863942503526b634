/**
 * Incremental, fail-fast UTF-8 validation (RFC 3629 §4, as RFC 6455 §8.1
 * requires for text): input may arrive in any pieces, and a sequence is
 * rejected at the first byte that makes it impossible — overlong forms,
 * surrogates (U+D800–DFFF) and code points above U+10FFFF included.
 *
 * @see https://www.rfc-editor.org/rfc/rfc3629#section-4
 */

/**
 * Validates UTF-8 across pushes; once invalid it stays invalid until reset.
 * An optional native whole-buffer check (Node's `buffer.isUtf8`, simdutf)
 * takes the bulk of each piece; the byte-level state machine only runs on the
 * few bytes around piece boundaries, or to find the exact failing byte.
 */
export class Utf8Validator {
  constructor(private readonly fastCheck?: (bytes: Uint8Array) => boolean) {}

  /** Continuation bytes still expected in the current sequence. */
  private remaining = 0;
  /** Allowed range of the next continuation byte. */
  private lower = 0x80;
  private upper = 0xbf;
  private invalid = false;

  /** Feeds bytes; false as soon as the input so far cannot be valid UTF-8. */
  push(bytes: Uint8Array): boolean {
    if (this.invalid) return false;
    const fast = this.fastCheck;
    if (fast !== undefined && bytes.length > 64) {
      // Finish a sequence left open by the previous piece (at most 3 bytes).
      let start = 0;
      while (this.remaining > 0 && start < bytes.length) {
        if (!this.scan(bytes.subarray(start, start + 1))) return false;
        start++;
      }
      // Cut before a sequence the piece leaves open at its end; check the rest natively.
      let cut = bytes.length;
      for (let back = 1; back <= 3 && cut - back >= start; back++) {
        const byte = bytes[cut - back]!;
        if (byte >= 0xc0) {
          cut -= back;
          break;
        }
        if (byte < 0x80) break;
      }
      if (fast(bytes.subarray(start, cut))) return this.scan(bytes.subarray(cut));
      return this.scan(bytes.subarray(start));
    }
    return this.scan(bytes);
  }

  /** The byte-level state machine. */
  private scan(bytes: Uint8Array): boolean {
    if (this.invalid) return false;
    let remaining = this.remaining;
    let lower = this.lower;
    let upper = this.upper;
    const length = bytes.length;
    for (let i = 0; i < length; i++) {
      const byte = bytes[i]!;
      if (remaining === 0) {
        if (byte < 0x80) {
          // ASCII fast path: skip the run.
          while (i + 1 < length && bytes[i + 1]! < 0x80) i++;
          continue;
        }
        if (byte >= 0xc2 && byte <= 0xdf) {
          remaining = 1;
        } else if (byte >= 0xe0 && byte <= 0xef) {
          remaining = 2;
          if (byte === 0xe0) lower = 0xa0; // no overlong 3-byte forms
          else if (byte === 0xed) upper = 0x9f; // no surrogates
        } else if (byte >= 0xf0 && byte <= 0xf4) {
          remaining = 3;
          if (byte === 0xf0) lower = 0x90; // no overlong 4-byte forms
          else if (byte === 0xf4) upper = 0x8f; // nothing above U+10FFFF
        } else {
          this.invalid = true; // 0x80–0xC1 (continuation or overlong lead) and 0xF5–0xFF
          return false;
        }
        continue;
      }
      if (byte < lower || byte > upper) {
        this.invalid = true;
        return false;
      }
      remaining--;
      lower = 0x80;
      upper = 0xbf;
    }
    this.remaining = remaining;
    this.lower = lower;
    this.upper = upper;
    return true;
  }

  /** True when no error was seen and the input ended on a code point boundary. */
  end(): boolean {
    return !this.invalid && this.remaining === 0;
  }

  /** Forgets everything: ready for a new message. */
  reset(): void {
    this.remaining = 0;
    this.lower = 0x80;
    this.upper = 0xbf;
    this.invalid = false;
  }
}

/** True when `bytes` is complete, valid UTF-8. */
export function isValidUtf8(bytes: Uint8Array): boolean {
  const validator = new Utf8Validator();
  return validator.push(bytes) && validator.end();
}
