/**
 * Frames built and described for specs: `encodeFrame` (one frame into one
 * buffer, masked when a key is given — the server's frames unmasked), and
 * the shapes the frame parser's handler calls are recorded in.
 */
import { frameHeaderSize, writeFrameHeader, type FrameOptions } from '../../lib/core/frame.js';
import { mask } from '../../lib/core/mask.js';

/** A complete frame as a spec records it (its payload unmasked). */
export interface Frame {
  readonly fin: boolean;
  readonly rsv1: boolean;
  readonly opcode: number;
  readonly payload: Uint8Array;
}

/** A frame's header, as a spec records it before the payload. */
export interface FrameHeader {
  readonly fin: boolean;
  readonly rsv1: boolean;
  readonly opcode: number;
  readonly masked: boolean;
  readonly length: number;
}

/** One frame in a new buffer: the header, then the payload (masked with `maskKey` when given; never modified). */
export function encodeFrame(opcode: number, payload: Uint8Array, maskKey: Uint8Array | null, options?: FrameOptions): Uint8Array {
  const headerSize = frameHeaderSize(payload.length, maskKey !== null);
  const out = new Uint8Array(headerSize + payload.length);
  writeFrameHeader(out, 0, opcode, payload.length, maskKey, options);
  if (maskKey !== null) mask(payload, maskKey, out, headerSize);
  else out.set(payload, headerSize);
  return out;
}
