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
const tick = (self: KeepaliveStage): void => self.guard(self.tick);

class KeepaliveStage extends Stage {
  /** The poll timer, or the one timer of both when one period divides the other (see {@link startTimers}). */
  private timer: Unsubscribable | null = null;
  /** The ping timer, when it could not share the poll timer. */
  private pingTimer: Unsubscribable | null = null;
  /** With one timer for both: its ticks since the longer period was last up. */
  private ticks = 0;

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
    const at = this.timer === null ? batch.findIndex((signal) => signal.name === 'ready') : -1;
    if (at < 0) {
      this.out.next(batch);
      return;
    }
    const out = batch.slice();
    // Stamped as `ready` is: the events after it in the batch were stamped no later (receivedTime never goes back).
    out.splice(at + 1, 0, events.poll((batch[at] as Ready).receivedTime));
    if (this.pingRate > 0) this.ping();
    this.startTimers();
    this.out.next(out);
  }

  /**
   * One timer node per connection where it can (a node is 72 bytes, ~10 % of an idle connection's own
   * objects): when one period is a multiple of the other (the defaults, 5 s and 30 s), a timer of the shorter
   * period polls or pings on the ticks where the other falls due, as two timers would (poll first when both
   * do); otherwise two timers.
   */
  private startTimers(): void {
    const scheduler = this.conn.options.scheduler;
    const pollPeriod = this.pollPeriod;
    const pingRate = this.pingRate;
    if (pingRate <= 0) {
      this.timer = every(scheduler, pollPeriod, poll, this);
      return;
    }
    const shorter = Math.min(pollPeriod, pingRate);
    if (pollPeriod % shorter === 0 && pingRate % shorter === 0) {
      this.timer = every(scheduler, shorter, tick, this);
      return;
    }
    this.timer = every(scheduler, pollPeriod, poll, this);
    this.pingTimer = every(scheduler, pingRate, ping, this);
  }

  /** The shared timer fired: polls and pings when their periods are up. */
  tick(): void {
    const pollPeriod = this.pollPeriod;
    const pingRate = this.pingRate;
    const pollIsShorter = pollPeriod <= pingRate;
    const longerUp = ++this.ticks === (pollIsShorter ? pingRate / pollPeriod : pollPeriod / pingRate);
    if (longerUp) this.ticks = 0;
    if (pollIsShorter || longerUp) this.poll();
    if ((!pollIsShorter || longerUp) && !this.ended) this.ping();
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
    this.timer?.unsubscribe();
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
