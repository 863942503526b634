/**
 * Type guards that narrow a {@link WebSocketEvent} by `name`, for `filter()`:
 * `events$.pipe(filter(isText), map((e) => e.text))`.
 */
import type * as E from './events.js';

type Ev = E.WebSocketEvent;

/** Narrows to {@link E.Connecting}. */
export const isConnecting = (e: Ev): e is E.Connecting => e.name === 'connecting';
/** Narrows to {@link E.Connected}. */
export const isConnected = (e: Ev): e is E.Connected => e.name === 'connected';
/** Narrows to {@link E.ConnectFail}. */
export const isConnectFail = (e: Ev): e is E.ConnectFail => e.name === 'connect_fail';
/** Narrows to {@link E.Rejected}. */
export const isRejected = (e: Ev): e is E.Rejected => e.name === 'rejected';
/** Narrows to {@link E.Ready}. */
export const isReady = (e: Ev): e is E.Ready => e.name === 'ready';
/** Narrows to {@link E.Text}. */
export const isText = (e: Ev): e is E.Text => e.name === 'text';
/** Narrows to {@link E.Binary}. */
export const isBinary = (e: Ev): e is E.Binary => e.name === 'binary';
/** Narrows to {@link E.Ping}. */
export const isPing = (e: Ev): e is E.Ping => e.name === 'ping';
/** Narrows to {@link E.Pong}. */
export const isPong = (e: Ev): e is E.Pong => e.name === 'pong';
/** Narrows to {@link E.Poll}. */
export const isPoll = (e: Ev): e is E.Poll => e.name === 'poll';
/** Narrows to {@link E.Closing}. */
export const isClosing = (e: Ev): e is E.Closing => e.name === 'closing';
/** Narrows to {@link E.Closed}. */
export const isClosed = (e: Ev): e is E.Closed => e.name === 'closed';
/** Narrows to {@link E.Disconnected}. */
export const isDisconnected = (e: Ev): e is E.Disconnected => e.name === 'disconnected';
/** Narrows to {@link E.ProtocolErrorEvent}. */
export const isProtocolError = (e: Ev): e is E.ProtocolErrorEvent => e.name === 'protocol_error';
/** Narrows to {@link E.Unresponsive}. */
export const isUnresponsive = (e: Ev): e is E.Unresponsive => e.name === 'unresponsive';
/** Narrows to {@link E.BackOff}. */
export const isBackOff = (e: Ev): e is E.BackOff => e.name === 'back_off';
/** Narrows to {@link E.UnknownMessage}. */
export const isUnknownMessage = (e: Ev): e is E.UnknownMessage => e.name === 'unknown';
