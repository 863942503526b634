/**
 * Frames (RFC 6455 §5.2): the Frame type and the encoder. Frames are built
 * into one buffer — header, then the payload masked straight into place —
 * so sending costs one allocation and one pass over the payload.
 *
 * @see https://www.rfc-editor.org/rfc/rfc6455#section-5.2
 */
import { FrameBuildError } from './errors.js';
import { mask } from './mask.js';
import { isControl } from './opcode.js';

/** A complete frame. */
export interface Frame {
  readonly fin: boolean;
  readonly rsv1: boolean;
  readonly rsv2: boolean;
  readonly rsv3: boolean;
  readonly opcode: number;
  readonly payload: Uint8Array;
}

/** A frame's header, known before its payload has arrived. */
export interface FrameHeader {
  readonly fin: boolean;
  readonly rsv1: boolean;
  readonly rsv2: boolean;
  readonly rsv3: boolean;
  readonly opcode: number;
  readonly masked: boolean;
  /** Payload length in bytes. */
  readonly length: number;
}

/** Bits of a frame to build. */
export interface FrameOptions {
  /** FIN: last frame of a message (default true). */
  fin?: boolean;
  /** RSV1: set on the first frame of a compressed message (RFC 7692 §6). */
  rsv1?: boolean;
}

/** The largest payload a frame can describe safely in JavaScript (2^53 − 1). */
const MAX_LENGTH = Number.MAX_SAFE_INTEGER;

/** Header bytes for a payload of `payloadLength`: 2, 4 or 10, plus 4 for the masking key. */
export function frameHeaderSize(payloadLength: number, masked: boolean): number {
  const base = payloadLength < 126 ? 2 : payloadLength < 65536 ? 4 : 10;
  return masked ? base + 4 : base;
}

function check(opcode: number, payloadLength: number, fin: boolean): void {
  if (!Number.isInteger(opcode) || opcode < 0 || opcode > 0xf) throw new FrameBuildError(`invalid opcode ${opcode}`);
  if (!Number.isInteger(payloadLength) || payloadLength < 0 || payloadLength > MAX_LENGTH) {
    throw new FrameBuildError(`invalid payload length ${payloadLength}`);
  }
  if (isControl(opcode)) {
    // RFC 6455 §5.5: "All control frames MUST have a payload length of 125 bytes or less and MUST NOT be fragmented."
    if (payloadLength > 125) throw new FrameBuildError(`control frame payload of ${payloadLength} bytes exceeds 125`);
    if (!fin) throw new FrameBuildError('control frames must not be fragmented');
  }
}

/**
 * Writes a frame header into `target` at `offset`; returns its size.
 * With a `maskKey` the MASK bit is set and the key follows the length.
 *
 * @throws {@link FrameBuildError} for an invalid opcode or length, or a fragmented / oversized control frame
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
  check(opcode, payloadLength, fin);
  target[offset] = (fin ? 0x80 : 0) | (options?.rsv1 ? 0x40 : 0) | opcode;
  const maskBit = maskKey ? 0x80 : 0;
  let at = offset + 2;
  if (payloadLength < 126) {
    target[offset + 1] = maskBit | payloadLength;
  } else if (payloadLength < 65536) {
    target[offset + 1] = maskBit | 126;
    target[at++] = payloadLength >>> 8;
    target[at++] = payloadLength & 0xff;
  } else {
    target[offset + 1] = maskBit | 127;
    // RFC 6455 §5.2: "the most significant bit MUST be 0"; lengths stay below 2^53.
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
  if (maskKey) {
    target[at++] = maskKey[0]!;
    target[at++] = maskKey[1]!;
    target[at++] = maskKey[2]!;
    target[at++] = maskKey[3]!;
  }
  return at - offset;
}

/**
 * Encodes one frame into a single new buffer: header, then the payload
 * (masked with `maskKey` when given; the caller's payload is never modified).
 *
 * @param alloc - buffer allocator (Node passes `Buffer.allocUnsafe`)
 * @throws {@link FrameBuildError} see {@link writeFrameHeader}
 */
export function encodeFrame(
  opcode: number,
  payload: Uint8Array,
  maskKey: Uint8Array | null,
  options?: FrameOptions,
  alloc: (size: number) => Uint8Array = (size) => new Uint8Array(size),
): Uint8Array {
  const headerSize = frameHeaderSize(payload.length, maskKey !== null);
  const out = alloc(headerSize + payload.length);
  writeFrameHeader(out, 0, opcode, payload.length, maskKey, options);
  if (maskKey) mask(payload, maskKey, out, headerSize);
  else out.set(payload, headerSize);
  return out;
}
