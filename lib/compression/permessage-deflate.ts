/**
 * The compression layer: permessage-deflate (RFC 7692) over node:zlib, both
 * directions of one connection. {@link PerMessageDeflate} is what a
 * connection holds once the extension was negotiated: the inflater the
 * pipeline's inflate stage feeds received messages to, and the sender that
 * compresses what the application sends, in call order. The pieces: one
 * persistent zlib stream per direction (zlib-message-stream, inflater,
 * deflater), besides which the inflater inflates small messages
 * synchronously, from an LZ77 window it keeps itself (inflate-window); the
 * window-bits rule, the process-wide zlib limiter, the send queue
 * (deflate-sender).
 *
 * May import: core/ only (it writes frames through core's protocol, typed as
 * a {@link FrameSink}, and places them through an {@link OrderedSink}); never
 * connection/, pipeline/ or above.
 *
 * @see https://www.rfc-editor.org/rfc/rfc7692
 */
import type { DeflateParams } from '../core/deflate-params.js';
import { DeflateSender, type FrameSink, type OrderedSink } from './deflate-sender.js';
import { MessageInflater } from './inflater.js';
import type { ZlibLimiter } from './zlib-limiter.js';

/** How our deflater runs (SPEC `compress` tuning); each field optional. */
export interface DeflateTuning {
  /** Send messages of at least this many bytes compressed (default 1024). */
  readonly threshold?: number;
  /** zlib compression level 0–9 (default zlib's, 6). */
  readonly level?: number;
  /** zlib memLevel 1–9 (default zlib's, 8). */
  readonly memLevel?: number;
}

/** How a connection's permessage-deflate runs. */
export interface PerMessageDeflateOptions extends DeflateTuning {
  /** Largest inflated message, bytes (`maxMessageSize`). */
  readonly maxMessageSize: number;
  /** Limits concurrent zlib jobs (default: the process-wide limiter). */
  readonly limiter?: ZlibLimiter;
  /** Receives an unexpected exception from a zlib callback on the send side (the connection then ends). */
  readonly onInternalError: (error: unknown) => void;
}

/** permessage-deflate for one connection, with the negotiated parameters. */
export class PerMessageDeflate<S = unknown> {
  /** Inflates received messages (`server_*` parameters): small ones synchronously, the others on its zlib stream. */
  readonly inflater: MessageInflater;
  /** Compresses and sends the application's messages in call order (`client_*` parameters). */
  readonly sender: DeflateSender<S>;

  /**
   * @param params - the negotiated parameters
   * @param sink - where plain frames are written and deflated ones encoded (the connection's protocol)
   * @param order - where compressed messages reserve their place (the connection's outbox)
   */
  constructor(params: DeflateParams, sink: FrameSink, order: OrderedSink<S>, options: PerMessageDeflateOptions) {
    this.inflater = new MessageInflater({
      windowBits: params.serverMaxWindowBits,
      noContextTakeover: params.serverNoContextTakeover,
      maxSize: options.maxMessageSize,
      limiter: options.limiter,
    });
    this.sender = new DeflateSender(sink, order, params, {
      threshold: options.threshold,
      level: options.level,
      memLevel: options.memLevel,
      limiter: options.limiter,
      onInternalError: options.onInternalError,
    });
  }

  /** Frees both zlib streams; queued sends are dropped (the connection ended). */
  close(): void {
    this.inflater.close();
    this.sender.close();
  }
}
