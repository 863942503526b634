/**
 * The settings one connection runs with: SPEC's `SessionOptions` with the
 * defaults applied (the session layer validates and resolves them).
 */
import type { SchedulerLike } from 'rxjs';

/** A connection's timing and behaviour; every timer runs on `scheduler`. */
export interface ConnectionSettings {
  /** Emit `poll` at `ready` and then every `poll` ms. */
  readonly poll: number;
  /** Ping at `ready` and then every `pingRate` ms; 0: no pings. */
  readonly pingRate: number;
  /** `unresponsive` after this many ms without data from the server; undefined: never. */
  readonly pingTimeout: number | undefined;
  /** Answer pings automatically. */
  readonly autoPong: boolean;
  /** ms the server has to end TCP once our close frame is out; 0: do not wait. */
  readonly closeTimeout: number;
  /** ms from subscription to `ready`. */
  readonly connectTimeout: number;
  /** Drives every timer and gives every event's `receivedTime`. */
  readonly scheduler: SchedulerLike;
}
