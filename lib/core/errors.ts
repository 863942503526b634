/**
 * The error tree of lomond (SPEC "Errors"). Every class sets `name`; protocol
 * errors carry the close code the RFC asks for. Messages are short, lowercase,
 * without a final period, and name the offending value.
 */
import { Status } from './status.js';

/** Base class of every error lomond raises. */
export class WebSocketError extends Error {
  /** `'WebSocketError'`: the class, for checks where `instanceof` cannot tell (two copies of lomond in one app). */
  override name = 'WebSocketError';
}

/** The connection could not be established (DNS, TCP, TLS, proxy, timeout). */
export class ConnectFailError extends WebSocketError {
  /** `'ConnectFailError'`: the class, for checks where `instanceof` cannot tell (two copies of lomond in one app). */
  override name = 'ConnectFailError';
}

/** The transport failed after it was established. */
export class TransportFailError extends WebSocketError {
  /** `'TransportFailError'`: the class, for checks where `instanceof` cannot tell (two copies of lomond in one app). */
  override name = 'TransportFailError';
}

/** The server's HTTP upgrade response does not complete a WebSocket handshake. */
export class HandshakeError extends WebSocketError {
  /** `'HandshakeError'`: the class, for checks where `instanceof` cannot tell (two copies of lomond in one app). */
  override name = 'HandshakeError';
}

/** The server answered the permessage-deflate offer with parameters we cannot accept (RFC 7692 §7.1). */
export class CompressionParameterError extends HandshakeError {
  /** `'CompressionParameterError'`: the class, for checks where `instanceof` cannot tell (two copies of lomond in one app). */
  override name = 'CompressionParameterError';
}

/**
 * The peer broke RFC 6455. Non-critical: we send a close frame with
 * `closeCode` and wait for the peer's close up to `closeTimeout`.
 */
export class ProtocolError extends WebSocketError {
  /** `'ProtocolError'`: the class, for checks where `instanceof` cannot tell (two copies of lomond in one app). */
  override name = 'ProtocolError';
  /** True when the connection must be dropped at once, without a close frame. */
  readonly critical: boolean = false;
  constructor(
    message: string,
    /** The close code to fail the connection with (1002, 1007, 1009…). */
    readonly closeCode: number = Status.PROTOCOL_ERROR,
  ) {
    super(message);
  }
}

/**
 * A violation after which the byte stream cannot be trusted (masked server
 * frame, impossible length): the connection is dropped at once.
 */
export class CriticalProtocolError extends ProtocolError {
  /** `'CriticalProtocolError'`: the class, for checks where `instanceof` cannot tell (two copies of lomond in one app). */
  override name = 'CriticalProtocolError';
  override readonly critical: boolean = true;
}

/** A frame or message exceeds `maxPayload` / `maxMessageSize` (close code 1009). */
export class PayloadTooLargeError extends ProtocolError {
  /** `'PayloadTooLargeError'`: the class, for checks where `instanceof` cannot tell (two copies of lomond in one app). */
  override name = 'PayloadTooLargeError';
  constructor(message: string) {
    super(message, Status.MESSAGE_TOO_LARGE);
  }
}

/** A frame could not be built from the caller's arguments. */
export class FrameBuildError extends WebSocketError {
  /** `'FrameBuildError'`: the class, for checks where `instanceof` cannot tell (two copies of lomond in one app). */
  override name = 'FrameBuildError';
}

/** Sending is impossible: the WebSocket is not connected. */
export class WebSocketUnavailableError extends WebSocketError {
  /** `'WebSocketUnavailableError'`: the class, for checks where `instanceof` cannot tell (two copies of lomond in one app). */
  override name = 'WebSocketUnavailableError';
}

/** The offline send queue (`sendQueue` with `overflow: 'error'`) has no room for the message. */
export class SendQueueFullError extends WebSocketUnavailableError {
  /** `'SendQueueFullError'`: the class, for checks where `instanceof` cannot tell (two copies of lomond in one app). */
  override name = 'SendQueueFullError';
}

/** Sending is impossible: the close handshake has started. */
export class WebSocketClosingError extends WebSocketUnavailableError {
  /** `'WebSocketClosingError'`: the class, for checks where `instanceof` cannot tell (two copies of lomond in one app). */
  override name = 'WebSocketClosingError';
}

/** Sending is impossible: the WebSocket is closed. */
export class WebSocketClosedError extends WebSocketUnavailableError {
  /** `'WebSocketClosedError'`: the class, for checks where `instanceof` cannot tell (two copies of lomond in one app). */
  override name = 'WebSocketClosedError';
}
