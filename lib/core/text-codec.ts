/**
 * The UTF-8 codec the protocol encodes and decodes text with: injected (Node
 * passes Buffer-based hooks), TextEncoder/TextDecoder by default; and the
 * decoding of a received text message, whose only failure is its size.
 */
import { PayloadTooLargeError } from './errors.js';

/** UTF-8 codec hooks; Node passes Buffer-based ones, the defaults use TextEncoder/TextDecoder. */
export interface TextCodec {
  byteLength(text: string): number;
  /** Writes `text` as UTF-8 into `target` at `offset`; returns bytes written. */
  write(text: string, target: Uint8Array, offset: number): number;
  /** Decodes bytes already known to be valid UTF-8. */
  decode(bytes: Uint8Array): string;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** The portable codec: TextEncoder/TextDecoder. */
export const defaultTextCodec: TextCodec = {
  byteLength: (text) => encoder.encode(text).length,
  write: (text, target, offset) => encoder.encodeInto(text, target.subarray(offset)).written,
  decode: (bytes) => decoder.decode(bytes),
};

/**
 * Decodes a text message already known to be valid UTF-8. The only way this fails is a message longer than a
 * string can be (Node: ERR_STRING_TOO_LONG), which is 1009 — RFC 6455 §7.4.1: "a message that is too big for it
 * to process".
 *
 * @throws {@link PayloadTooLargeError} when the codec cannot make a string of it
 */
export function decodeText(codec: TextCodec, data: Uint8Array): string {
  try {
    return codec.decode(data);
  } catch {
    throw new PayloadTooLargeError(`text message of ${data.length} bytes is too large to decode`);
  }
}
