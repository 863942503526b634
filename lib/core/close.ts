/**
 * Close frame payloads (RFC 6455 §5.5.1, §7.4): empty, or a 2-byte status
 * code followed by a UTF-8 reason, at most 125 bytes in all.
 *
 * @see https://www.rfc-editor.org/rfc/rfc6455#section-5.5.1
 * @see https://www.rfc-editor.org/rfc/rfc6455#section-7.4
 */
import { ProtocolError } from './errors.js';
import { Status, isValidWireCode } from './status.js';
import { isValidUtf8 } from './utf8-validator.js';

const encoder = new TextEncoder();
const decoder = new TextDecoder();
/** 125 bytes of control payload minus the 2-byte code (RFC 6455 §5.5). */
export const MAX_CLOSE_REASON = 123;

/** A close frame's status code and reason. */
export interface ClosePayload {
  readonly code: number;
  readonly reason: string;
}

/**
 * Reads a received close payload. An empty payload means no status code:
 * `{ code: 1005, reason: '' }` (RFC 6455 §7.1.5).
 *
 * @example
 * ```ts
 * parseClosePayload(new Uint8Array([0x03, 0xe8, 0x62, 0x79, 0x65])); // { code: 1000, reason: 'bye' }
 * ```
 * @throws {@link ProtocolError} 1002 for a 1-byte payload or a code not
 *   allowed on the wire; 1007 for a reason that is not valid UTF-8
 * @see https://www.rfc-editor.org/rfc/rfc6455#section-5.5.1
 */
export function parseClosePayload(payload: Uint8Array): ClosePayload {
  if (payload.length === 0) return { code: Status.NO_STATUS, reason: '' };
  // RFC 6455 §5.5.1: "If there is a body, the first two bytes of the body MUST be a 2-byte unsigned integer".
  if (payload.length === 1) throw new ProtocolError('close payload of 1 byte');
  const code = (payload[0]! << 8) | payload[1]!;
  // RFC 6455 §7.4.1: 1005, 1006 and 1015 "MUST NOT be set as a status code in a Close control frame by an endpoint";
  // §7.4.2: 0–999 are "not used", and unassigned codes are not valid either.
  if (!isValidWireCode(code)) throw new ProtocolError(`invalid close code ${code}`);
  const reason = payload.subarray(2);
  // RFC 6455 §5.5.1: "the data MUST be UTF-8" — §8.1 makes a violation fail the connection with 1007.
  if (!isValidUtf8(reason)) throw new ProtocolError('invalid utf-8 in close reason', Status.BAD_DATA);
  return { code, reason: decoder.decode(reason) };
}

/**
 * Builds a close payload to send: the code big-endian, then the reason in UTF-8.
 *
 * @example
 * ```ts
 * buildClosePayload(1000, 'bye'); // 03 e8 62 79 65
 * ```
 * @throws TypeError for a code that is not a number or a reason that is not a string
 * @throws RangeError for a code not allowed on the wire or a reason over 123 UTF-8 bytes
 * @see https://www.rfc-editor.org/rfc/rfc6455#section-5.5.1
 */
export function buildClosePayload(code: number, reason: string): Uint8Array {
  if (typeof code !== 'number') throw new TypeError(`close code must be a number, got ${typeof code}`);
  if (typeof reason !== 'string') throw new TypeError(`close reason must be a string, got ${typeof reason}`);
  if (!isValidWireCode(code)) throw new RangeError(`invalid close code ${code}`);
  const reasonBytes = encoder.encode(reason);
  // RFC 6455 §5.5: "All control frames MUST have a payload length of 125 bytes or less".
  if (reasonBytes.length > MAX_CLOSE_REASON) throw new RangeError(`close reason of ${reasonBytes.length} bytes exceeds 123`);
  const out = new Uint8Array(2 + reasonBytes.length);
  out[0] = code >>> 8;
  out[1] = code & 0xff;
  out.set(reasonBytes, 2);
  return out;
}
