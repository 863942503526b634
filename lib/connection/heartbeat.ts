/**
 * Heartbeat: the application-level keepalive both builds share (SPEC
 * `heartbeat`). Browsers cannot send protocol pings, and many servers answer
 * an application message instead ("ping" → "pong"), so from `ready` on it
 * sends `message` every `interval` ms; when a heartbeat then gets no reply
 * (an event `isReply` accepts, or without `isReply` any message at all)
 * within `timeout` ms, the connection is unresponsive and its host ends it.
 *
 * ```
 * interval 10, timeout 5:   r---------h---R-----h----------(u,d)
 *                           (h = heartbeat sent, R = reply, u = unresponsive, d = disconnected)
 * ```
 *
 * The clock starts at the oldest heartbeat still unanswered: heartbeats keep
 * going out while one waits (a timeout longer than the interval waits across
 * several), and a reply answers them all. Timers run on the connection's
 * scheduler: sends on the shared periodic timers, the deadline as one action
 * that re-arms only when a wait outlives it (the periodic timer is injected:
 * see {@link Periodic}). A message costs one comparison
 * while nothing waits, and one `isReply` call while something does.
 */
import type { SchedulerAction, SchedulerLike, Subscription, Unsubscribable } from 'rxjs';
import type { WebSocketEvent } from '../events/events.js';
import type { every } from '../scheduling/periodic-timers.js';

/**
 * How the heartbeat repeats: `every` of scheduling/periodic-timers in Node (shared by all connections), a
 * plain RxJS `timer` in browsers (one tab holds few connections, and the bundle stays smaller).
 */
export type Periodic = typeof every;

/** SPEC `heartbeat` (WebSocketOptions, both builds). */
export interface HeartbeatOptions {
  /** ms between two heartbeats, the first `interval` ms after `ready`. */
  interval: number;
  /** ms a heartbeat waits for its reply before the connection counts as `unresponsive`. */
  timeout: number;
  /** What to send: a text, or a function called at each heartbeat returning a text or bytes (sent as binary). */
  message: string | (() => string | Uint8Array);
  /** Which received event answers a heartbeat (default: any text or binary message). */
  isReply?: (event: WebSocketEvent) => boolean;
}

/** What a {@link Heartbeat} asks of the connection it keeps. */
export interface HeartbeatHost {
  /** True while messages can be sent (heartbeats are skipped otherwise). */
  readonly isActive: boolean;
  /** True while the application paused reading: silence is then not the server's fault. */
  readonly readPaused: boolean;
  /** `scheduler.now()` when reading last resumed after a pause (0 if never): the wait counts from there. */
  readonly readResumedAt: number;
  /** Sends one heartbeat: a string as text, bytes as binary. */
  sendHeartbeat(message: string | Uint8Array): void;
  /** No reply came within `timeout`: emit `unresponsive` and end the connection. */
  heartbeatTimedOut(): void;
  /** `message()` or `isReply()` threw (or returned the wrong type): end the connection with this error. */
  heartbeatFailed(error: unknown): void;
}

const beat = (self: Heartbeat): void => self.beat();

/** The `disconnected.reason` when `message()` or `isReply()` threw. */
export const heartbeatFailure = (error: unknown): string => `heartbeat failed: ${error instanceof Error ? error.message : String(error)}`;

function deadlineTick(this: SchedulerAction<Heartbeat>, self?: Heartbeat): void {
  const delay = self!.check();
  if (delay > 0) this.schedule(self, delay);
}

/** One connection's heartbeat; see the file's comment. */
export class Heartbeat {
  private sender: Unsubscribable | null = null;
  private deadline: Subscription | null = null;
  /** `scheduler.now()` when the oldest unanswered heartbeat went out, or -1 when none waits. */
  private waitingSince = -1;

  constructor(
    private readonly scheduler: SchedulerLike,
    private readonly options: HeartbeatOptions,
    private readonly host: HeartbeatHost,
    private readonly periodic: Periodic,
  ) {}

  /** True while a heartbeat waits for its reply (the host then passes received messages to {@link received}). */
  get waiting(): boolean {
    return this.waitingSince >= 0;
  }

  /** Starts sending (call at `ready`). */
  start(): void {
    if (this.sender === null) this.sender = this.periodic(this.scheduler, this.options.interval, beat, this);
  }

  /** A text or binary message arrived. */
  received(event: WebSocketEvent): void {
    if (this.waitingSince < 0) return;
    const isReply = this.options.isReply;
    if (isReply !== undefined) {
      let reply: boolean;
      try {
        reply = isReply(event);
      } catch (error) {
        this.fail(error);
        return;
      }
      if (!reply) return;
    }
    // Answered. The deadline action stays armed; when it fires it finds nothing waiting and stops.
    this.waitingSince = -1;
  }

  /** @internal The interval elapsed: send a heartbeat and start waiting for its reply. */
  beat(): void {
    const host = this.host;
    if (!host.isActive) return;
    const message = this.options.message;
    try {
      const payload = typeof message === 'function' ? message() : message;
      if (typeof payload !== 'string' && !(payload instanceof Uint8Array)) {
        throw new TypeError(`heartbeat.message must return a string or a Uint8Array, got ${payload === null ? 'null' : typeof payload}`);
      }
      host.sendHeartbeat(payload);
    } catch (error) {
      this.fail(error);
      return;
    }
    if (this.waitingSince >= 0) return;
    const now = this.scheduler.now();
    this.waitingSince = now;
    if (this.deadline === null) this.deadline = this.scheduler.schedule(deadlineTick, this.options.timeout, this);
  }

  /** @internal The deadline action fired: returns the ms left to wait, or 0 when it is done. */
  check(): number {
    const timeout = this.options.timeout;
    if (this.waitingSince < 0) {
      this.deadline = null;
      return 0;
    }
    const host = this.host;
    // While the application holds reading, the clock stands still; it restarts when reading resumes.
    if (host.readPaused) return timeout;
    const waited = this.scheduler.now() - Math.max(this.waitingSince, host.readResumedAt);
    if (waited < timeout) return timeout - waited;
    this.deadline = null;
    this.stop();
    host.heartbeatTimedOut();
    return 0;
  }

  /** Stops sending and waiting (the connection ended). */
  stop(): void {
    this.sender?.unsubscribe();
    this.sender = null;
    const deadline = this.deadline;
    this.deadline = null;
    deadline?.unsubscribe();
    this.waitingSince = -1;
  }

  private fail(error: unknown): void {
    this.stop();
    this.host.heartbeatFailed(error);
  }
}
