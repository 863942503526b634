/**
 * keepalive: pings and polls on the scheduler. At `ready` it sends a ping and
 * emits `poll`; then it pings every `pingRate` ms (0 disables) and polls every
 * `poll` ms until the session ends. Pings stop once the close handshake starts.
 *
 * ```
 * input:   --r---------------------------|
 * pings:   --p-----p-----p-----p---------   (pingRate 6)
 * output:  --(rP)----P----P----P----P----|  (poll 5)
 * ```
 */
import type { Unsubscribable } from 'rxjs';
import { events, type Ready } from '../events/events.js';
import type { Connection } from '../connection/connection.js';
import { nextPingPayload } from '../connection/ping-tracker.js';
import type { Signals } from '../connection/signals.js';
import { every } from '../scheduling/periodic-timers.js';
import { Stage, type Downstream, type StageFactory } from './stage.js';

const poll = (self: KeepaliveStage): void => self.guard(self.poll);
const ping = (self: KeepaliveStage): void => self.guard(self.ping);

class KeepaliveStage extends Stage {
  private pollTimer: Unsubscribable | null = null;
  private pingTimer: Unsubscribable | null = null;

  constructor(
    out: Downstream<Signals>,
    private readonly conn: Connection,
  ) {
    super(out);
  }

  /** The connection's `poll` setting (ms). */
  get pollPeriod(): number {
    return this.conn.options.poll;
  }

  /** The connection's `pingRate` setting (ms; 0: no pings). */
  get pingRate(): number {
    return this.conn.options.pingRate;
  }

  override next(batch: Signals): void {
    const at = this.pollTimer === null ? batch.findIndex((signal) => signal.name === 'ready') : -1;
    if (at < 0) {
      this.out.next(batch);
      return;
    }
    const conn = this.conn;
    const out = batch.slice();
    // Stamped as `ready` is: the events after it in the batch were stamped no later (receivedTime never goes back).
    out.splice(at + 1, 0, events.poll((batch[at] as Ready).receivedTime));
    if (this.pingRate > 0) this.ping();
    const scheduler = conn.options.scheduler;
    this.pollTimer = every(scheduler, this.pollPeriod, poll, this);
    if (this.pingRate > 0) this.pingTimer = every(scheduler, this.pingRate, ping, this);
    this.out.next(out);
  }

  /** Runs a timer's work; an unexpected exception ends this connection, not the shared timer list. */
  guard(work: (this: KeepaliveStage) => void): void {
    try {
      work.call(this);
    } catch (error) {
      this.conn.internalError(error);
    }
  }

  poll(): void {
    this.out.next([events.poll(this.conn.now())]);
  }

  ping(): void {
    const conn = this.conn;
    if (conn.isActive) conn.sendPing(nextPingPayload(conn));
  }

  protected override stop(): void {
    this.pollTimer?.unsubscribe();
    this.pingTimer?.unsubscribe();
  }
}

/**
 * Stage: adds `poll` events and sends pings, starting at `ready`.
 *
 * @param conn - the connection to ping through: its settings give the intervals (`poll`, `pingRate`), its scheduler drives the timers
 */
export function keepalive(conn: Connection): StageFactory {
  return (out) => new KeepaliveStage(out, conn);
}
