/**
 * The internal stream between a session's operators. Operators pass batches
 * (one array per received chunk or timer tick, so that many small frames cost
 * one hop per operator, not one per frame) of public events mixed with a few
 * internal signals whose names start with `@`. Only public events reach the
 * subscriber.
 */
import type { ConnectFail, Disconnected, WebSocketEvent } from '../events/events.js';

/** Bytes received after the opening handshake, for the framing operator. */
export interface DataSignal { readonly name: '@data'; readonly chunk: Uint8Array; readonly transient?: boolean }
/** A complete compressed message, for the inflate operator. */
export interface CompressedSignal {
  readonly name: '@compressed';
  readonly opcode: number;
  readonly data: Uint8Array;
  /** When its frame arrived: the inflated message (or its failure) is stamped so, in order with the events after it. */
  readonly time: number;
}
/** Our close frame went out: the close-handshake timer starts. */
export interface CloseSentSignal { readonly name: '@close-sent' }
/** A side effect the session runs when the batch reaches this point (e.g. echoing a close after `closing` was delivered). */
export interface RunSignal { readonly name: '@run'; readonly run: () => void }
/**
 * connectTimeout expired: it enters at the pipeline's head, so that a refused answer whose body is still
 * arriving becomes `rejected` with what came; otherwise the connect-timeout stage makes it a `connect_fail`.
 */
export interface ConnectTimeoutSignal { readonly name: '@connect-timeout' }
/** The session emits `final` and completes. */
export interface EndSignal { readonly name: '@end'; readonly final: Disconnected | ConnectFail }

/** Anything that travels between a session's operators. */
export type Signal = WebSocketEvent | DataSignal | CompressedSignal | CloseSentSignal | RunSignal | ConnectTimeoutSignal | EndSignal;

/** One hop's worth of signals, in order. */
export type Signals = Signal[];

/** Builds an end signal. */
export const endWith = (final: Disconnected | ConnectFail): EndSignal => ({ name: '@end', final });

/** The close-sent signal (a constant: it carries no data). */
export const CLOSE_SENT: CloseSentSignal = { name: '@close-sent' };

/** The connect-timeout signal (a constant: it carries no data). */
export const CONNECT_TIMEOUT: ConnectTimeoutSignal = { name: '@connect-timeout' };
