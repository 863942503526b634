/**
 * Options of the browser build: the SPEC option types without what a browser
 * cannot do, and their validation. The native `WebSocket` gives scripts no
 * control over request headers, proxies, TLS, the socket itself or protocol
 * pings, so those options are rejected with a `TypeError` at the call that
 * received them, instead of being silently ignored. Everything else is
 * validated by the shared rules of `session/options`.
 */
import type { SchedulerLike } from 'rxjs';
import { checkObject } from '../core/checks.js';
import type { SendQueueOptions } from './send-queue.js';
import {
  resolveSessionOptions,
  splitConnectOptions,
  validateWebSocketOptions,
  type WebSocketOptions as NodeWebSocketOptions,
} from './options.js';

/**
 * Options that shape the WebSocket in a browser. The Node-only options are
 * typed `never` so that passing one fails to compile, and at run time it
 * throws a `TypeError`.
 */
export interface WebSocketOptions {
  /** Subprotocols to offer (Sec-WebSocket-Protocol). */
  protocols?: string[];
  /**
   * Accepted for compatibility and ignored: browsers decide on
   * permessage-deflate themselves (most offer it always).
   */
  compress?: boolean;
  /** Accepted for compatibility and ignored: browsers do not expose frames. */
  maxPayload?: number;
  /** Largest message accepted, bytes (default 100 MiB); a larger one fails the connection. */
  maxMessageSize?: number;
  /** An offline queue for sends while no connection is open (flushed at the next `ready`). */
  sendQueue?: SendQueueOptions;
  /** Not available in browsers: scripts cannot set request headers. */
  headers?: never;
  /** Not available in browsers: the browser sets its own User-Agent. */
  userAgent?: never;
  /** Not available in browsers: the browser applies its own proxy settings. */
  proxies?: never;
  /** Not available in browsers: there is no http.Agent. */
  agent?: never;
  /** Not available in browsers: the browser verifies certificates itself. */
  tls?: never;
  /** Not available in browsers: the native WebSocket is the transport. */
  transport?: never;
}

/** Options of one connection attempt in a browser (SPEC `SessionOptions` without protocol pings). */
export interface SessionOptions {
  /** Emit `poll` at `ready` and then every `poll` ms (default 5000). */
  poll?: number;
  /** Only 0 (the default in browsers): scripts cannot send protocol pings. */
  pingRate?: 0;
  /** Not available in browsers: without pings there is no pong to wait for. */
  pingTimeout?: undefined;
  /** Only true: browsers always answer pings themselves. */
  autoPong?: true;
  /** Longest wait for the close handshake we started; 0 disables (default 30000). */
  closeTimeout?: number;
  /** The connection must open within it, else `connect_fail` (default 30000). */
  connectTimeout?: number;
  /** Scheduler for every timer and `receivedTime` (default: RxJS's asyncScheduler). */
  scheduler?: SchedulerLike;
}

/** Everything the browser `connect$` accepts. */
export type ConnectOptions = WebSocketOptions & SessionOptions;

/** Browser session options with defaults applied (no ping settings). */
export interface ResolvedBrowserSessionOptions {
  readonly poll: number;
  readonly closeTimeout: number;
  readonly connectTimeout: number;
  readonly scheduler: SchedulerLike;
}

/** The options a browser has no way to honour. */
const UNAVAILABLE = ['headers', 'userAgent', 'proxies', 'agent', 'tls', 'transport'] as const;

function unavailable(option: string, hint: string): TypeError {
  return new TypeError(`option ${option} is not available in browsers: ${hint}`);
}


/**
 * Validates browser {@link WebSocketOptions}; returns a shallow copy.
 *
 * @throws TypeError naming the option for `headers`, `userAgent`, `proxies`, `agent`, `tls` or `transport`,
 *   and for wrong types; RangeError for out-of-range sizes
 */
export function validateBrowserWebSocketOptions(options: WebSocketOptions | undefined): WebSocketOptions {
  checkObject(options, 'options');
  const o = (options ?? {}) as Record<string, unknown>;
  for (const option of UNAVAILABLE) {
    if (o[option] !== undefined) throw unavailable(option, 'the browser controls it');
  }
  return validateWebSocketOptions(o as NodeWebSocketOptions) as WebSocketOptions;
}

/**
 * Validates browser {@link SessionOptions} and applies the defaults.
 *
 * @throws TypeError naming the option for a non-zero `pingRate`, any `pingTimeout`, or `autoPong: false`;
 *   TypeError / RangeError for wrong types or ranges
 */
export function resolveBrowserSessionOptions(options: SessionOptions | undefined): ResolvedBrowserSessionOptions {
  checkObject(options, 'options');
  const o = (options ?? {}) as Record<string, unknown>;
  if (o['pingRate'] !== undefined && o['pingRate'] !== 0) throw unavailable('pingRate', `protocol pings cannot be sent, got ${String(o['pingRate'])}`);
  if (o['pingTimeout'] !== undefined) throw unavailable('pingTimeout', `protocol pings cannot be sent, got ${String(o['pingTimeout'])}`);
  if (o['autoPong'] !== undefined && o['autoPong'] !== true) throw unavailable('autoPong', `the browser always answers pings, got ${String(o['autoPong'])}`);
  const { poll, closeTimeout, connectTimeout, scheduler } = resolveSessionOptions({ ...(o as SessionOptions), pingRate: 0 });
  return { poll, closeTimeout, connectTimeout, scheduler };
}

/** Splits browser {@link ConnectOptions} into its two halves, validated. */
export function resolveBrowserConnectOptions(options: ConnectOptions | undefined): [WebSocketOptions, ResolvedBrowserSessionOptions] {
  checkObject(options, 'options');
  const [wsOptions, sessionOptions] = splitConnectOptions(options as NodeWebSocketOptions);
  return [validateBrowserWebSocketOptions(wsOptions as WebSocketOptions), resolveBrowserSessionOptions(sessionOptions as SessionOptions)];
}
