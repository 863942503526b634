/**
 * inflate: the receive side of permessage-deflate (RFC 7692 §7.2.2) as a
 * stage. Every `@compressed` message is inflated by the connection's
 * `PerMessageDeflate` (within `maxMessageSize`, text validated as UTF-8) and
 * replaced by a `text` or `binary` event. A small message with no message
 * ahead of it in zlib is inflated synchronously, in its place in the batch
 * (the inflater decides what is small: see `MessageInflater.inflateSync`;
 * and at most 1 MiB of such output per turn, see {@link SYNC_TURN_BUDGET});
 * any other goes to zlib asynchronously, and while it inflates, later
 * batches (and the transport's completion or error) wait in a queue, so
 * events keep wire order: a message is only ever inflated, either way, once
 * the one before it is done. A batch without compressed messages, with
 * nothing queued, passes through synchronously; a connection that did not
 * negotiate the extension never queues anything.
 *
 * ```
 * input:  -(ready)--(@compressed 40 KiB,ping)--(@compressed 1 KiB)--(text)-|
 * zlib:              [=======inflating=======]
 * output: -(ready)-------------------------(binary,ping,binary,text)-------|
 *                                            (the 1 KiB one inflated synchronously once its turn came)
 * ```
 *
 * Backpressure: while more than `RECEIVE_HIGH_WATER_MARK` (1 MiB) of received
 * bytes wait in the queue, reading from the socket is paused (TCP pushes back
 * on the server); it resumes at `RECEIVE_LOW_WATER_MARK` (256 KiB).
 *
 * A message that cannot be inflated fails the connection: 1009 when it would
 * exceed `maxMessageSize`, 1007 for invalid deflate data or invalid UTF-8
 * (ws uses 1007 for both as well). The stage then emits `protocol_error`
 * and `@close-sent` and drops the rest of the connection's input but `@end`.
 *
 * @see https://www.rfc-editor.org/rfc/rfc7692#section-7.2.2
 */
import { ProtocolError } from '../core/errors.js';
import { Opcode } from '../core/opcode.js';
import { Status } from '../core/status.js';
import { Utf8Validator } from '../core/utf8-validator.js';
import { events } from '../events/events.js';
import { RECEIVE_HIGH_WATER_MARK, RECEIVE_LOW_WATER_MARK, ReadPause, type Connection } from '../connection/connection.js';
import { bufferCodec, isUtf8 } from '../connection/node-platform.js';
import { CLOSE_SENT, type CompressedSignal, type Signal, type Signals } from '../connection/signals.js';
import { Stage, type Downstream, type StageFactory } from './stage.js';

function hasCompressed(batch: Signals): boolean {
  for (let i = 0; i < batch.length; i++) if (batch[i]!.name === '@compressed') return true;
  return false;
}

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

const isEnd = (signal: Signal): boolean => signal.name === '@end';

/**
 * Bytes of synchronous inflate output one turn may make (one pump: a batch from one socket read, or the work
 * after an async message): ≈ 1–3 ms of zlib. Each synchronous call is bounded (256 KiB), but one read can
 * hold hundreds of small payloads that inflate to that much; past the budget the next message goes to zlib
 * asynchronously, which yields the event loop, and the turn after it starts a new budget.
 */
const SYNC_TURN_BUDGET = 1024 * 1024;

/** The batch being worked through: its signals from `index` on are still to do; `out` collects the result. */
interface Work {
  readonly batch: Signals;
  index: number;
  out: Signals;
}

/** How the source ended, once it did (delivered after everything queued). */
type Ending = { readonly error: true; readonly cause: unknown } | { readonly error: false };

/** Inflates compressed messages in wire order; see the file's comment. */
export class InflateStage extends Stage {
  /** Batches waiting behind the one being worked through, oldest first. */
  private readonly queue: Signals[] = [];
  private current: Work | null = null;
  /** Received bytes in `queue`, for backpressure. */
  private queuedBytes = 0;
  /** True while zlib works on a message. */
  private inflating = false;
  /** True while `pump` runs (it is reentered from zlib callbacks that complete synchronously). */
  private pumping = false;
  /** What is left of this turn's {@link SYNC_TURN_BUDGET}. */
  private syncBudget = SYNC_TURN_BUDGET;
  /** True once a message could not be inflated: only `@end` passes from then on. */
  private failed = false;
  private ending: Ending | null = null;

  constructor(
    out: Downstream<Signals>,
    private readonly conn: Connection,
  ) {
    super(out);
  }

  override next(batch: Signals): void {
    if (this.failed) {
      const kept = batch.filter(isEnd);
      if (kept.length > 0) this.out.next(kept);
      return;
    }
    if (this.current === null && this.queue.length === 0 && !hasCompressed(batch)) {
      this.out.next(batch); // the hot path: no hop, no copy
      return;
    }
    this.queue.push(batch);
    this.queuedBytes += batchBytes(batch);
    if (this.queuedBytes > RECEIVE_HIGH_WATER_MARK) this.conn.pauseReading(ReadPause.PIPELINE);
    this.pump();
  }

  override error(cause: unknown): void {
    this.ending = { error: true, cause };
    this.pump();
  }

  override complete(): void {
    this.ending = { error: false };
    this.pump();
  }

  private emit(out: Signals): void {
    if (out.length > 0 && !this.ended) this.out.next(out);
  }

