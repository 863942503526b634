/**
 * Builders for what a server sends: unmasked frames (also malformed ones, for
 * protocol tests) and close payloads that skip the client-side validation.
 */
import { Opcode } from '../core/opcode.js';

/** Options of a hand-built server frame. */
export interface ServerFrameOptions {
  /** FIN bit (default true). */
  fin?: boolean;
  /** RSV1 bit (default false): the compression bit, a violation unless permessage-deflate was negotiated. */
  rsv1?: boolean;
  /** RSV2 bit (default false): no extension defines it, so the client must fail the connection. */
  rsv2?: boolean;
  /** RSV3 bit (default false): likewise a violation. */
  rsv3?: boolean;
  /** Mask the frame with this key: servers must not, so this builds a violation. */
  maskKey?: Uint8Array;
  /** Claim this payload length in the header instead of the real one (for violations). */
  declaredLength?: number | bigint;
}

const encoder = new TextEncoder();

/** Encodes `text` (or passes bytes through). */
export const bytesOf = (data: string | Uint8Array): Uint8Array => (typeof data === 'string' ? encoder.encode(data) : data);

/** Builds one frame as a server would send it: unmasked unless `maskKey` is given; never validated, so it may break the protocol on purpose. */
export function serverFrame(opcode: number, payload: string | Uint8Array = new Uint8Array(0), options: ServerFrameOptions = {}): Uint8Array {
  const data = bytesOf(payload);
  const declared = options.declaredLength ?? data.length;
  const big = BigInt(declared);
  const extended = big > 65535n ? 8 : big > 125n ? 2 : 0;
  const maskSize = options.maskKey ? 4 : 0;
  const out = new Uint8Array(2 + extended + maskSize + data.length);
  out[0] =
    ((options.fin ?? true) ? 0x80 : 0) | (options.rsv1 ? 0x40 : 0) | (options.rsv2 ? 0x20 : 0) | (options.rsv3 ? 0x10 : 0) | (opcode & 0x0f);
  const view = new DataView(out.buffer);
  if (extended === 0) out[1] = Number(big);
  else if (extended === 2) {
    out[1] = 126;
    view.setUint16(2, Number(big));
  } else {
    out[1] = 127;
    view.setBigUint64(2, big);
  }
  let offset = 2 + extended;
  if (options.maskKey) {
    out[1]! |= 0x80;
    out.set(options.maskKey, offset);
    offset += 4;
    for (let i = 0; i < data.length; i++) out[offset + i] = data[i]! ^ options.maskKey[i & 3]!;
  } else {
    out.set(data, offset);
  }
  return out;
}

/** A close payload with any code (even invalid ones) and raw reason bytes. */
export function closePayload(code?: number, reason: string | Uint8Array = ''): Uint8Array {
  if (code === undefined) return new Uint8Array(0);
  const text = bytesOf(reason);
  const out = new Uint8Array(2 + text.length);
  out[0] = (code >> 8) & 0xff;
  out[1] = code & 0xff;
  out.set(text, 2);
  return out;
}

/** A server close frame with any code and reason bytes: `serverFrame(Opcode.CLOSE, closePayload(code, reason))`. */
export const serverClose = (code?: number, reason: string | Uint8Array = ''): Uint8Array => serverFrame(Opcode.CLOSE, closePayload(code, reason));
