/**
 * AutoPong: the automatic answers to the peer's pings (RFC 6455 §5.5.2),
 * without a queue: while the sink needs to drain, only the latest ping's
 * payload is kept — in one buffer of 125 bytes — and answered once it has
 * drained (RFC 6455 §5.5.3), so a peer that pings faster than we can write
 * never makes pongs pile up.
 *
 * @see https://www.rfc-editor.org/rfc/rfc6455#section-5.5.3
 */
import type { FrameWriter } from './frame-writer.js';
import { Opcode } from './opcode.js';

/** The largest ping payload, hence pong (RFC 6455 §5.5). */
const MAX_CONTROL = 125;

/** Answers pings through a {@link FrameWriter}, coalescing them while its sink needs to drain. */
export class AutoPong {
  /** The latest unanswered ping's payload (allocated the first time a pong has to wait). */
  private pending: Uint8Array | null = null;
  /** Its length, or -1 when no pong is due. */
  private length = -1;

  constructor(private readonly writer: FrameWriter) {}

  /** True while a pong waits for the sink to drain. */
  get isPending(): boolean {
    return this.length >= 0;
  }

  /**
   * Answers a ping: at once, or — while the sink needs to drain — later, in place of any pong still due.
   * RFC 6455 §5.5.3: "If an endpoint receives a Ping frame and has not yet sent Pong frame(s) in response to
   * previous Ping frame(s), the endpoint MAY elect to send a Pong frame for only the most recently processed
   * Ping frame."
   */
  answer(data: Uint8Array): void {
    if (this.writer.output.needsDrain === true) {
      const pending = (this.pending ??= new Uint8Array(MAX_CONTROL));
      pending.set(data);
      this.length = data.length;
    } else {
      this.length = -1; // this pong answers the earlier ping too
      this.writer.writeFrame(Opcode.PONG, data);
    }
  }

  /** Writes the pong still due, if any. */
  flush(): void {
    const length = this.length;
    if (length < 0) return;
    this.length = -1;
    this.writer.writeFrame(Opcode.PONG, this.pending!.subarray(0, length));
  }

  /** Forgets the pong still due. */
  clear(): void {
    this.length = -1;
  }
}
