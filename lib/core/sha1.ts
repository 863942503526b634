/**
 * SHA-1 (RFC 3174) and base64, in plain TypeScript: what the opening
 * handshake needs to compute a Sec-WebSocket-Accept value (RFC 6455 §4.2.2)
 * where no `node:crypto` is at hand — `lomond/testing` in a browser test
 * runner. It hashes a 60-byte string once per handshake, so it is written for
 * clarity, not speed; real connections in Node keep `node:crypto`.
 *
 * @see https://www.rfc-editor.org/rfc/rfc3174
 */
import { WEBSOCKET_GUID } from './handshake.js';

const rotl = (x: number, n: number): number => (x << n) | (x >>> (32 - n));

/**
 * The SHA-1 digest of `data`.
 *
 * @example
 * ```ts
 * sha1(new TextEncoder().encode('abc')); // a9 99 3e 36 47 06 81 6a ba 3e 25 71 78 50 c2 6c 9c d0 d8 9d
 * ```
 * @param data - the message
 * @returns 20 bytes
 */
export function sha1(data: Uint8Array): Uint8Array {
  // RFC 3174 §4: append a 1 bit, zeros up to 448 mod 512 bits, then the length in bits as a 64-bit big-endian integer.
  const blocks = Math.ceil((data.length + 9) / 64);
  const padded = new Uint8Array(blocks * 64);
  padded.set(data);
  padded[data.length] = 0x80;
  const view = new DataView(padded.buffer);
  const bits = data.length * 8;
  view.setUint32(padded.length - 8, Math.floor(bits / 2 ** 32));
  view.setUint32(padded.length - 4, bits >>> 0);

  let h0 = 0x67452301;
  let h1 = 0xefcdab89;
  let h2 = 0x98badcfe;
  let h3 = 0x10325476;
  let h4 = 0xc3d2e1f0;
  const w = new Int32Array(80);
  for (let block = 0; block < padded.length; block += 64) {
    // RFC 3174 §6.1 steps a–e.
    for (let t = 0; t < 16; t++) w[t] = view.getInt32(block + t * 4);
    for (let t = 16; t < 80; t++) w[t] = rotl(w[t - 3]! ^ w[t - 8]! ^ w[t - 14]! ^ w[t - 16]!, 1);
    let a = h0;
    let b = h1;
    let c = h2;
    let d = h3;
    let e = h4;
    for (let t = 0; t < 80; t++) {
      let f: number;
      let k: number;
      if (t < 20) {
        f = (b & c) | (~b & d);
        k = 0x5a827999;
      } else if (t < 40) {
        f = b ^ c ^ d;
        k = 0x6ed9eba1;
      } else if (t < 60) {
        f = (b & c) | (b & d) | (c & d);
        k = 0x8f1bbcdc;
      } else {
        f = b ^ c ^ d;
        k = 0xca62c1d6;
      }
      const temp = (rotl(a, 5) + f + e + k + w[t]!) | 0;
      e = d;
      d = c;
      c = rotl(b, 30);
      b = a;
      a = temp;
    }
    h0 = (h0 + a) | 0;
    h1 = (h1 + b) | 0;
    h2 = (h2 + c) | 0;
    h3 = (h3 + d) | 0;
    h4 = (h4 + e) | 0;
  }
  const out = new Uint8Array(20);
  const outView = new DataView(out.buffer);
  [h0, h1, h2, h3, h4].forEach((h, i) => outView.setInt32(i * 4, h));
  return out;
}

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

/**
 * Standard base64 with padding (RFC 4648 §4).
 *
 * @example
 * ```ts
 * base64(new Uint8Array([1, 2, 3, 4])); // 'AQIDBA=='
 * ```
 */
export function base64(bytes: Uint8Array): string {
  let out = '';
  for (let i = 0; i < bytes.length; i += 3) {
    const n = (bytes[i]! << 16) | ((bytes[i + 1] ?? 0) << 8) | (bytes[i + 2] ?? 0);
    out += ALPHABET[(n >> 18) & 63]! + ALPHABET[(n >> 12) & 63]!;
    out += i + 1 < bytes.length ? ALPHABET[(n >> 6) & 63]! : '=';
    out += i + 2 < bytes.length ? ALPHABET[n & 63]! : '=';
  }
  return out;
}

/**
 * The Sec-WebSocket-Accept a server returns for `key`, computed without `node:crypto`.
 *
 * RFC 6455 §4.2.2: "concatenate this with the Globally Unique Identifier ... take the SHA-1 hash of this concatenated
 * value to obtain a 20-byte value and base64-encode".
 *
 * @example
 * ```ts
 * portableAcceptFor('dGhlIHNhbXBsZSBub25jZQ=='); // 's3pPLMBiTxaQ9kYGzzhZRbK+xOo=' (RFC 6455 §1.3)
 * ```
 * @param key - the Sec-WebSocket-Key as sent (not base64-decoded)
 * @see https://www.rfc-editor.org/rfc/rfc6455#section-4.2.2
 */
export function portableAcceptFor(key: string): string {
  return base64(sha1(new TextEncoder().encode(key + WEBSOCKET_GUID)));
}
