/**
 * Options of the browser build: the SPEC option types without what a browser
 * cannot do, and their validation. The native `WebSocket` gives scripts no
 * control over request headers, proxies, TLS, the socket itself or protocol
 * pings, so those options are rejected with a `TypeError` at the call that
 * received them, instead of being silently ignored. Everything else is
 * validated by the shared rules of `session/shared-options`.
 */
import type { SchedulerLike } from 'rxjs';
import { checkBoolean, checkObject } from '../core/checks.js';
import {
  PORTABLE_MAX_SIZE,
  resolveSessionOptions,
  splitConnectOptions,
  validateCommonOptions,
  type CommonWebSocketOptions,
} from './shared-options.js';

/**
 * Options that shape the WebSocket in a browser. The Node-only options are
 * typed `never` so that passing one fails to compile, and at run time it
 * throws a `TypeError`.
 */
export interface WebSocketOptions extends CommonWebSocketOptions {
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
  /** Not available in browsers: the browser sends its page's origin. */
  origin?: never;
  /** Not available in browsers: a browser's WebSocket fails on a redirect. */
  followRedirects?: never;
  /** Not available in browsers: a browser's WebSocket fails on a redirect. */
  maxRedirects?: never;
  /** Not available in browsers: the browser resolves names itself. */
  lookup?: never;
  /** Not available in browsers: the browser picks the address family. */
  family?: never;
  /** Not available in browsers: the browser picks the local address. */
  localAddress?: never;
  /** Not available in browsers: the browser makes the socket. */
  createConnection?: never;
  /** Not available in browsers: the browser chooses the HTTP version itself. */
  http2?: never;
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
const UNAVAILABLE = [
  'headers',
  'userAgent',
  'proxies',
  'agent',
  'tls',
  'transport',
  'origin',
  'followRedirects',
  'maxRedirects',
  'lookup',
  'family',
  'localAddress',
  'createConnection',
  'http2',
] as const;

function unavailable(option: string, hint: string): TypeError {
  return new TypeError(`option ${option} is not available in browsers: ${hint}`);
}


/**
 * Validates browser {@link WebSocketOptions}; returns a shallow copy.
 *
 * @throws TypeError naming the option for `headers`, `userAgent`, `proxies`, `agent`, `tls`, `transport`,
 *   `origin`, `followRedirects`, `maxRedirects`, `lookup`, `family`, `localAddress`, `createConnection` or `http2`, and for
 *   wrong types (`compress` is a boolean here); RangeError for out-of-range sizes
 */
export function validateBrowserWebSocketOptions(options: WebSocketOptions | undefined): WebSocketOptions {
  checkObject(options, 'options');
  const o = { ...(options ?? {}) };
  for (const option of UNAVAILABLE) {
    if ((o as Record<string, unknown>)[option] !== undefined) throw unavailable(option, 'the browser controls it');
  }
  validateCommonOptions(o, PORTABLE_MAX_SIZE);
  checkBoolean(o.compress, 'compress');
  return o;
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
  const { poll, closeTimeout, connectTimeout, scheduler } = resolveSessionOptions({ ...(o as { poll?: number }), pingRate: 0 });
  return { poll, closeTimeout, connectTimeout, scheduler };
}

/** Splits browser {@link ConnectOptions} into its two halves, validated. */
export function resolveBrowserConnectOptions(options: ConnectOptions | undefined): [WebSocketOptions, ResolvedBrowserSessionOptions] {
  const [wsOptions, sessionOptions] = splitConnectOptions<WebSocketOptions>(options as never);
  return [validateBrowserWebSocketOptions(wsOptions), resolveBrowserSessionOptions(sessionOptions as SessionOptions)];
}
