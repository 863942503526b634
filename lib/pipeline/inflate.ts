/**
 * inflate: permessage-deflate (RFC 7692) as an operator. When `ready` passes
 * and the server accepted the extension, it creates the connection's inflater
 * and installs a {@link DeflateSender} as `conn.dataSender`; from then on every
 * `@compressed` message is inflated (async, within `maxMessageSize`, text
 * validated as UTF-8 chunk by chunk) and replaced by a `text` or `binary`
 * event. zlib is asynchronous: while a message inflates, later batches (and
 * the source's completion or error) wait in a queue, so events keep wire
 * order. A batch without compressed messages and nothing queued passes
 * through synchronously; without compression the operator is a pass-through.
 *
 * ```
 * input:  -(ready)--(@compressed,ping)--(text)-------|
 * zlib:              [=====inflating=====]
 * output: -(ready)-------------------(text,ping,text)|
 * ```
 *
 * Backpressure: while more than `RECEIVE_HIGH_WATER_MARK` (1 MiB) of received
 * bytes wait in the queue, reading from the socket is paused (TCP pushes back
 * on the server); it resumes at `RECEIVE_LOW_WATER_MARK` (256 KiB).
 *
 * A message that cannot be inflated fails the connection: 1009 when it would
 * exceed `maxMessageSize`, 1007 for invalid deflate data or invalid UTF-8
 * (ws uses 1007 for both as well). The operator then emits `protocol_error`
 * and `@close-sent` and drops the rest of the connection's input.
 *
 * @see https://www.rfc-editor.org/rfc/rfc7692#section-7.2.2
 */
import { Observable, type OperatorFunction } from 'rxjs';
import { MessageInflater } from '../compression/inflater.js';
import type { ZlibLimiter } from '../compression/zlib-limiter.js';
import { ProtocolError } from '../core/errors.js';
import { Opcode } from '../core/opcode.js';
import { Status } from '../core/status.js';
import { Utf8Validator } from '../core/utf8-validator.js';
import { events } from '../events/events.js';
import { RECEIVE_HIGH_WATER_MARK, RECEIVE_LOW_WATER_MARK, ReadPause, type Connection } from '../connection/connection.js';
import { DeflateSender } from '../compression/deflate-sender.js';
import { bufferCodec, isUtf8 } from '../connection/node-platform.js';
import { CLOSE_SENT, type CompressedSignal, type Signals } from '../connection/signals.js';

/** Tuning of {@link inflate}. */
export interface InflateConfig {
  /** Send messages of at least this many bytes compressed (default `COMPRESSION_THRESHOLD`, 1024). */
  readonly threshold?: number;
  /** Limits concurrent zlib jobs (default: the process-wide limiter). */
  readonly limiter?: ZlibLimiter;
}

const hasCompressed = (batch: Signals): boolean => {
  for (let i = 0; i < batch.length; i++) if (batch[i]!.name === '@compressed') return true;
  return false;
};

/** The received bytes a batch holds (message payloads), for the backpressure count. */
function batchBytes(batch: Signals): number {
  let bytes = 0;
  for (let i = 0; i < batch.length; i++) {
    const signal = batch[i]!;
    if (signal.name === '@compressed' || signal.name === 'binary') bytes += signal.data.length;
    else if (signal.name === 'text') bytes += signal.text.length;
  }
  return bytes;
}

/**
 * Operator: `@compressed` messages → `text`/`binary` events, in wire order.
 *
 * @param conn - the connection (its `deflate` parameters, limits, protocol and clock)
 * @param config - send threshold and zlib limiter
 */
