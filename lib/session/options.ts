/**
 * Option types of SPEC "Creating connections", their defaults, and their
 * validation: wrong types throw `TypeError`, out-of-range numbers `RangeError`,
 * at the call that received them.
 */
import type { SchedulerLike } from 'rxjs';
import { asyncScheduler } from 'rxjs';
import type { Agent } from 'node:http';
import type { ConnectionOptions } from 'node:tls';
import { checkBoolean, checkDuration, checkNumber, checkObject } from '../core/checks.js';
import { checkRequestOptions } from '../core/handshake.js';
import type { ConnectionSettings } from '../connection/settings.js';
import { resolveSendQueueOptions, type SendQueueOptions } from './send-queue.js';
import type { Transport } from '../transports/transport.js';

/** Options that shape the WebSocket itself (SPEC `WebSocketOptions`). */
export interface WebSocketOptions {
  /** Subprotocols to offer (Sec-WebSocket-Protocol). */
  protocols?: string[];
  /** Extra request headers (CR/LF rejected). */
  headers?: Record<string, string>;
  /** User-Agent header; default `lomond/<version>`. */
  userAgent?: string;
  /** Offer permessage-deflate (default false). */
  compress?: boolean;
  /** Proxy URLs; undefined → autodetect from the environment; `{}` → no proxy. */
  proxies?: { http?: string; https?: string };
  /** An explicit http.Agent (e.g. HttpsProxyAgent); wins over `proxies`. */
  agent?: Agent;
  /** TLS options for wss: (ca, rejectUnauthorized, servername…); verification is on by default. */
  tls?: ConnectionOptions;
  /** Largest frame payload accepted, bytes (default 100 MiB). */
  maxPayload?: number;
  /** Largest reassembled and inflated message, bytes (default 100 MiB). */
  maxMessageSize?: number;
  /** How bytes reach the server (default: node:net / node:tls); `lomond/testing` provides a virtual one. */
  transport?: Transport;
  /**
   * An offline queue for the WebSocket object's sends while no connection is open (flushed at the next
   * `ready`); without it such sends throw `WebSocketUnavailableError`. Ignored by `connect$`.
   */
  sendQueue?: SendQueueOptions;
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

/** Everything `connect$` accepts. */
export type ConnectOptions = WebSocketOptions & SessionOptions;

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
 * Validates {@link WebSocketOptions}; returns a shallow copy (the caller's object is never mutated).
 * The upgrade request's parts (protocols, headers, user agent) are checked here, at the call, by the same
 * rules the request is built with, so that a bad value throws before anything is emitted.
 *
 * @param maxSize - the largest `maxPayload` / `maxMessageSize` the platform can buffer
 * @throws TypeError for wrong types and invalid headers or protocols; RangeError for out-of-range sizes
 */
export function validateWebSocketOptions(options: WebSocketOptions | undefined, maxSize: number = PORTABLE_MAX_SIZE): WebSocketOptions {
  checkObject(options, 'options');
  const o = { ...(options ?? {}) };
  if (o.protocols !== undefined && (!Array.isArray(o.protocols) || o.protocols.some((p) => typeof p !== 'string'))) {
    throw new TypeError('protocols must be an array of strings');
  }
  checkObject(o.headers, 'headers');
  if (o.userAgent !== undefined && typeof o.userAgent !== 'string') throw new TypeError(`userAgent must be a string, got ${typeof o.userAgent}`);
  checkRequestOptions({ protocols: o.protocols, headers: o.headers, userAgent: o.userAgent });
  checkBoolean(o.compress, 'compress');
  checkObject(o.proxies, 'proxies');
  checkObject(o.agent, 'agent');
  checkObject(o.tls, 'tls');
  checkNumber(o.maxPayload, 'maxPayload', 1, maxSize);
  checkNumber(o.maxMessageSize, 'maxMessageSize', 1, maxSize);
  resolveSendQueueOptions(o.sendQueue);
  if (o.transport !== undefined && (o.transport === null || typeof o.transport.open !== 'function')) {
    throw new TypeError('transport must implement open(target)');
  }
  return o;
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
  return {
    poll: o.poll ?? DEFAULTS.poll,
    pingRate,
    pingTimeout: o.pingTimeout,
    autoPong: o.autoPong ?? true,
    closeTimeout: o.closeTimeout ?? DEFAULTS.closeTimeout,
    connectTimeout: o.connectTimeout ?? DEFAULTS.connectTimeout,
    scheduler: o.scheduler ?? asyncScheduler,
  };
}

/** Splits {@link ConnectOptions} into its two halves. */
export function splitConnectOptions(options: ConnectOptions | undefined): [WebSocketOptions, SessionOptions] {
  checkObject(options, 'options');
  const { poll, pingRate, pingTimeout, autoPong, closeTimeout, connectTimeout, scheduler, ...rest } = options ?? {};
  return [rest, { poll, pingRate, pingTimeout, autoPong, closeTimeout, connectTimeout, scheduler }];
}
