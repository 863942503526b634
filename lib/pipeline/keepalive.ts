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
import { events, type Ready } from '../events/events.js';
import type { Connection } from '../connection/connection.js';
import { nextPingPayload } from '../connection/ping-tracker.js';
import type { Signals } from '../connection/signals.js';
import { PeriodicTask, repeat } from '../scheduling/periodic-timers.js';
import { Stage, type Downstream, type StageFactory } from './stage.js';

/** Where a keepalive's polls enter the pipeline: the stage that stood before the keepalive stage. */
interface PollTarget {
  forward(batch: Signals): void;
}

/**
 * An open connection's polls and pings: one timer node (a {@link PeriodicTask}) that emits `poll` into the
 * pipeline where the stage stood (through the stage before it, so that stages after it that leave the chain
 * later are skipped, and freed) and pings through the connection. When one period is a multiple of the other
 * (the defaults, 5 s and 30 s) one task of the shorter period does both, polling or pinging on the ticks where
 * the longer one is up too, as two timers would (poll first when both are due); otherwise the poll task has a
 * ping task of its own. The connection stops it when the session ends.
 */
class Keepalive extends PeriodicTask {
  /** Ticks since the longer period was last up (one task for both). */
  private ticks = 0;
  /** The ping task, when the periods could not share one. */
  private pinger: Keepalive | null = null;

  constructor(
    private readonly target: PollTarget,
    private readonly conn: Connection,
  ) {
    super();
  }

  /** Starts the tasks, from now. */
  start(): void {
    const { scheduler, poll, pingRate } = this.conn.options;
    const shorter = pingRate > 0 ? Math.min(poll, pingRate) : poll;
    if (poll % shorter === 0 && pingRate % shorter === 0) {
      repeat(scheduler, shorter, this);
      return;
    }
    repeat(scheduler, poll, this);
    repeat(scheduler, pingRate, (this.pinger = new Keepalive(this.target, this.conn)));
  }

  fire(): void {
    const conn = this.conn;
    try {
      const { poll, pingRate } = conn.options;
      const period = this.period;
      if (poll % period !== 0 || pingRate % period !== 0) {
        // Two tasks: this one polls or pings.
        if (period === poll) this.poll();
        else this.ping();
        return;
      }
      if (pingRate <= 0) {
        this.poll();
        return;
      }
      const pollIsShorter = poll <= pingRate;
      const longerUp = ++this.ticks === (pollIsShorter ? pingRate / poll : poll / pingRate);
      if (longerUp) this.ticks = 0;
      if (pollIsShorter || longerUp) this.poll();
      if (!pollIsShorter || longerUp) this.ping();
    } catch (error) {
      // An unexpected exception ends this connection, not the shared timer list.
      conn.internalError(error);
    }
  }

  private poll(): void {
    this.target.forward([events.poll(this.conn.now())]);
  }

  /** Sends a keepalive ping, while the connection is open (not once a poll's subscriber closed it). */
  ping(): void {
    const conn = this.conn;
    if (conn.isActive) conn.sendPing(nextPingPayload(conn));
  }

  override unsubscribe(): void {
    super.unsubscribe();
    this.pinger?.unsubscribe();
  }
}

/** Waits for `ready`: then pings, adds the first `poll` after it, starts the {@link Keepalive} and leaves the chain. */
class KeepaliveStage extends Stage {
  constructor(
    out: Downstream<Signals>,
    private readonly conn: Connection,
  ) {
    super(out);
  }

  override next(batch: Signals): void {
    const at = batch.findIndex((signal) => signal.name === 'ready');
    const out = this.out;
    if (at < 0) {
      out.next(batch);
      return;
    }
    const conn = this.conn;
    // Nothing more to look for: later batches skip this stage, and the connection stops the task at the end.
    const before = this.leave(conn.input);
    const keepalive = new Keepalive(before ?? this, conn);
    const withPoll = batch.slice();
    // Stamped as `ready` is: the events after it in the batch were stamped no later (receivedTime never goes back).
    withPoll.splice(at + 1, 0, events.poll((batch[at] as Ready).receivedTime));
    if (conn.options.pingRate > 0) keepalive.ping();
    keepalive.start();
    conn.keepalive = keepalive;
    out.next(withPoll);
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
