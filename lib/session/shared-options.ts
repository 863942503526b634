/**
 * The options both builds share, their defaults and their validation: the
 * part of SPEC's `WebSocketOptions` a browser can honour too (protocols,
 * sizes, the offline send queue, the heartbeat) and all of `SessionOptions`.
 * Nothing here names a Node type, so the browser build's types and code
 * need no `@types/node` and no Node module (options.ts adds the Node-only
 * options; browser-options.ts rejects them).
 */
import type { SchedulerLike } from 'rxjs';
import { asyncScheduler } from 'rxjs';
import { checkBoolean, checkDuration, checkNumber, checkObject } from '../core/checks.js';
import { checkProtocols } from '../core/handshake.js';
import type { HeartbeatOptions } from '../connection/heartbeat.js';
import type { ConnectionSettings } from '../connection/settings.js';
import type { SendQueueOptions } from './send-queue.js';

export type { HeartbeatOptions } from '../connection/heartbeat.js';

/** The WebSocketOptions of both builds. */
export interface CommonWebSocketOptions {
  /** Subprotocols to offer (Sec-WebSocket-Protocol). */
  protocols?: string[];
  /** Offer permessage-deflate (default false; browsers decide themselves and ignore it). */
  compress?: boolean;
  /** Largest frame payload accepted, bytes (default 100 MiB; browsers do not expose frames and ignore it). */
  maxPayload?: number;
  /** Largest reassembled and inflated message, bytes (default 100 MiB). */
  maxMessageSize?: number;
  /**
   * An offline queue for the WebSocket object's sends while no connection is open (flushed at the next
   * `ready`); without it such sends throw `WebSocketUnavailableError`. Checked by the WebSocket constructor;
   * ignored (and so not checked) by `connect$`, which has no send methods.
   */
  sendQueue?: SendQueueOptions;
  /**
   * Application-level keepalive: `message` every `interval` ms from `ready` on; no reply (an event `isReply`
   * accepts, or without it any message) within `timeout` ms → `unresponsive`, then `disconnected`, so that
   * `persist` reconnects. The one dead-connection check browsers have (they cannot send protocol pings).
   */
  heartbeat?: HeartbeatOptions;
}

/** Options of one connection attempt (SPEC `SessionOptions`, Lomond's `connect()` parameters). */
export interface SessionOptions {
  /** Emit `poll` at `ready` and then every `poll` ms (default 5000). */
  poll?: number;
  /** Ping at `ready` and then every `pingRate` ms; 0 disables (default 30000). */
  pingRate?: number;
  /** Disconnect as `unresponsive` when no pong arrived for `pingTimeout` ms; undefined disables. */
  pingTimeout?: number;
  /** Answer pings automatically (default true). */
  autoPong?: boolean;
  /** Longest wait for the close handshake before the socket is destroyed; 0 disables (default 30000). */
  closeTimeout?: number;
  /** TCP + TLS + proxy + HTTP upgrade must complete within it (default 30000). */
  connectTimeout?: number;
  /** Scheduler for every timer and `receivedTime` (default: RxJS's asyncScheduler). */
  scheduler?: SchedulerLike;
}

/** Session options with defaults applied: what a connection runs with. */
export type ResolvedSessionOptions = ConnectionSettings;

const MiB = 1024 * 1024;

/** Defaults of SPEC. */
export const DEFAULTS = {
  poll: 5000,
  pingRate: 30000,
  closeTimeout: 30000,
  connectTimeout: 30000,
  maxPayload: 100 * MiB,
  maxMessageSize: 100 * MiB,
} as const;

/**
 * The largest `maxPayload` / `maxMessageSize` accepted where the platform does not say (4 GiB, what an
 * ArrayBuffer holds in current engines); the Node entry passes `buffer.constants.MAX_LENGTH`.
 */
export const PORTABLE_MAX_SIZE = 2 ** 32;

/**
 * Validates the `heartbeat` option; returns a copy (so a later change to the caller's object has no effect).
 *
 * @throws TypeError / RangeError naming the field and the value
 */
export function resolveHeartbeat(heartbeat: HeartbeatOptions | undefined): HeartbeatOptions | undefined {
  if (heartbeat === undefined) return undefined;
  checkObject(heartbeat, 'heartbeat');
  if (heartbeat === null) throw new TypeError('heartbeat must be an object, got null');
  const { interval, timeout, message, isReply } = heartbeat;
  if (interval === undefined) throw new TypeError('heartbeat.interval must be a number, got undefined');
  if (timeout === undefined) throw new TypeError('heartbeat.timeout must be a number, got undefined');
  checkDuration(interval, 'heartbeat.interval', 1);
  checkDuration(timeout, 'heartbeat.timeout', 1);
  if (typeof message !== 'string' && typeof message !== 'function') {
    throw new TypeError(`heartbeat.message must be a string or a function, got ${message === null ? 'null' : typeof message}`);
  }
  if (isReply !== undefined && typeof isReply !== 'function') throw new TypeError(`heartbeat.isReply must be a function, got ${typeof isReply}`);
  return isReply === undefined ? { interval, timeout, message } : { interval, timeout, message, isReply };
}

