/**
 * The contract of {@link ClientProtocol} with its user: the handler it
 * reports to, its options, and the states it reports.
 */
import type { ProtocolError } from './errors.js';
import type { ByteSink } from './frame-writer.js';
import type { TextCodec } from './text-codec.js';

/** What the peer did, as the protocol reports it. */
export interface ProtocolHandler {
  /** A complete, UTF-8-valid, uncompressed text message. */
  onText(text: string): void;
  /** A complete uncompressed binary message (may be a view into a received chunk). */
  onBinary(data: Uint8Array): void;
  /** A complete compressed (RSV1) message, still deflated: `opcode` is TEXT or BINARY. */
  onCompressed(opcode: number, data: Uint8Array): void;
  onPing(data: Uint8Array): void;
  onPong(data: Uint8Array): void;
  /** The peer's close frame. `initiatedByPeer` is false when it answers our own close (the handshake is then complete). */
  onClose(code: number, reason: string, initiatedByPeer: boolean): void;
  /** The peer broke the protocol; a close frame with `error.closeCode` was queued unless `error.critical`. */
  onProtocolError(error: ProtocolError): void;
}

/** Options of a {@link ClientProtocol}. */
export interface ClientProtocolOptions {
  /** Largest frame payload accepted (bytes). */
  maxPayload: number;
  /** Largest reassembled message accepted (bytes). */
  maxMessageSize: number;
  /** True once permessage-deflate was negotiated: RSV1 is then allowed on first data frames. */
  compression: boolean;
  /** Answer pings with pongs automatically (default true). */
  autoPong?: boolean;
  /** A fresh 4-byte masking key per call (RFC 6455 §5.3: "unpredictable"; inject a crypto source); used at once, so the source may reuse one array. */
  maskKey: () => Uint8Array;
  /** Receives every byte to send, frame by frame, in order (a transport's write side fits as it is). */
  output: ByteSink;
  /** Buffer allocator (Node passes Buffer.allocUnsafe). */
  alloc?: (size: number) => Uint8Array;
  /** A view of received memory, of the type `alloc` makes (Node passes `Buffer.from(arrayBuffer, offset, length)`). */
  view?: (memory: ArrayBufferLike, byteOffset: number, length: number) => Uint8Array;
  /** UTF-8 codec (Node passes a Buffer-based one). */
  codec?: TextCodec;
  /** Fast whole-buffer UTF-8 check for single-frame text messages (Node passes `buffer.isUtf8`). */
  isUtf8?: (bytes: Uint8Array) => boolean;
}

/** Connection state after the handshake (RFC 6455 §4.1 "_The WebSocket Connection is Established_"). */
export type ProtocolState = 'open' | 'closing' | 'closed' | 'failed';

