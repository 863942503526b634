/**
 * WebSocket frame opcodes (RFC 6455 §5.2, §11.8).
 *
 * @see https://www.rfc-editor.org/rfc/rfc6455#section-5.2
 */
export const Opcode = {
  /** A continuation of a fragmented message (§5.4). */
  CONTINUATION: 0x0,
  /** A text frame: UTF-8 data (§5.6). */
  TEXT: 0x1,
  /** A binary frame (§5.6). */
  BINARY: 0x2,
  /** A close frame: optional code and reason (§5.5.1). */
  CLOSE: 0x8,
  /** A ping (§5.5.2): the peer answers with a pong. */
  PING: 0x9,
  /** A pong (§5.5.3): the answer to a ping. */
  PONG: 0xa,
} as const;

/** A frame opcode: a 4-bit number, one of {@link Opcode} on a valid wire. */
export type Opcode = number;

/** True for control opcodes (close, ping, pong, and the reserved 0xB–0xF): the high bit of the nibble is set. */
export function isControl(opcode: number): boolean {
  return (opcode & 0x8) !== 0;
}

/** True for opcodes RFC 6455 reserves for future use (0x3–0x7, 0xB–0xF). */
export function isReserved(opcode: number): boolean {
  return (opcode > 0x2 && opcode < 0x8) || opcode > 0xa;
}