  /** Works through the queue until a message must wait for async zlib; delivers the ending once all is done. */
  private pump(): void {
    if (this.pumping) return;
    this.pumping = true;
    this.syncBudget = SYNC_TURN_BUDGET;
    try {
      while (!this.ended && !this.inflating) {
        let work = this.current;
        if (work === null) {
          const batch = this.queue.shift();
          if (batch === undefined) break;
          work = this.current = { batch, index: 0, out: [] };
          this.queuedBytes -= batchBytes(batch);
          if (this.queuedBytes <= RECEIVE_LOW_WATER_MARK) this.conn.resumeReading(ReadPause.PIPELINE);
        }
        while (work.index < work.batch.length && !this.inflating) {
          const signal = work.batch[work.index++]!;
          if (signal.name !== '@compressed') {
            work.out.push(signal);
            continue;
          }
          // A small message, with nothing ahead of it in zlib: inflated here and now, in its place.
          if (this.inflateSync(signal, work.out)) continue;
          // What came before the message need not wait for it.
          const before = work.out;
          work.out = [];
          this.emit(before);
          if (this.ended) return;
          this.startInflate(signal);
        }
        if (this.inflating) break;
        this.current = null;
        this.emit(work.out);
      }
      const ending = this.ending;
      if (ending !== null && !this.ended && !this.inflating && this.current === null && this.queue.length === 0) {
        this.ending = null;
        if (ending.error) this.out.error(ending.cause);
        else this.out.complete();
      }
    } finally {
      this.pumping = false;
    }
  }

  /**
   * Inflates `signal` synchronously if it is small enough, its event (or the failure) into `out`.
   * Called only while no message is in zlib, so it cannot overtake one.
   *
   * @returns false when the message must be inflated asynchronously
   */
  private inflateSync(signal: CompressedSignal, out: Signals): boolean {
    const compression = this.conn.compression;
    if (compression === null) throw new Error('a compressed message without negotiated compression');
    if (this.syncBudget <= 0) return false;
    const text = signal.opcode === Opcode.TEXT;
    const validator = text ? new Utf8Validator(isUtf8) : null;
    const result = compression.inflater.inflateSync(signal.data, validator && ((chunk) => validator.push(chunk)));
    if (result === null) return false;
    if (!(result instanceof ProtocolError)) this.syncBudget -= result.length;
    this.deliver(text, validator, result instanceof ProtocolError ? result : null, result instanceof ProtocolError ? null : result, out, signal.time);
    return true;
  }

  private startInflate(signal: CompressedSignal): void {
    const compression = this.conn.compression;
    if (compression === null) throw new Error('a compressed message without negotiated compression');
    this.inflating = true;
    const text = signal.opcode === Opcode.TEXT;
    const validator = text ? new Utf8Validator(isUtf8) : null;
    const time = signal.time;
    compression.inflater.inflate(signal.data, validator && ((chunk) => validator.push(chunk)), (error, data) => {
      this.inflating = false;
      if (this.ended) return;
      // A zlib callback: nothing above it would catch an exception, so it is contained here.
      try {
        this.inflated(text, validator, error, data, time);
      } catch (thrown) {
        this.conn.internalError(thrown);
      }
    });
  }

  private inflated(text: boolean, validator: Utf8Validator | null, error: ProtocolError | null, data: Buffer | null, time: number): void {
    this.deliver(text, validator, error, data, this.current!.out, time);
    this.pump();
  }

  /** The inflated message's event, or its failure, into `out`, stamped `time` (when its frame arrived). */
  private deliver(text: boolean, validator: Utf8Validator | null, error: ProtocolError | null, data: Buffer | null, out: Signals, time: number): void {
    // A message cut short inside a UTF-8 sequence.
    if (error === null && validator !== null && !validator.end()) error = new ProtocolError('invalid utf-8', Status.BAD_DATA);
    if (error !== null) this.fail(error, out, time);
    else if (text) out.push(events.text(bufferCodec.decode(data!), time));
    else out.push(events.binary(data!, time));
  }

  /**
   * Fails the connection for a message that could not be inflated; keeps only `@end` from the rest. It is the
   * first fault in wire order even when a later frame of the same read already failed the protocol (parsing
   * goes on while this message waits for zlib): that fault's events are among the rest, dropped, and this
   * one's close code is sent.
   */
  private fail(error: ProtocolError, out: Signals, time: number): void {
    const conn = this.conn;
    const protocol = conn.protocol;
    this.failed = true;
    protocol?.failBefore(error);
    protocol?.flushFailure();
    conn.closeStarted = true;
    out.push(events.protocolError(error.message, false, time), CLOSE_SENT);
    const work = this.current!;
    out.push(...work.batch.slice(work.index).filter(isEnd));
    work.index = work.batch.length;
    for (const batch of this.queue.splice(0)) out.push(...batch.filter(isEnd));
    this.queuedBytes = 0;
    conn.resumeReading(ReadPause.PIPELINE);
  }

  protected override stop(): void {
    this.queue.length = 0;
    this.current = null;
  }
}

/**
 * Stage: `@compressed` messages → `text`/`binary` events, in wire order. Left
 * out when permessage-deflate is not offered (nothing can be negotiated).
 *
 * @param conn - the connection (its compression, limits, protocol and clock)
 */
export function inflate(conn: Connection): StageFactory {
  return (out) => (conn.compress ? new InflateStage(out, conn) : null);
}
