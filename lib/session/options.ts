/**
 * Option types of SPEC "Creating connections" for the Node build, and their
 * validation: wrong types throw `TypeError`, out-of-range numbers
 * `RangeError`, at the call that received them. What both builds share
 * (sizes, protocols, send queue, heartbeat, `SessionOptions`) lives in
 * shared-options.ts; this file adds the options only Node has.
 */
import type { Agent } from 'node:http';
import type { ConnectionOptions } from 'node:tls';
import { checkObject } from '../core/checks.js';
import { checkRequestOptions } from '../core/handshake.js';
import type { Transport } from '../transports/transport.js';
import { PORTABLE_MAX_SIZE, validateCommonOptions, type CommonWebSocketOptions, type SessionOptions } from './shared-options.js';

export {
  DEFAULTS,
  PORTABLE_MAX_SIZE,
  resolveSessionOptions,
  splitConnectOptions,
  type HeartbeatOptions,
  type ResolvedSessionOptions,
  type SessionOptions,
} from './shared-options.js';

/** Options that shape the WebSocket itself (SPEC `WebSocketOptions`). */
export interface WebSocketOptions extends CommonWebSocketOptions {
  /** Extra request headers (CR/LF rejected). */
  headers?: Record<string, string>;
  /** User-Agent header; default `lomond/<version>`. */
  userAgent?: string;
  /** Proxy URLs; undefined → autodetect from the environment; `{}` → no proxy. */
  proxies?: { http?: string; https?: string };
  /** An explicit http.Agent (e.g. HttpsProxyAgent); wins over `proxies`. */
  agent?: Agent;
  /** TLS options for wss: (ca, rejectUnauthorized, servername…); verification is on by default. */
  tls?: ConnectionOptions;
  /** How bytes reach the server (default: node:net / node:tls); `lomond/testing` provides a virtual one. */
  transport?: Transport;
}

/** Everything `connect$` accepts. */
export type ConnectOptions = WebSocketOptions & SessionOptions;

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
  validateCommonOptions(o, maxSize);
  checkObject(o.headers, 'headers');
  if (o.userAgent !== undefined && typeof o.userAgent !== 'string') throw new TypeError(`userAgent must be a string, got ${typeof o.userAgent}`);
  checkRequestOptions({ headers: o.headers, userAgent: o.userAgent });
  checkObject(o.proxies, 'proxies');
  checkObject(o.agent, 'agent');
  checkObject(o.tls, 'tls');
  if (o.transport !== undefined && (o.transport === null || typeof o.transport.open !== 'function')) {
    throw new TypeError('transport must implement open(target)');
  }
  return o;
}
