/**
 * lomond: a WebSocket client for Node.js on RxJS. This barrel is the public
 * API (SPEC.md); internal modules are never re-exported.
 */
export { Opcode } from './core/opcode.js';
export { Status } from './core/status.js';
export { Response } from './core/response.js';
export {
  WebSocketError,
  ConnectFailError,
  TransportFailError,
  HandshakeError,
  CompressionParameterError,
  ProtocolError,
  CriticalProtocolError,
  PayloadTooLargeError,
  FrameBuildError,
  WebSocketUnavailableError,
  SendQueueFullError,
  WebSocketClosingError,
  WebSocketClosedError,
} from './core/errors.js';
export type * from './events/events.js';
export * from './events/guards.js';
export { connect$ } from './connect.js';
export { WebSocket, type SendOptions } from './websocket.js';
export { persist, type PersistOptions, type PersistEnd } from './operators/persist.js';
export { exponentialBackoff, type ExponentialBackoffOptions, type BackoffDelay } from './operators/exponential-backoff.js';
export { json, type JsonOptions } from './operators/json.js';
export { browserWake$, type BrowserWake } from './operators/browser-wake.js';
export { multiplex, type MultiplexOptions, type MultiplexSender, type MultiplexMessage } from './operators/multiplex.js';
export type { WebSocketOptions, SessionOptions, ConnectOptions, HeartbeatOptions } from './session/options.js';
export type { Transport, TransportTarget, TransportEvent, TransportConnection, ReadHint, HandshakeRequest, ResponseHead } from './transports/transport.js';
