/**
 * The header rules of a server frame (RFC 6455 §5.1, §5.2, §5.5, RFC 7692
 * §6.1), checked as soon as the bytes that break them are known: the first
 * two header bytes together, and the 64-bit extended length.
 *
 * @see https://www.rfc-editor.org/rfc/rfc6455#section-5.2
 */
import { CriticalProtocolError, PayloadTooLargeError, ProtocolError } from './errors.js';
import { isControl, isReserved } from './opcode.js';

/**
 * Checks the first two header bytes of a server frame; returns the 7-bit length field.
 *
 * @param allowRsv1 - permessage-deflate was negotiated: RSV1 is allowed on data frames
 * @throws {@link CriticalProtocolError} for a masked frame; {@link ProtocolError} (1002) for reserved bits or
 *   opcodes, a fragmented control frame or a control payload over 125 bytes
 */
export function checkInfo(b0: number, b1: number, allowRsv1: boolean): number {
  const opcode = b0 & 0x0f;
  // RFC 6455 §5.1: "A client MUST close a connection if it detects a masked frame."
  if ((b1 & 0x80) !== 0) throw new CriticalProtocolError('masked frame from server');
  // RFC 6455 §5.2: "If a nonzero value is received and none of the negotiated extensions defines the meaning of such a nonzero value, the receiving endpoint MUST _Fail the WebSocket Connection_."
  // RFC 7692 §6.1: "An endpoint MUST NOT set the "Per-Message Compressed" bit of control frames".
  const rsv = b0 & 0x70;
  if (rsv !== 0 && (rsv !== 0x40 || !allowRsv1 || isControl(opcode))) {
    throw new ProtocolError(`reserved bits set 0x${rsv.toString(16)}`);
  }
  // RFC 6455 §5.2: "If an unknown opcode is received, the receiving endpoint MUST _Fail the WebSocket Connection_."
  if (isReserved(opcode)) throw new ProtocolError(`invalid opcode 0x${opcode.toString(16)}`);
  const length = b1 & 0x7f;
  if (isControl(opcode)) {
    // RFC 6455 §5.5: "All control frames MUST have a payload length of 125 bytes or less and MUST NOT be fragmented."
    if ((b0 & 0x80) === 0) throw new ProtocolError('fragmented control frame');
    if (length > 125) throw new ProtocolError('control frame payload exceeds 125 bytes');
  }
  return length;
}

/**
 * Decodes a 64-bit extended payload length at `bytes[at]`. Only lengths below 2^53 are representable, and all
 * larger ones exceed any `maxPayload` anyway.
 *
 * @throws {@link CriticalProtocolError} when the most significant bit is set; {@link PayloadTooLargeError} (1009)
 *   for a length of 2^53 or more
 */
export function readLength64(bytes: Uint8Array, at: number, maxPayload: number): number {
  const high = ((bytes[at]! << 24) | (bytes[at + 1]! << 16) | (bytes[at + 2]! << 8) | bytes[at + 3]!) >>> 0;
  const low = ((bytes[at + 4]! << 24) | (bytes[at + 5]! << 16) | (bytes[at + 6]! << 8) | bytes[at + 7]!) >>> 0;
  // RFC 6455 §5.2: "the most significant bit MUST be 0". A peer that breaks the length encoding itself
  // cannot be trusted to frame anything else, so this is critical (no close handshake).
  if (high >= 0x80000000) throw new CriticalProtocolError(`invalid 64-bit payload length 0x${high.toString(16)}${low.toString(16).padStart(8, '0')}`);
  if (high > 0x1fffff) {
    const exact = (BigInt(high) << 32n) | BigInt(low);
    throw new PayloadTooLargeError(`frame payload of ${exact} bytes exceeds ${maxPayload}`);
  }
  return high * 0x100000000 + low;
}
