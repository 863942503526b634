/**
 * Option types of SPEC "Creating connections", their defaults, and their
 * validation: wrong types throw `TypeError`, out-of-range numbers `RangeError`,
 * at the call that received them.
 */
import type { SchedulerLike } from 'rxjs';
import { asyncScheduler } from 'rxjs';
import type { Agent } from 'node:http';
import type { ConnectionOptions } from 'node:tls';
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

/** Session options with defaults applied. */
export interface ResolvedSessionOptions {
  readonly poll: number;
  readonly pingRate: number;
  readonly pingTimeout: number | undefined;
  readonly autoPong: boolean;
  readonly closeTimeout: number;
  readonly connectTimeout: number;
  readonly scheduler: SchedulerLike;
}

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

function checkObject(value: unknown, name: string): void {
  if (value !== undefined && (value === null || typeof value !== 'object')) {
    throw new TypeError(`${name} must be an object`);
  }
}

/** Throws unless `value` is undefined or a finite number ≥ `min`. */
export function checkNumber(value: unknown, name: string, min = 0): void {
  if (value === undefined) return;
  if (typeof value !== 'number' || Number.isNaN(value)) throw new TypeError(`${name} must be a number, got ${typeof value}`);
  if (!Number.isFinite(value) || value < min) throw new RangeError(`${name} must be a finite number >= ${min}, got ${value}`);
}

function checkBoolean(value: unknown, name: string): void {
  if (value !== undefined && typeof value !== 'boolean') throw new TypeError(`${name} must be a boolean`);
}

/** Validates {@link WebSocketOptions}; returns a shallow copy (the caller's object is never mutated). */
export function validateWebSocketOptions(options: WebSocketOptions | undefined): WebSocketOptions {
  checkObject(options, 'options');
  const o = { ...(options ?? {}) };
  if (o.protocols !== undefined && (!Array.isArray(o.protocols) || o.protocols.some((p) => typeof p !== 'string'))) {
    throw new TypeError('protocols must be an array of strings');
  }
  checkObject(o.headers, 'headers');
  if (o.headers) {
    for (const [name, value] of Object.entries(o.headers)) {
      if (typeof value !== 'string') throw new TypeError(`header ${name} must be a string`);
    }
  }
  if (o.userAgent !== undefined && typeof o.userAgent !== 'string') throw new TypeError('userAgent must be a string');
  checkBoolean(o.compress, 'compress');
  checkObject(o.proxies, 'proxies');
  checkObject(o.agent, 'agent');
  checkObject(o.tls, 'tls');
  checkNumber(o.maxPayload, 'maxPayload', 1);
  checkNumber(o.maxMessageSize, 'maxMessageSize', 1);
  if (o.transport !== undefined && (o.transport === null || typeof o.transport.open !== 'function')) {
    throw new TypeError('transport must implement open(target)');
  }
  return o;
}

/** Validates {@link SessionOptions} and applies the defaults. */
export function resolveSessionOptions(options: SessionOptions | undefined): ResolvedSessionOptions {
  checkObject(options, 'options');
  const o = options ?? {};
  checkNumber(o.poll, 'poll', 1);
  checkNumber(o.pingRate, 'pingRate');
  checkNumber(o.pingTimeout, 'pingTimeout', 1);
  checkBoolean(o.autoPong, 'autoPong');
  checkNumber(o.closeTimeout, 'closeTimeout');
  checkNumber(o.connectTimeout, 'connectTimeout', 1);
  if (o.scheduler !== undefined && (o.scheduler === null || typeof o.scheduler.schedule !== 'function')) {
    throw new TypeError('scheduler must be an RxJS SchedulerLike');
  }
  return {
    poll: o.poll ?? DEFAULTS.poll,
    pingRate: o.pingRate ?? DEFAULTS.pingRate,
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