export function inflate(conn: Connection, config: InflateConfig = {}): OperatorFunction<Signals, Signals> {
  // Not offered: nothing can be negotiated, so nothing to do at all.
  if (!conn.compress) return (source) => source;
  return (source) =>
    new Observable<Signals>((subscriber) => {
      let mode: 'handshake' | 'plain' | 'deflate' = 'handshake';
      let inflater: MessageInflater | null = null;
      let sender: DeflateSender | null = null;
      /** Batches waiting, oldest first; `current` is the one being worked through. */
      const queue: Signals[] = [];
      let current: { batch: Signals; index: number; out: Signals } | null = null;
      let inflating = false;
      let pumping = false;
      let failed = false;
      let torn = false;
      let ending: { readonly failed: boolean; readonly error?: unknown } | null = null;
      /** Received bytes in `queue` (and in the batch being worked through), for backpressure. */
      let queuedBytes = 0;

      const setUp = (): void => {
        const params = conn.deflate;
        if (params === null || conn.protocol === null) {
          mode = 'plain';
          return;
        }
        mode = 'deflate';
        inflater = new MessageInflater({
          windowBits: params.serverMaxWindowBits,
          noContextTakeover: params.serverNoContextTakeover,
          maxSize: conn.maxMessageSize,
          limiter: config.limiter,
        });
        sender = new DeflateSender(conn.protocol, params, {
          threshold: config.threshold,
          limiter: config.limiter,
          onInternalError: (error) => conn.internalError(error),
        });
        conn.dataSender = sender;
      };

      const emit = (out: Signals): void => {
        if (out.length > 0 && !torn) subscriber.next(out);
      };

      /** Fails the connection for a message that could not be inflated; keeps only `@end` from the rest. */
      const fail = (error: ProtocolError, out: Signals): void => {
        const protocol = conn.protocol;
        if (protocol !== null && protocol.state === 'failed') return; // a later frame already failed it: its events follow
        failed = true;
        protocol?.fail(error, false);
        protocol?.flushFailure();
        conn.noteCloseSent();
        conn.closeStarted = true;
        out.push(events.protocolError(error.message, false, conn.now()), CLOSE_SENT);
        if (current !== null) {
          out.push(...current.batch.slice(current.index).filter((signal) => signal.name === '@end'));
          current.index = current.batch.length;
        }
        for (const batch of queue.splice(0)) out.push(...batch.filter((signal) => signal.name === '@end'));
        queuedBytes = 0;
        conn.resumeReading(ReadPause.PIPELINE);
      };

      const startInflate = (signal: CompressedSignal): void => {
        inflating = true;
        const text = signal.opcode === Opcode.TEXT;
        const validator = text ? new Utf8Validator(isUtf8) : null;
        inflater!.inflate(signal.data, validator && ((chunk) => validator.push(chunk)), (error, data) => {
          inflating = false;
          if (torn) return;
          // A zlib callback: nothing above us would catch an exception, so contain it here.
          try {
            const out = current!.out;
            if (error === null && validator !== null && !validator.end()) error = new ProtocolError('invalid utf-8', Status.BAD_DATA); // cut short inside a sequence
            if (error !== null) fail(error, out);
            else if (text) out.push(events.text(bufferCodec.decode(data!), conn.now()));
            else out.push(events.binary(data!, conn.now()));
            pump();
          } catch (thrown) {
            conn.internalError(thrown);
          }
        });
      };

      /** Works through the queue until a message must wait for zlib. */
      const pump = (): void => {
        if (pumping) return;
        pumping = true;
        try {
          while (!torn && !inflating) {
            if (current === null) {
              const batch = queue.shift();
              if (batch === undefined) break;
              current = { batch, index: 0, out: [] };
              queuedBytes -= batchBytes(batch);
              if (queuedBytes <= RECEIVE_LOW_WATER_MARK) conn.resumeReading(ReadPause.PIPELINE);
            }
            const work = current;
            while (work.index < work.batch.length && !inflating) {
              const signal = work.batch[work.index++]!;
              if (signal.name !== '@compressed') {
                work.out.push(signal);
                continue;
              }
              // What came before the message need not wait for it.
              const before = work.out;
              work.out = [];
              emit(before);
              if (torn) return;
              startInflate(signal);
            }
            if (inflating) break;
            current = null;
            emit(work.out);
          }
          if (!torn && !inflating && current === null && queue.length === 0 && ending !== null) {
            if (ending.failed) subscriber.error(ending.error);
            else subscriber.complete();
          }
        } finally {
          pumping = false;
        }
      };

      const subscription = source.subscribe({
        next: (batch) => {
          if (mode === 'handshake') {
            for (let i = 0; i < batch.length; i++) if (batch[i]!.name === 'ready') setUp();
          }
          if (mode === 'plain') {
            subscriber.next(batch);
            return;
          }
          if (failed) {
            const kept = batch.filter((signal) => signal.name === '@end');
            if (kept.length > 0) subscriber.next(kept);
            return;
          }
          if (current === null && queue.length === 0 && !hasCompressed(batch)) {
            subscriber.next(batch); // the hot path: no hop, no copy
            return;
          }
          queue.push(batch);
          queuedBytes += batchBytes(batch);
          if (queuedBytes > RECEIVE_HIGH_WATER_MARK) conn.pauseReading(ReadPause.PIPELINE);
          pump();
        },
        error: (error: unknown) => {
          ending = { failed: true, error };
          pump();
        },
        complete: () => {
          ending = { failed: false };
          pump();
        },
      });
      return () => {
        torn = true;
        subscription.unsubscribe();
        queue.length = 0;
        current = null;
        inflater?.close();
        sender?.close();
        if (conn.dataSender === sender) conn.dataSender = null;
      };
    });
}
