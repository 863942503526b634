/**
 * frame: framing, the base of the pipeline's head. Feeds every `@data` chunk
 * to the connection's {@link ClientProtocol} and replaces it, in place in the
 * batch, with the events the chunk completed: one hop per chunk, however many
 * frames it holds. It is not a stage of its own: the head (the handshake
 * stage, handshake.ts) extends it, opens the protocol with itself as the
 * handler once the handshake succeeds, and frames what follows (one object
 * and one hop less per connection).
 *
 * ```
 * input:  -(ready)--@data(3 frames)--@data(½ frame)--@data(½ frame)-|
 * output: -(ready)--(text,text,ping)-----------------(binary)-------|
 * ```
 */
import type { ProtocolError } from '../core/errors.js';
import type { ProtocolHandler } from '../core/protocol.js';
import { events } from '../events/events.js';
import type { Connection } from '../connection/connection.js';
import { pongReceived } from '../connection/ping-tracker.js';
import { CLOSE_SENT, endWith, type Signals } from '../connection/signals.js';
import { Stage, type Downstream } from './stage.js';

/** Feeds `@data` to the protocol and collects what it reports into the batch being built (see the file's comment). */
export abstract class FrameStage extends Stage implements ProtocolHandler {
  /** The batch being built from a chunk's events: only while the protocol parses it (an idle connection holds none). */
  private batch: Signals | null = null;

  constructor(
    out: Downstream<Signals>,
    protected readonly conn: Connection,
  ) {
    super(out);
  }

  /** A batch: its `@data` chunks become the events they complete (the protocol was opened with this stage as its handler). */
  override next(batch: Signals): void {
    const conn = this.conn;
    let hasData = false;
    for (let i = 0; i < batch.length && !hasData; i++) hasData = batch[i]!.name === '@data';
    if (!hasData) {
      this.out.next(batch);
      return;
    }
    // The scheduler's time, read once per chunk: every event of a chunk is received at once (see `time`).
    conn.lastReceived = conn.now();
    this.batch ??= [];
    for (let i = 0; i < batch.length; i++) {
      const signal = batch[i]!;
      if (signal.name === '@data') conn.protocol?.receive(signal.chunk, signal.transient === true);
      else this.batch.push(signal);
    }
    this.passOn();
  }

  /** A chunk of frames without a batch around it (the head's transport handed it over so): its events go on as one batch. */
  data(chunk: Uint8Array, transient: boolean): void {
    const conn = this.conn;
    conn.lastReceived = conn.now();
    conn.protocol?.receive(chunk, transient);
    this.passOn();
  }

  /** Hands on the batch built while a chunk was parsed (nothing when it stayed empty); an idle stage holds none. */
  private passOn(): void {
    const out = this.batch;
    this.batch = null;
    if (out !== null && out.length > 0) this.out.next(out);
  }

  /** When the chunk being parsed arrived: the connection's `lastReceived`, set just before (no field of its own). */
  private get time(): number {
    return this.conn.lastReceived;
  }

  /** The batch the protocol's events go to. */
  private get events(): Signals {
    return (this.batch ??= []);
  }

  onText(text: string): void {
    this.events.push(events.text(text, this.time));
  }

  onBinary(data: Uint8Array): void {
    this.events.push(events.binary(data, this.time));
  }

  onCompressed(opcode: number, data: Uint8Array): void {
    this.events.push({ name: '@compressed', opcode, data, time: this.time });
  }

  onPing(data: Uint8Array): void {
    this.events.push(events.ping(data, this.time));
  }

  onPong(data: Uint8Array): void {
    const time = this.time;
    this.events.push(events.pong(data, pongReceived(this.conn, data, time), time));
  }

  onClose(code: number, reason: string, initiatedByPeer: boolean): void {
    const conn = this.conn;
    const now = this.time;
    if (!initiatedByPeer) {
      this.events.push(events.closed(code, reason, now));
      return;
    }
    // SPEC: closing → (the app may still send) → close echoed → closed.
    this.events.push(
      events.closing(code, reason, now),
      {
        name: '@run',
        run: () => {
          if (conn.protocol?.isCloseSent === false) conn.protocol.echoClose();
        },
      },
      CLOSE_SENT,
      events.closed(code, reason, now),
    );
    conn.closeStarted = true;
  }

  onProtocolError(error: ProtocolError): void {
    const now = this.time;
    this.events.push(events.protocolError(error.message, error.critical, now));
    if (error.critical) {
      // Drop at once: no close frame, no wait.
      this.events.push(endWith(events.disconnected(error.message, false, now)));
    } else {
      // The close frame goes out once the events before the fault were delivered (the app may answer them).
      const conn = this.conn;
      conn.closeStarted = true;
      this.events.push(
        {
          name: '@run',
          run: () => conn.protocol?.flushFailure(),
        },
        CLOSE_SENT,
      );
    }
  }
}
