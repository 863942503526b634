/**
 * heartbeat: the application-level keepalive of SPEC `heartbeat` as a stage
 * of the Node session (the browser session runs the same
 * connection/heartbeat.ts). From `ready` on it sends `message` every
 * `interval` ms; when a heartbeat gets no reply within `timeout` it emits
 * `unresponsive` and ends the session with `disconnected(graceful=false)`.
 * Batches pass through unchanged; only while a heartbeat waits does it look
 * at their text and binary events.
 *
 * ```
 * input:   --r--------------t-------------------|    (interval 10, timeout 5; t = the reply)
 * sent:    ------------h---------h---------h
 * output:  --r--------------t--------------(u,d)|
 * ```
 */
import { events } from '../events/events.js';
import type { Connection } from '../connection/connection.js';
import { Heartbeat, heartbeatFailure, type HeartbeatHost, type HeartbeatOptions } from '../connection/heartbeat.js';
import { endWith, type Signals } from '../connection/signals.js';
import { every } from '../scheduling/periodic-timers.js';
import { Stage, type Downstream, type StageFactory } from './stage.js';

class HeartbeatStage extends Stage implements HeartbeatHost {
  private heartbeat: Heartbeat | null = null;

  constructor(
    out: Downstream<Signals>,
    private readonly conn: Connection,
    private readonly options: HeartbeatOptions,
  ) {
    super(out);
  }

  override next(batch: Signals): void {
    const heartbeat = this.heartbeat;
    if (heartbeat === null) {
      if (batch.some((signal) => signal.name === 'ready')) {
        (this.heartbeat = new Heartbeat(this.conn.options.scheduler, this.options, this, every)).start();
      }
    } else if (heartbeat.waiting) {
      for (let i = 0; i < batch.length; i++) {
        const signal = batch[i]!;
        if (signal.name === 'text' || signal.name === 'binary') heartbeat.received(signal);
      }
      if (this.ended) return; // isReply threw: the session is over
    }
    this.out.next(batch);
  }

  get isActive(): boolean {
    return this.conn.isActive;
  }

  get readPaused(): boolean {
    return this.conn.readPaused;
  }

  get readResumedAt(): number {
    return this.conn.readResumedAt;
  }

  sendHeartbeat(message: string | Uint8Array): void {
    if (typeof message === 'string') this.conn.sendText(message);
    else this.conn.sendBinary(message);
  }

  heartbeatTimedOut(): void {
    const now = this.conn.now();
    this.out.next([events.unresponsive(now), endWith(events.disconnected('unresponsive', false, now))]);
  }

  heartbeatFailed(error: unknown): void {
    const conn = this.conn;
    conn.end?.abort(events.disconnected(heartbeatFailure(error), false, conn.now()));
  }

  protected override stop(): void {
    this.heartbeat?.stop();
  }
}

/**
 * Stage: sends heartbeats from `ready` on and ends the session when one goes unanswered.
 *
 * @param conn - the connection to send through (its scheduler drives the timers)
 * @param options - the validated `heartbeat` option; undefined leaves the stage out
 */
export function heartbeat(conn: Connection, options: HeartbeatOptions | undefined): StageFactory {
  if (options === undefined) return () => null;
  return (out) => new HeartbeatStage(out, conn, options);
}
