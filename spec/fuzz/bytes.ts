/**
 * Byte helpers of the fuzz suite: building streams, deterministic fillers for
 * large payloads (so that fast-check never has to generate or shrink 100 KiB
 * of random bytes), and a bounded hex dump for printable counterexamples.
 */

/** Bytes of a latin1 string, one byte per code unit (HTTP heads are octets). */
export function latin1(text: string): Uint8Array {
  const out = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) out[i] = text.charCodeAt(i) & 0xff;
  return out;
}

const encoder = new TextEncoder();

/** UTF-8 bytes of `text`. */
export const utf8 = (text: string): Uint8Array => encoder.encode(text);

/** Joins byte arrays into one. */
export function concat(parts: readonly Uint8Array[]): Uint8Array {
  let size = 0;
  for (const part of parts) size += part.length;
  const out = new Uint8Array(size);
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

/**
 * `length` bytes of a repeating, seed-dependent pattern. ASCII letters when
 * `ascii` (valid UTF-8, compressible), else every byte value.
 */
export function pattern(seed: number, length: number, ascii: boolean): Uint8Array {
  const out = new Uint8Array(length);
  for (let i = 0; i < length; i++) {
    const value = (seed * 31 + i * 7 + (i >> 8)) & 0xff;
    out[i] = ascii ? 0x61 + (value % 26) : value;
  }
  return out;
}

/** Hex of `bytes`, space-separated, elided in the middle beyond `max` bytes. */
export function hex(bytes: Uint8Array, max = 512): string {
  const show = (part: Uint8Array): string => Array.from(part, (b) => b.toString(16).padStart(2, '0')).join(' ');
  if (bytes.length <= max) return show(bytes);
  const half = max >> 1;
  return `${show(bytes.subarray(0, half))} … (${bytes.length - max} bytes elided) … ${show(bytes.subarray(bytes.length - half))}`;
}

/** Run-length summary of chunk sizes: `[1×4096, 37, 2×1200]`. */
export function sizes(chunks: readonly Uint8Array[]): string {
  const out: string[] = [];
  for (let i = 0; i < chunks.length; ) {
    let j = i;
    while (j < chunks.length && chunks[j]!.length === chunks[i]!.length) j++;
    out.push(j - i > 1 ? `${j - i}×${chunks[i]!.length}` : String(chunks[i]!.length));
    i = j;
  }
  return `[${out.join(', ')}]`;
}

/** A short printable form of payload bytes: text when printable ASCII, else hex. */
export function preview(bytes: Uint8Array, max = 48): string {
  const printable = bytes.every((b) => b >= 0x20 && b < 0x7f);
  if (printable) {
    const text = String.fromCharCode(...bytes.subarray(0, max));
    return JSON.stringify(text) + (bytes.length > max ? `…(${bytes.length} bytes)` : '');
  }
  return `<${hex(bytes.subarray(0, max), max)}${bytes.length > max ? ` …(${bytes.length} bytes)` : ''}>`;
}
