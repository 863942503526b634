/**
 * Incremental, fail-fast UTF-8 validation (RFC 3629 §4, which RFC 6455 §8.1
 * requires for text). Input may arrive in any pieces, and a sequence is
 * rejected at the first byte that makes it impossible: C0, C1, F5–FF and a
 * stray continuation byte at once; overlong forms (E0 80, F0 80), surrogates
 * (ED A0) and code points above U+10FFFF (F4 90) at their second byte; a
 * missing continuation byte at the byte that replaces it.
 *
 * The automaton's state is (continuation bytes still needed, allowed range of
 * the next byte): a lead-byte table gives the state after each lead byte, so
 * every byte costs one table lookup or one range check, and runs of ASCII are
 * skipped 8 bytes (or 32-bit words) at a time.
 *
 * @see https://www.rfc-editor.org/rfc/rfc3629#section-4
 * @see https://www.rfc-editor.org/rfc/rfc6455#section-8.1
 */

/**
 * LEADS[byte] = needed | lower << 8 | upper << 16 for a lead byte: how many
 * continuation bytes follow and the allowed range of the first of them (the
 * others are always 80–BF). 0 for bytes that cannot start a sequence.
 */
const LEADS = new Int32Array(256);

function buildLeads(): void {
  const lead = (from: number, to: number, needed: number, lower: number, upper: number): void =>
    void LEADS.fill(needed | (lower << 8) | (upper << 16), from, to + 1);
  lead(0xc2, 0xdf, 1, 0x80, 0xbf); // C0, C1 would be overlong: never valid
  lead(0xe0, 0xe0, 2, 0xa0, 0xbf); // E0 80–9F would be overlong
  lead(0xe1, 0xec, 2, 0x80, 0xbf);
  lead(0xed, 0xed, 2, 0x80, 0x9f); // ED A0–BF would be a surrogate (U+D800–DFFF)
  lead(0xee, 0xef, 2, 0x80, 0xbf);
  lead(0xf0, 0xf0, 3, 0x90, 0xbf); // F0 80–8F would be overlong
  lead(0xf1, 0xf3, 3, 0x80, 0xbf);
  lead(0xf4, 0xf4, 3, 0x80, 0x8f); // F4 90–BF would be above U+10FFFF; F5–FF never valid
}
buildLeads();

/** Pieces at least this long go to the injected native check, when there is one. */
const NATIVE_THRESHOLD = 64;
/** An ASCII run still going after this many bytes… */
const WORD_RUN = 64;
/** …with at least this many bytes left is scanned in 32-bit words. */
const WORD_THRESHOLD = 256;

/** Index of the first byte ≥ 0x80 in `bytes[i, end)`, or `end`. */
function skipAscii(bytes: Uint8Array, i: number, end: number): number {
  // Short runs (text with accents) byte by byte; longer ones 8 bytes at a time, and a run
  // that is still going after WORD_RUN bytes in 32-bit words.
  const short = Math.min(end, i + 8);
  while (i < short && bytes[i]! < 0x80) i++;
  if (i < short) return i;
  const bound = Math.min(end, i + WORD_RUN);
  while (i + 8 <= bound && ((bytes[i]! | bytes[i + 1]! | bytes[i + 2]! | bytes[i + 3]! | bytes[i + 4]! | bytes[i + 5]! | bytes[i + 6]! | bytes[i + 7]!) & 0x80) === 0) {
    i += 8;
  }
  if (i === bound && end - i >= WORD_THRESHOLD) i = skipAsciiWords(bytes, i, end);
  while (i < end && bytes[i]! < 0x80) i++;
  return i;
}

/** Skips whole pairs of ASCII words from `i` (a long run: worth a Uint32Array view). */
function skipAsciiWords(bytes: Uint8Array, i: number, end: number): number {
  while (((bytes.byteOffset + i) & 3) !== 0) {
    if (bytes[i]! >= 0x80) return i;
    i++;
  }
  const words = new Uint32Array(bytes.buffer, bytes.byteOffset + i, (end - i) >>> 2);
  const count = words.length - 1;
  let w = 0;
  while (w < count && ((words[w]! | words[w + 1]!) & 0x80808080) === 0) w += 2;
  return i + (w << 2);
}

