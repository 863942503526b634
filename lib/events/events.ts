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
export interface Connecting extends EventBase {
  readonly name: 'connecting';
  /** The URL being connected to, credentials redacted (`***:***`). */
  readonly url: string;
}
/** TCP (and TLS, and the proxy tunnel) is up; the upgrade request was sent. */
export interface Connected extends EventBase {
  readonly name: 'connected';
  /** The URL connected to, credentials redacted. */
  readonly url: string;
  /** The proxy tunnelled through (`http://***:***@host:port`), or null for a direct connection. */
  readonly proxy: string | null;
}
/** The connection could not be established; `reason` keeps the underlying cause. */
export interface ConnectFail extends EventBase {
  readonly name: 'connect_fail';
  /** Why, with the underlying error's text (DNS, TCP, TLS, proxy, `connectTimeout`). */
  readonly reason: string;
}
/** The server answered the upgrade with something other than a valid WebSocket handshake. */
export interface Rejected extends EventBase {
  readonly name: 'rejected';
  /** The server's answer: status, headers (a `Retry-After` there sets `persist`'s next wait). */
  readonly response: Response;
  /** What is wrong with the answer (a status other than 101, a bad `Sec-WebSocket-Accept`, …). */
  readonly reason: string;
  /** The first bytes of a non-101 answer's body (at most 4 KiB; empty if none), where servers explain a refusal. */
  readonly body: Uint8Array;
}
/** The handshake completed: messages may flow. */
export interface Ready extends EventBase {
  readonly name: 'ready';
  /** The server's 101 answer. */
  readonly response: Response;
  /** The subprotocol the server chose among `protocols`, or null. */
  readonly protocol: string | null;
  /** The extensions in effect (`permessage-deflate` when compression was negotiated). */
  readonly extensions: Set<string>;
}
/** A text message. */
export interface Text extends EventBase {
  readonly name: 'text';
  /** The message, validated as UTF-8. */
  readonly text: string;
  /** `JSON.parse(text)`, computed on each read; throws `SyntaxError` when the text is not JSON. */
  readonly json: unknown;
}
/** A binary message. */
export interface Binary extends EventBase {
  readonly name: 'binary';
  /** The message's bytes (reassembled and inflated). */
  readonly data: Uint8Array;
}
/** A ping from the server (answered automatically unless `autoPong` is false). */
export interface Ping extends EventBase {
  readonly name: 'ping';
  /** The ping's payload (at most 125 bytes). */
  readonly data: Uint8Array;
}
/** A pong from the server. */
export interface Pong extends EventBase {
  readonly name: 'pong';
  /** The pong's payload (at most 125 bytes). */
  readonly data: Uint8Array;
  /** Round trip in ms when the pong answers one of our pings (same payload), else null (an unsolicited pong). */
  readonly rtt: number | null;
}
/** Emitted at `ready` and then every `poll` ms while connected. */
export interface Poll extends EventBase { readonly name: 'poll' }
/** The server started the close handshake. */
export interface Closing extends EventBase {
  readonly name: 'closing';
  /** The code of the server's close frame (1005 when it carried none). */
  readonly code: number;
  /** The reason of the server's close frame (may be empty). */
  readonly reason: string;
}
/** The close handshake completed. */
export interface Closed extends EventBase {
  readonly name: 'closed';
  /** The close code of the handshake (1005 when the close frame carried none). */
  readonly code: number;
  /** The close reason of the handshake (may be empty). */
  readonly reason: string;
}
/** The connection is gone; always the last event of a session that got past `connecting`. */
export interface Disconnected extends EventBase {
  readonly name: 'disconnected';
  /** Why the connection ended, in words. */
  readonly reason: string;
  /** True after a completed close handshake (or a refused upgrade), false when the connection was cut. */
  readonly graceful: boolean;
}
/** The server broke the protocol. */
export interface ProtocolErrorEvent extends EventBase {
  readonly name: 'protocol_error';
  /** What the server did wrong (`"invalid opcode 0x3"`). */
  readonly error: string;
  /** True when the byte stream cannot be trusted and the connection is dropped at once, without a close frame. */
  readonly critical: boolean;
}
/** No pong arrived within `pingTimeout`. */
export interface Unresponsive extends EventBase { readonly name: 'unresponsive' }
/** `persist` waits `delay` ms (an integer) before the next attempt; `attempt` is the n of the backoff formula. */
export interface BackOff extends EventBase {
  readonly name: 'back_off';
  /** The wait before the next attempt, in whole ms. */
  readonly delay: number;
  /** The number of consecutive attempts that did not stay `ready` for `minUptime` (the n of the formula). */
  readonly attempt: number;
}
/**
 * A message with an opcode that a negotiated extension defines. Kept for the Lomond event model and SPEC, but
 * never emitted today: no extension lomond negotiates (permessage-deflate) defines an opcode, and any other
 * non-zero reserved opcode fails the connection with 1002 (RFC 6455 §5.2: "If an unknown opcode is received,
 * the receiving endpoint MUST _Fail the WebSocket Connection_").
 */
export interface UnknownMessage extends EventBase {
  readonly name: 'unknown';
  /** The frame's opcode. */
  readonly opcode: number;
  /** The message's bytes. */
  readonly data: Uint8Array;
}

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

/**
 * Factories, one per event kind; `time` is the scheduler's `now()`.
 *
 * @internal Reached by the public barrels through `export type *` only (so not as a value).
 */
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
