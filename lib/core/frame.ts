/**
 * Frame headers (RFC 6455 §5.2): their size and how they are written, with
 * the rules a frame we build must keep. `FrameWriter` builds each frame into
 * one buffer — header, then the payload masked straight into place — so
 * sending costs one allocation and one copy.
 *
 * @see https://www.rfc-editor.org/rfc/rfc6455#section-5.2
 */
import { FrameBuildError } from './errors.js';
import { Opcode, isControl } from './opcode.js';

/** Bits of a frame to build. */
export interface FrameOptions {
  /** FIN: the last frame of a message (default true). */
  fin?: boolean;
  /** RSV1: set on the first frame of a compressed message, RFC 7692 §6 (default false). */
  rsv1?: boolean;
}

/** The largest payload length a JavaScript number holds exactly (2^53 − 1). */
const MAX_LENGTH = Number.MAX_SAFE_INTEGER;
/** The largest control frame payload (RFC 6455 §5.5). */
export const MAX_CONTROL_PAYLOAD = 125;

/**
 * Header bytes for a payload of `payloadLength`: 2, 4 or 10 (7-, 16- or
 * 64-bit length), plus 4 for the masking key.
 *
 * @see https://www.rfc-editor.org/rfc/rfc6455#section-5.2
 */
export function frameHeaderSize(payloadLength: number, masked: boolean): number {
  const base = payloadLength < 126 ? 2 : payloadLength < 65536 ? 4 : 10;
  return masked ? base + 4 : base;
}

function checkFrame(opcode: number, payloadLength: number, maskKey: Uint8Array | null, fin: boolean, rsv1: boolean): void {
  if (!Number.isInteger(opcode) || opcode < 0 || opcode > 0xf) throw new FrameBuildError(`invalid opcode ${opcode}`);
  if (!Number.isInteger(payloadLength) || payloadLength < 0 || payloadLength > MAX_LENGTH) {
    throw new FrameBuildError(`invalid payload length ${payloadLength}`);
  }
  // RFC 6455 §5.2: "Masking-key: 0 or 4 bytes".
  if (maskKey !== null && maskKey.length !== 4) throw new FrameBuildError(`invalid mask key length ${maskKey.length}`);
  if (isControl(opcode)) {
    // RFC 6455 §5.5: "All control frames MUST have a payload length of 125 bytes or less and MUST NOT be fragmented."
    if (payloadLength > MAX_CONTROL_PAYLOAD) throw new FrameBuildError(`control frame payload of ${payloadLength} bytes exceeds 125`);
    if (!fin) throw new FrameBuildError('fragmented control frame');
  }
  // RFC 7692 §6.1: "An endpoint MUST NOT set the "Per-Message Compressed" bit of control frames and non-first fragments".
  if (rsv1 && (isControl(opcode) || opcode === Opcode.CONTINUATION)) {
    throw new FrameBuildError(`rsv1 set on opcode 0x${opcode.toString(16)}`);
  }
}

/**
 * Writes a frame header into `target` at `offset` and returns its size
 * ({@link frameHeaderSize}). With a `maskKey` the MASK bit is set and the
 * 4-byte key follows the length; the payload is the caller's to write.
 *
 * @throws {@link FrameBuildError} for an opcode outside 0–15, a negative or
 *   non-integer length, a mask key that is not 4 bytes, a control frame over
 *   125 bytes or with fin=false, or rsv1 on a control or continuation frame
 * @see https://www.rfc-editor.org/rfc/rfc6455#section-5.2
 */
export function writeFrameHeader(
  target: Uint8Array,
  offset: number,
  opcode: number,
  payloadLength: number,
  maskKey: Uint8Array | null,
  options?: FrameOptions,
): number {
  const fin = options?.fin ?? true;
  const rsv1 = options?.rsv1 ?? false;
  checkFrame(opcode, payloadLength, maskKey, fin, rsv1);
  return writeHeader(target, offset, (fin ? 0x80 : 0) | (rsv1 ? 0x40 : 0) | opcode, payloadLength, maskKey);
}

/**
 * The header of a masked, final, uncompressed text or binary frame: {@link writeFrameHeader} without its
 * checks, for the send path's own frames, valid by construction (a constant opcode, a typed array's length,
 * the 4-byte key of the frame writer's key source). Returns the header's size.
 */
export function writeDataFrameHeader(target: Uint8Array, offset: number, opcode: typeof Opcode.TEXT | typeof Opcode.BINARY, payloadLength: number, maskKey: Uint8Array): number {
  return writeHeader(target, offset, 0x80 | opcode, payloadLength, maskKey);
}

/** Writes a checked header: `b0` is the first byte (FIN, RSV, opcode). */
function writeHeader(target: Uint8Array, offset: number, b0: number, payloadLength: number, maskKey: Uint8Array | null): number {
  target[offset] = b0;
  const maskBit = maskKey === null ? 0 : 0x80;
  let at = offset + 2;
  // RFC 6455 §5.2: "the minimal number of bytes MUST be used to encode the length".
  if (payloadLength < 126) {
    target[offset + 1] = maskBit | payloadLength;
  } else if (payloadLength < 65536) {
    target[offset + 1] = maskBit | 126;
    target[at++] = payloadLength >>> 8;
    target[at++] = payloadLength & 0xff;
  } else {
    target[offset + 1] = maskBit | 127;
    // RFC 6455 §5.2: "the most significant bit MUST be 0" — lengths stay below 2^53.
    const high = Math.floor(payloadLength / 0x100000000);
    const low = payloadLength >>> 0;
    target[at++] = 0;
    target[at++] = (high >>> 16) & 0xff;
    target[at++] = (high >>> 8) & 0xff;
    target[at++] = high & 0xff;
    target[at++] = low >>> 24;
    target[at++] = (low >>> 16) & 0xff;
    target[at++] = (low >>> 8) & 0xff;
    target[at++] = low & 0xff;
  }
  if (maskKey !== null) {
    target[at++] = maskKey[0]!;
    target[at++] = maskKey[1]!;
    target[at++] = maskKey[2]!;
    target[at++] = maskKey[3]!;
  }
  return at - offset;
}
