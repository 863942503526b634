/**
 * lomond for browsers: the entry of the `browser` conditional export. The same
 * `connect$`, `WebSocket`, `persist`, guards, events, errors and `Status` as
 * the Node entry, over the browser's native `WebSocket`. The browser owns the
 * socket, so request headers, the User-Agent, proxies, TLS options, custom
 * transports and protocol pings are not available: those options are
 * rejected with a `TypeError`. `poll`, `closeTimeout`, `connectTimeout`,
 * `persist` and the events work as in Node, within what the DOM reports
 * (see `browser/native-session` for the differences). Nothing here imports
 * `node:*` modules.
 *
 * @module browser
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
export { connect$ } from './browser/connect.js';
export { WebSocket, type SendOptions } from './browser/websocket.js';
export { persist, type PersistOptions, type PersistEnd } from './operators/persist.js';
export { exponentialBackoff, type ExponentialBackoffOptions, type BackoffDelay } from './operators/exponential-backoff.js';
export { json, type JsonOptions } from './operators/json.js';
export { browserWake$, type BrowserWake } from './operators/browser-wake.js';
export { multiplex, type MultiplexOptions, type MultiplexSender, type MultiplexMessage } from './operators/multiplex.js';
export type { WebSocketOptions, SessionOptions, ConnectOptions } from './session/browser-options.js';
export type { HeartbeatOptions } from './session/shared-options.js';
