/**
 * The Node side of the handshake keys: a random Sec-WebSocket-Key and the
 * Sec-WebSocket-Accept it calls for (RFC 6455 §4.1, §4.2.2).
 */
import { createHash, randomBytes } from 'node:crypto';
import { WEBSOCKET_GUID } from '../core/handshake.js';

/** A fresh key: "a randomly selected 16-byte value that has been base64-encoded" (RFC 6455 §4.1). */
export function createKey(): string {
  return randomBytes(16).toString('base64');
}

/** base64(SHA-1(key + GUID)): the Sec-WebSocket-Accept the server must return (RFC 6455 §4.2.2). */
export function acceptFor(key: string): string {
  return createHash('sha1').update(key + WEBSOCKET_GUID).digest('base64');
}