/**
 * Validates UTF-8 across pushes; once invalid it stays invalid until
 * {@link Utf8Validator.reset}.
 *
 * @example
 * ```ts
 * const v = new Utf8Validator();
 * v.push(new Uint8Array([0xe2, 0x82])); // true: a prefix of '€'
 * v.end();                              // false: the sequence is cut short
 * v.push(new Uint8Array([0xac]));       // true
 * v.end();                              // true
 * v.push(new Uint8Array([0xed, 0xa0])); // false: fails at A0 (a surrogate)
 * ```
 */
export class Utf8Validator {
  /** Continuation bytes still needed by the open sequence; -1 once invalid. */
  private needed = 0;
  /** Allowed range of the next continuation byte. */
  private lower = 0x80;
  private upper = 0xbf;

  /**
   * @param fastCheck - an optional native whole-buffer check (Node's
   *   `buffer.isUtf8`): it takes the bulk of long pieces, and the automaton
   *   runs only on the bytes around piece boundaries, or to find the failing byte.
   */
  constructor(private readonly fastCheck?: (bytes: Uint8Array) => boolean) {}

  /** Feeds bytes; false as soon as the input so far cannot be valid UTF-8 (and from then on). */
  push(bytes: Uint8Array): boolean {
    if (this.needed < 0) return false;
    const length = bytes.length;
    if (this.fastCheck === undefined || length < NATIVE_THRESHOLD) return this.scan(bytes, 0, length);
    // Finish the sequence the previous piece left open (at most 3 bytes).
    const start = this.continueSequence(bytes, 0, length);
    if (start < 0) return false;
    // Leave out a sequence this piece leaves open at its end: its lead byte is among the last 3.
    let cut = length;
    for (let back = 1; back <= 3 && cut - back >= start; back++) {
      const byte = bytes[cut - back]!;
      if (byte < 0x80) break;
      if (byte >= 0xc0) {
        cut -= back;
        break;
      }
    }
    if (this.fastCheck(bytes.subarray(start, cut))) return this.scan(bytes, cut, length);
    return this.scan(bytes, start, length); // invalid: the automaton finds the failing byte
  }

  /** Runs the automaton over `bytes[start, end)`. */
  private scan(bytes: Uint8Array, start: number, end: number): boolean {
    let i = this.needed === 0 ? start : this.continueSequence(bytes, start, end);
    if (i < 0) return false;
    while (i < end) {
      const byte = bytes[i]!;
      if (byte < 0x80) {
        i = skipAscii(bytes, i + 1, end);
        continue;
      }
      const lead = LEADS[byte]!;
      if (lead === 0) return this.fail(); // a continuation byte, C0, C1 or F5–FF
      const needed = lead & 3;
      if (i + needed >= end) {
        // The piece ends inside this sequence: keep its state, check the bytes that are here.
        this.needed = needed;
        this.lower = (lead >>> 8) & 0xff;
        this.upper = lead >>> 16;
        return this.continueSequence(bytes, i + 1, end) >= 0;
      }
      // The whole sequence is here: check it without touching the state.
      const second = bytes[i + 1]!;
      if (second < ((lead >>> 8) & 0xff) || second > lead >>> 16) return this.fail();
      if (needed > 1 && (bytes[i + 2]! & 0xc0) !== 0x80) return this.fail();
      if (needed > 2 && (bytes[i + 3]! & 0xc0) !== 0x80) return this.fail();
      i += needed + 1;
    }
    return true;
  }

  /** Feeds the continuation bytes of the open sequence; returns the index after them, or -1 when one is invalid. */
  private continueSequence(bytes: Uint8Array, i: number, end: number): number {
    while (this.needed > 0 && i < end) {
      const byte = bytes[i]!;
      if (byte < this.lower || byte > this.upper) {
        this.fail();
        return -1;
      }
      this.needed--;
      this.lower = 0x80;
      this.upper = 0xbf;
      i++;
    }
    return i;
  }

  /** Enters the invalid state for good; returns false. */
  private fail(): false {
    this.needed = -1;
    return false;
  }

  /** True when no error was seen and the input ended on a code point boundary. */
  end(): boolean {
    return this.needed === 0;
  }

  /** Forgets everything: ready for a new message. */
  reset(): void {
    this.needed = 0;
    this.lower = 0x80;
    this.upper = 0xbf;
  }
}

/** True when `bytes` is complete, valid UTF-8. */
export function isValidUtf8(bytes: Uint8Array): boolean {
  const validator = new Utf8Validator();
  return validator.push(bytes) && validator.end();
}