/**
 * Validates {@link CommonWebSocketOptions} in place on `o` (a copy of the caller's object): the
 * `heartbeat` is replaced by its validated copy. `sendQueue` is left to the WebSocket classes (WebSocketBase),
 * `compress` to each build (a boolean in browsers; Node also takes its tuning object).
 *
 * @param maxSize - the largest `maxPayload` / `maxMessageSize` the platform can buffer
 * @throws TypeError for wrong types and invalid protocols; RangeError for out-of-range values
 */
export function validateCommonOptions(o: Omit<CommonWebSocketOptions, 'compress'>, maxSize: number): void {
  if (o.protocols !== undefined && (!Array.isArray(o.protocols) || o.protocols.some((p) => typeof p !== 'string'))) {
    throw new TypeError('protocols must be an array of strings');
  }
  checkProtocols(o.protocols ?? []);
  checkNumber(o.maxPayload, 'maxPayload', 1, maxSize);
  checkNumber(o.maxMessageSize, 'maxMessageSize', 1, maxSize);
  if (o.heartbeat !== undefined) o.heartbeat = resolveHeartbeat(o.heartbeat);
}

/** Validates {@link SessionOptions} and applies the defaults. */
export function resolveSessionOptions(options: SessionOptions | undefined): ResolvedSessionOptions {
  checkObject(options, 'options');
  const o = options ?? {};
  checkDuration(o.poll, 'poll', 1);
  checkDuration(o.pingRate, 'pingRate');
  checkDuration(o.pingTimeout, 'pingTimeout', 1);
  checkBoolean(o.autoPong, 'autoPong');
  checkDuration(o.closeTimeout, 'closeTimeout');
  checkDuration(o.connectTimeout, 'connectTimeout', 1);
  const pingRate = o.pingRate ?? DEFAULTS.pingRate;
  if (o.pingTimeout !== undefined) {
    // SPEC: pingTimeout is measured from the last frame received and must outlast the ping interval, or a
    // healthy server is declared dead between two pings.
    if (pingRate === 0) throw new RangeError(`pingTimeout ${o.pingTimeout} needs pings: pingRate is 0`);
    if (o.pingTimeout <= pingRate) throw new RangeError(`pingTimeout ${o.pingTimeout} must be greater than pingRate ${pingRate}`);
  }
  if (o.scheduler !== undefined && (o.scheduler === null || typeof o.scheduler.schedule !== 'function')) {
    throw new TypeError('scheduler must be an RxJS SchedulerLike');
  }
  const resolved: ResolvedSessionOptions = {
    poll: o.poll ?? DEFAULTS.poll,
    pingRate,
    pingTimeout: o.pingTimeout,
    autoPong: o.autoPong ?? true,
    closeTimeout: o.closeTimeout ?? DEFAULTS.closeTimeout,
    connectTimeout: o.connectTimeout ?? DEFAULTS.connectTimeout,
    scheduler: o.scheduler ?? asyncScheduler,
  };
  // Every connection keeps its settings: those that are the defaults share one object (most connections).
  const defaults = (resolvedDefaults ??= {
    poll: DEFAULTS.poll,
    pingRate: DEFAULTS.pingRate,
    pingTimeout: undefined,
    autoPong: true,
    closeTimeout: DEFAULTS.closeTimeout,
    connectTimeout: DEFAULTS.connectTimeout,
    scheduler: asyncScheduler,
  });
  return sameSettings(resolved, defaults) ? defaults : resolved;
}

/** The resolved defaults, shared by every connection that uses them. */
let resolvedDefaults: ResolvedSessionOptions | null = null;

function sameSettings(a: ResolvedSessionOptions, b: ResolvedSessionOptions): boolean {
  return (
    a.poll === b.poll &&
    a.pingRate === b.pingRate &&
    a.pingTimeout === b.pingTimeout &&
    a.autoPong === b.autoPong &&
    a.closeTimeout === b.closeTimeout &&
    a.connectTimeout === b.connectTimeout &&
    a.scheduler === b.scheduler
  );
}

/** Splits connect$'s options into the WebSocketOptions (the rest) and the {@link SessionOptions}. */
export function splitConnectOptions<W extends object>(options: (W & SessionOptions) | undefined): [W, SessionOptions] {
  checkObject(options, 'options');
  const { poll, pingRate, pingTimeout, autoPong, closeTimeout, connectTimeout, scheduler, ...rest } = options ?? ({} as W & SessionOptions);
  return [rest as W, { poll, pingRate, pingTimeout, autoPong, closeTimeout, connectTimeout, scheduler }];
}
