/**
 * frame: the framing operator. Feeds every `@data` chunk to the connection's
 * {@link ClientProtocol} and replaces it, in place in the batch, with the
 * events the chunk completed: one hop per chunk, however many frames it holds.
 *
 * ```
 * input:  -(ready)--@data(3 frames)--@data(½ frame)--@data(½ frame)-|
 * output: -(ready)--(text,text,ping)-----------------(binary)-------|
 * ```
 */
import { Observable, type OperatorFunction } from 'rxjs';
import type { ProtocolError } from '../core/errors.js';
import type { ProtocolHandler } from '../core/protocol.js';
import { events } from '../events/events.js';
import type { Connection } from '../session/connection.js';
import { CLOSE_SENT, endWith, type Signals } from '../session/signals.js';

/** Collects what the protocol reports into the batch being built. */
class EventCollector implements ProtocolHandler {
  out: Signals = [];
  /** The scheduler's time, read once per chunk: every event of a chunk is received at once. */
  time = 0;

  constructor(private readonly conn: Connection) {}

  onText(text: string): void {
    this.out.push(events.text(text, this.time));
  }

  onBinary(data: Uint8Array): void {
    this.out.push(events.binary(data, this.time));
  }

  onCompressed(opcode: number, data: Uint8Array): void {
    this.out.push({ name: '@compressed', opcode, data });
  }

  onPing(data: Uint8Array): void {
    this.out.push(events.ping(data, this.time));
  }

  onPong(data: Uint8Array): void {
    this.out.push(events.pong(data, this.time));
  }

  onClose(code: number, reason: string, initiatedByPeer: boolean): void {
    const conn = this.conn;
    const now = this.time;
    if (!initiatedByPeer) {
      this.out.push(events.closed(code, reason, now));
      return;
    }
    // SPEC: closing → (the app may still send) → close echoed → closed.
    this.out.push(
      events.closing(code, reason, now),
      {
        name: '@run',
        run: () => {
          if (conn.protocol?.isCloseSent === false) {
            conn.protocol.echoClose();
            conn.noteCloseSent();
          }
        },
      },
      CLOSE_SENT,
      events.closed(code, reason, now),
    );
    conn.closeStarted = true;
  }

  onProtocolError(error: ProtocolError): void {
    const now = this.time;
    this.out.push(events.protocolError(error.message, error.critical, now));
    if (error.critical) {
      // Drop at once: no close frame, no wait.
      this.out.push(endWith(events.disconnected(error.message, false, now)));
    } else {
      // The close frame goes out once the events before the fault were delivered (the app may answer them).
      const conn = this.conn;
      conn.closeStarted = true;
      this.out.push(
        {
          name: '@run',
          run: () => {
            conn.protocol?.flushFailure();
            conn.noteCloseSent();
          },
        },
        CLOSE_SENT,
      );
    }
  }

  take(): Signals {
    const out = this.out;
    this.out = [];
    return out;
  }
}

/**
 * Operator: `@data` chunks → protocol events. Opens the connection's protocol
 * when `ready` passes.
 *
 * @param conn - the connection whose protocol parses the bytes
 */
export function frame(conn: Connection): OperatorFunction<Signals, Signals> {
  return (source) =>
    new Observable<Signals>((subscriber) => {
      const collector = new EventCollector(conn);
      return source.subscribe({
        next: (batch) => {
          let hasData = false;
          for (let i = 0; i < batch.length; i++) {
            const name = batch[i]!.name;
            if (name === '@data') hasData = true;
            else if (name === 'ready') conn.open(collector);
          }
          if (!hasData) {
            subscriber.next(batch);
            return;
          }
          collector.time = conn.now();
          for (const signal of batch) {
            if (signal.name === '@data') conn.protocol?.receive(signal.chunk);
            else collector.out.push(signal);
          }
          const out = collector.take();
          if (out.length > 0) subscriber.next(out);
        },
        error: (error) => subscriber.error(error),
        complete: () => subscriber.complete(),
      });
    });
}
