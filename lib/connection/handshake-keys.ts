/**
 * The Node side of the handshake keys: a random Sec-WebSocket-Key and the
 * Sec-WebSocket-Accept it calls for (RFC 6455 §4.1, §4.2.2). Kept out of
 * `core/` because it needs `node:crypto`.
 */
import { createHash, randomBytes } from 'node:crypto';
import { WEBSOCKET_GUID } from '../core/handshake.js';

/**
 * A fresh Sec-WebSocket-Key.
 *
 * RFC 6455 §4.1 item 7: "The value of this header field MUST be a nonce consisting of a randomly selected 16-byte
 * value that has been base64-encoded."
 *
 * @returns 24 base64 characters, from a CSPRNG
 * @see https://www.rfc-editor.org/rfc/rfc6455#section-4.1
 */
export function createKey(): string {
  return randomBytes(16).toString('base64');
}

/**
 * The Sec-WebSocket-Accept the server must return for `key`: base64(SHA-1(key + GUID)).
 *
 * @example
 * ```ts
 * acceptFor('dGhlIHNhbXBsZSBub25jZQ=='); // 's3pPLMBiTxaQ9kYGzzhZRbK+xOo=' (RFC 6455 §1.3)
 * ```
 * @param key - the Sec-WebSocket-Key as sent (not base64-decoded)
 * @returns the expected Sec-WebSocket-Accept value
 * @see https://www.rfc-editor.org/rfc/rfc6455#section-4.2.2
 */
export function acceptFor(key: string): string {
  return createHash('sha1').update(key + WEBSOCKET_GUID).digest('base64');
}
