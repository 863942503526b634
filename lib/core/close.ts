/**
 * Close frame payloads (RFC 6455 §5.5.1, §7.4): a 2-byte status code and a
 * UTF-8 reason, at most 125 bytes in all.
 *
 * @see https://www.rfc-editor.org/rfc/rfc6455#section-5.5.1
 */
import { ProtocolError } from './errors.js';
import { Status, isValidWireCode } from './status.js';
import { isValidUtf8 } from './utf8-validator.js';

const encoder = new TextEncoder();
const decoder = new TextDecoder();
const MAX_REASON = 123;

/**
 * Reads a received close payload. An empty payload means 1005 (no status).
 *
 * @throws {@link ProtocolError} 1002 for a 1-byte payload or a code not allowed on the wire; 1007 for a reason that is not UTF-8
 */
export function parseClosePayload(payload: Uint8Array): { code: number; reason: string } {
  if (payload.length === 0) return { code: Status.NO_STATUS, reason: '' };
  // RFC 6455 §5.5.1: "If there is a body, the first two bytes of the body MUST be a 2-byte unsigned integer".
  if (payload.length === 1) throw new ProtocolError('close payload of 1 byte');
  const code = (payload[0]! << 8) | payload[1]!;
  // RFC 6455 §7.4.1/7.4.2: 1005, 1006, 1015 and unassigned codes MUST NOT appear in a Close frame.
  if (!isValidWireCode(code)) throw new ProtocolError(`invalid close code ${code}`);
  const reasonBytes = payload.subarray(2);
  // RFC 6455 §5.5.1: the reason "is not guaranteed to be human readable" but "MUST be UTF-8".
  if (!isValidUtf8(reasonBytes)) throw new ProtocolError('invalid utf-8 in close reason', Status.BAD_DATA);
  return { code, reason: decoder.decode(reasonBytes) };
}

/**
 * Builds a close payload to send.
 *
 * @throws TypeError for a non-number code or non-string reason
 * @throws RangeError for a code not allowed on the wire or a reason over 123 UTF-8 bytes
 */
export function buildClosePayload(code: number, reason: string): Uint8Array {
  if (typeof code !== 'number') throw new TypeError('close code must be a number');
  if (typeof reason !== 'string') throw new TypeError('close reason must be a string');
  if (!isValidWireCode(code)) throw new RangeError(`invalid close code ${code}`);
  const reasonBytes = encoder.encode(reason);
  if (reasonBytes.length > MAX_REASON) throw new RangeError(`close reason of ${reasonBytes.length} bytes exceeds ${MAX_REASON}`);
  const out = new Uint8Array(2 + reasonBytes.length);
  out[0] = code >>> 8;
  out[1] = code & 0xff;
  out.set(reasonBytes, 2);
  return out;
}
