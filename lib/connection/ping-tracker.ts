/**
 * Ping tracking: round-trip times from our pings and the pongs that answer
 * them. A pong answers a ping when it carries the same payload (RFC 6455
 * §5.5.3: "A Pong frame sent in response to a Ping frame must have identical
 * "Application data" as found in the message body of the Ping frame"); a
 * server may answer only the most recent of several pings (§5.5.3 again), so
 * a match also settles every older ping. Keepalive pings carry a 4-byte
 * counter, so that each is told apart.
 *
 * @see https://www.rfc-editor.org/rfc/rfc6455#section-5.5.3
 */
import { copyBytes } from '../core/bytes.js';

/** How many unanswered pings are remembered (older ones are forgotten). */
const MAX_PENDING = 8;

/** One of our pings waiting for its pong. */
export interface PendingPing {
  readonly payload: Uint8Array;
  readonly time: number;
}

function same(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/**
 * What the functions below keep for one connection: fields of the connection itself (an object of their own
 * would cost a header and a pointer on every connection).
 */
export interface PingState {
  /** Our pings still waiting for their pong: created at a ping, dropped once every ping was answered. */
  pendingPings: PendingPing[] | null;
  /** The counter of the last keepalive payload. */
  pingCounter: number;
  /** The last round trip measured (ms), or null before the first. */
  latency: number | null;
}

/** A fresh payload for a keepalive ping: a 4-byte big-endian counter. */
export function nextPingPayload(state: PingState): Uint8Array {
  const n = (state.pingCounter = (state.pingCounter + 1) >>> 0);
  return Uint8Array.of(n >>> 24, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff);
}

/** A ping with `payload` (kept as a copy: the caller may reuse its buffer) went out at `time`. */
export function pingSent(state: PingState, payload: Uint8Array, time: number): void {
  const pending = (state.pendingPings ??= []);
  if (pending.length === MAX_PENDING) pending.shift();
  pending.push({ payload: copyBytes(payload), time });
}

/**
 * A pong arrived at `time`: the round trip (ms) when it answers one of our pings, else null (an
 * unsolicited pong). The newest matching ping wins; it and every older ping are settled.
 */
export function pongReceived(state: PingState, payload: Uint8Array, time: number): number | null {
  const pending = state.pendingPings;
  if (pending === null) return null;
  for (let i = pending.length - 1; i >= 0; i--) {
    if (!same(pending[i]!.payload, payload)) continue;
    const rtt = time - pending[i]!.time;
    pending.splice(0, i + 1);
    if (pending.length === 0) state.pendingPings = null; // an idle connection holds no empty array
    // An integral round trip is stored as a small integer: a double would be boxed (16 bytes) in the connection.
    state.latency = rtt === (rtt | 0) ? rtt | 0 : rtt;
    return rtt;
  }
  return null;
}
