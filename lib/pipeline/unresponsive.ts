/**
 * unresponsive: dead-peer detection. From `ready` on, when nothing arrived
 * from the server for `pingTimeout` ms (counted from the last bytes received —
 * a pong or any other frame, whole or in part — or from `ready`), it emits
 * `unresponsive` and ends the session with `disconnected(graceful=false)`.
 * While reading is paused (backpressure) the clock stands still: silence is
 * then our doing, not the server's. Once the close handshake has started
 * (a close frame sent or received) it stops: `closeTimeout` bounds the rest,
 * and after `closed` only `disconnected` follows (SPEC "Lifecycles").
 *
 * ```
 * input:   --r----P------------------|   (pingTimeout 10; P = pong)
 * output:  --r----P---------(u,d)|
 * ```
 */
import type { SchedulerAction, Subscription } from 'rxjs';
import { events } from '../events/events.js';
import type { Connection } from '../connection/connection.js';
import { endWith, type Signals } from '../connection/signals.js';
import { Stage, type Downstream, type StageFactory } from './stage.js';

function checkTick(this: SchedulerAction<UnresponsiveStage>, self?: UnresponsiveStage): void {
  const delay = self!.check();
  if (delay > 0) this.schedule(self, delay);
}

class UnresponsiveStage extends Stage {
  private timer: Subscription | null = null;

  constructor(
    out: Downstream<Signals>,
    private readonly conn: Connection,
    private readonly pingTimeout: number,
  ) {
    super(out);
  }

  override next(batch: Signals): void {
    if (this.timer === null) {
      for (let i = 0; i < batch.length; i++) {
        if (batch[i]!.name !== 'ready') continue;
        const conn = this.conn;
        conn.lastReceived = conn.now();
        this.timer = conn.options.scheduler.schedule(checkTick, this.pingTimeout, this);
        break;
      }
    }
    this.out.next(batch);
  }

  /** Ends the session when the peer has been silent too long; else returns the ms left to wait. */
  check(): number {
    const conn = this.conn;
    try {
      if (conn.closeStarted) return 0;
      const now = conn.now();
      if (conn.readPaused) return this.pingTimeout;
      const silent = now - conn.lastReceived;
      if (silent < this.pingTimeout) return this.pingTimeout - silent;
      this.out.next([events.unresponsive(now), endWith(events.disconnected('unresponsive', false, now))]);
    } catch (error) {
      conn.internalError(error);
    }
    return 0;
  }

  protected override stop(): void {
    this.timer?.unsubscribe();
  }
}

/**
 * Stage: fires `unresponsive` after `pingTimeout` ms without anything from the server.
 *
 * @param conn - the connection (its scheduler drives the timer)
 * @param pingTimeout - ms without data from the server; undefined disables the stage
 */
export function unresponsive(conn: Connection, pingTimeout: number | undefined): StageFactory {
  if (pingTimeout === undefined) return () => null;
  return (out) => new UnresponsiveStage(out, conn, pingTimeout);
}
