/**
 * The events a connection emits (SPEC "Events"): a union discriminated on
 * `name`, one factory per kind. Every event carries `receivedTime`, the
 * scheduler's `now()` when it was emitted.
 *
 * The events layer (events.ts, guards.ts, format.ts): the public event
 * vocabulary, plain data over core's Response. May import: core/ only.
 */
import type { Response } from '../core/response.js';

interface EventBase {
  /** The event kind, snake_case as in SPEC. */
  readonly name: string;
  /** `scheduler.now()` when the event was emitted (ms). */
  readonly receivedTime: number;
}

/** The connection attempt started. */
export interface Connecting extends EventBase { readonly name: 'connecting'; readonly url: string }
/** TCP (and TLS, and the proxy tunnel) is up; the upgrade request was sent. */
export interface Connected extends EventBase { readonly name: 'connected'; readonly url: string; readonly proxy: string | null }
/** The connection could not be established; `reason` keeps the underlying cause. */
export interface ConnectFail extends EventBase { readonly name: 'connect_fail'; readonly reason: string }
/** The server answered the upgrade with something other than a valid WebSocket handshake. */
export interface Rejected extends EventBase {
  readonly name: 'rejected';
  readonly response: Response;
  readonly reason: string;
  /** The first bytes of a non-101 answer's body (at most 4 KiB; empty if none), where servers explain a refusal. */
  readonly body: Uint8Array;
}
/** The handshake completed: messages may flow. */
export interface Ready extends EventBase {
  readonly name: 'ready';
  readonly response: Response;
  readonly protocol: string | null;
  readonly extensions: Set<string>;
}
/** A text message. */
export interface Text extends EventBase { readonly name: 'text'; readonly text: string; readonly json: unknown }
/** A binary message. */
export interface Binary extends EventBase { readonly name: 'binary'; readonly data: Uint8Array }
/** A ping from the server (answered automatically unless `autoPong` is false). */
export interface Ping extends EventBase { readonly name: 'ping'; readonly data: Uint8Array }
/** A pong from the server. */
export interface Pong extends EventBase {
  readonly name: 'pong';
  readonly data: Uint8Array;
  /** Round trip in ms when the pong answers one of our pings (same payload), else null (an unsolicited pong). */
  readonly rtt: number | null;
}
/** Emitted at `ready` and then every `poll` ms while connected. */
export interface Poll extends EventBase { readonly name: 'poll' }
/** The server started the close handshake. */
export interface Closing extends EventBase { readonly name: 'closing'; readonly code: number; readonly reason: string }
/** The close handshake completed. */
export interface Closed extends EventBase { readonly name: 'closed'; readonly code: number; readonly reason: string }
/** The connection is gone; always the last event of a session that got past `connecting`. */
export interface Disconnected extends EventBase { readonly name: 'disconnected'; readonly reason: string; readonly graceful: boolean }
/** The server broke the protocol. */
export interface ProtocolErrorEvent extends EventBase { readonly name: 'protocol_error'; readonly error: string; readonly critical: boolean }
/** No pong arrived within `pingTimeout`. */
export interface Unresponsive extends EventBase { readonly name: 'unresponsive' }
/** `persist` waits `delay` ms (an integer) before the next attempt; `attempt` is the n of the backoff formula. */
export interface BackOff extends EventBase { readonly name: 'back_off'; readonly delay: number; readonly attempt: number }
/**
 * A message with an opcode that a negotiated extension defines. Kept for the Lomond event model and SPEC, but
 * never emitted today: no extension lomond negotiates (permessage-deflate) defines an opcode, and any other
 * non-zero reserved opcode fails the connection with 1002 (RFC 6455 §5.2: "If an unknown opcode is received,
 * the receiving endpoint MUST _Fail the WebSocket Connection_").
 */
export interface UnknownMessage extends EventBase { readonly name: 'unknown'; readonly opcode: number; readonly data: Uint8Array }

/** Every event a lomond connection can emit. */
export type WebSocketEvent =
  | Connecting
  | Connected
  | ConnectFail
  | Rejected
  | Ready
  | Text
  | Binary
  | Ping
  | Pong
  | Poll
  | Closing
  | Closed
  | Disconnected
  | ProtocolErrorEvent
  | Unresponsive
  | BackOff
  | UnknownMessage;

/** The `name` of any {@link WebSocketEvent}. */
export type EventName = WebSocketEvent['name'];

class TextEvent implements Text {
  readonly name = 'text' as const;
  constructor(
    readonly text: string,
    readonly receivedTime: number,
  ) {}
  /** `JSON.parse(text)`; throws `SyntaxError` when the text is not JSON. */
  get json(): unknown {
    return JSON.parse(this.text);
  }
}

/** Factories, one per event kind; `time` is the scheduler's `now()`. */
export const events = {
  connecting: (url: string, time: number): Connecting => ({ name: 'connecting', url, receivedTime: time }),
  connected: (url: string, proxy: string | null, time: number): Connected => ({ name: 'connected', url, proxy, receivedTime: time }),
  connectFail: (reason: string, time: number): ConnectFail => ({ name: 'connect_fail', reason, receivedTime: time }),
  rejected: (response: Response, reason: string, time: number, body: Uint8Array = new Uint8Array(0)): Rejected => ({
    name: 'rejected',
    response,
    reason,
    body,
    receivedTime: time,
  }),
  ready: (response: Response, protocol: string | null, extensions: Set<string>, time: number): Ready => ({
    name: 'ready',
    response,
    protocol,
    extensions,
    receivedTime: time,
  }),
  text: (text: string, time: number): Text => new TextEvent(text, time),
  binary: (data: Uint8Array, time: number): Binary => ({ name: 'binary', data, receivedTime: time }),
  ping: (data: Uint8Array, time: number): Ping => ({ name: 'ping', data, receivedTime: time }),
  pong: (data: Uint8Array, rtt: number | null, time: number): Pong => ({ name: 'pong', data, rtt, receivedTime: time }),
  poll: (time: number): Poll => ({ name: 'poll', receivedTime: time }),
  closing: (code: number, reason: string, time: number): Closing => ({ name: 'closing', code, reason, receivedTime: time }),
  closed: (code: number, reason: string, time: number): Closed => ({ name: 'closed', code, reason, receivedTime: time }),
  disconnected: (reason: string, graceful: boolean, time: number): Disconnected => ({ name: 'disconnected', reason, graceful, receivedTime: time }),
  protocolError: (error: string, critical: boolean, time: number): ProtocolErrorEvent => ({ name: 'protocol_error', error, critical, receivedTime: time }),
  unresponsive: (time: number): Unresponsive => ({ name: 'unresponsive', receivedTime: time }),
  backOff: (delay: number, attempt: number, time: number): BackOff => ({ name: 'back_off', delay, attempt, receivedTime: time }),
  unknown: (opcode: number, data: Uint8Array, time: number): UnknownMessage => ({ name: 'unknown', opcode, data, receivedTime: time }),
};
