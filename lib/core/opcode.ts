/**
 * WebSocket frame opcodes (RFC 6455 §5.2, §11.8).
 *
 * @see https://www.rfc-editor.org/rfc/rfc6455#section-5.2
 */
export const Opcode = {
  CONTINUATION: 0x0,
  TEXT: 0x1,
  BINARY: 0x2,
  CLOSE: 0x8,
  PING: 0x9,
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
