/**
 * Option types of SPEC "Creating connections" for the Node build, and their
 * validation: wrong types throw `TypeError`, out-of-range numbers
 * `RangeError`, at the call that received them. What both builds share
 * (sizes, protocols, send queue, heartbeat, `SessionOptions`) lives in
 * shared-options.ts; this file adds the options only Node has
 * (compress-options.ts the `compress` tuning object).
 */
import type { Agent } from 'node:http';
import type { LookupFunction } from 'node:net';
import type { ConnectionOptions } from 'node:tls';
import { checkBoolean, checkNumber, checkObject } from '../core/checks.js';
import { checkRequestOptions } from '../core/handshake.js';
import type { CreateConnection, Transport } from '../transports/transport.js';
import { checkCompress, type CompressOptions } from './compress-options.js';
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
export type { CompressOptions } from './compress-options.js';

/** Options that shape the WebSocket itself (SPEC `WebSocketOptions`). */
export interface WebSocketOptions extends Omit<CommonWebSocketOptions, 'compress'> {
  /** Extra request headers (CR/LF rejected); an array sends one header line per value (Cookie: one line, "; "). */
  headers?: Record<string, string | string[]>;
  /** User-Agent header; default `lomond/<version>`. */
  userAgent?: string;
  /** Origin header (e.g. `https://app.example.org`), as browsers send it; a custom `Origin` header wins. */
  origin?: string;
  /**
   * Offer permessage-deflate (default false): `true`, or an object that tunes it (the offer's window bits and
   * context takeover, and our deflater's threshold, level and memLevel).
   */
  compress?: boolean | CompressOptions;
  /**
   * Follow 301/302/303/307/308 answers to the upgrade (default false: they are `rejected`), within the same
   * subscription and `connectTimeout`; `wss:` → `ws:` is refused, and credentials (the URL's, `Authorization`,
   * `Cookie`) are not sent to another origin.
   */
  followRedirects?: boolean;
  /** Most redirects followed before the attempt is `rejected` (default 10). */
  maxRedirects?: number;
  /** Proxy URLs; undefined → autodetect from the environment; `{}` → no proxy. */
  proxies?: {
    /** The proxy for `ws:` URLs (`http://[user:pass@]host:port`). */
    http?: string;
    /** The proxy for `wss:` URLs. */
    https?: string;
  };
  /** An explicit http.Agent (e.g. HttpsProxyAgent); wins over `proxies` and `createConnection`. */
  agent?: Agent;
  /** TLS options for wss: (ca, rejectUnauthorized, servername…); verification is on by default. */
  tls?: ConnectionOptions;
  /** DNS lookup for the server's (or the proxy's) host, as node:net's `lookup`. */
  lookup?: LookupFunction;
  /** IP address family to connect with: 4, 6, or 0 for both (node:net's `family`). */
  family?: number;
  /** Local address to connect from (node:net's `localAddress`). */
  localAddress?: string;
  /** Makes the socket instead of node:net / node:tls (as in ws and Node's http); no proxy is used then. */
  createConnection?: CreateConnection;
  /** How bytes reach the server (default: node:net / node:tls); `lomond/testing` provides a virtual one. */
  transport?: Transport;
  /**
   * RFC 8441: open the WebSocket on a stream of an HTTP/2 session shared by every connection to the same origin
   * (ALPN h2 for `wss:`, h2c with prior knowledge for `ws:`), falling back to HTTP/1.1 when the server does not
   * allow it (default false). Ignored with `agent` and `createConnection`, which make HTTP/1.1 connections.
   */
  http2?: boolean;
}

/** Everything `connect$` accepts. */
export type ConnectOptions = WebSocketOptions & SessionOptions;

/** SPEC default of `maxRedirects`. */
export const DEFAULT_MAX_REDIRECTS = 10;

/** The largest `maxRedirects` accepted: far beyond what any server needs, so a typo cannot mean "forever". */
const MAX_REDIRECTS = 100;

function checkFunction(value: unknown, name: string): void {
  if (value !== undefined && typeof value !== 'function') throw new TypeError(`${name} must be a function, got ${value === null ? 'null' : typeof value}`);
}

function checkString(value: unknown, name: string): void {
  if (value !== undefined && typeof value !== 'string') throw new TypeError(`${name} must be a string, got ${value === null ? 'null' : typeof value}`);
}

/** The socket options passed to node:net: `lookup`, `family`, `localAddress`, `createConnection`. */
function checkSocketOptions(o: WebSocketOptions): void {
  checkFunction(o.lookup, 'lookup');
  if (o.family !== undefined) {
    checkNumber(o.family, 'family');
    if (o.family !== 0 && o.family !== 4 && o.family !== 6) throw new RangeError(`family must be 0, 4 or 6, got ${o.family}`);
  }
  checkString(o.localAddress, 'localAddress');
  checkFunction(o.createConnection, 'createConnection');
}

/**
 * Validates {@link WebSocketOptions}; returns a shallow copy (the caller's object is never mutated).
 * The upgrade request's parts (protocols, headers, user agent, origin) are checked here, at the call, by the
 * same rules the request is built with, so that a bad value throws before anything is emitted.
 *
 * @param maxSize - the largest `maxPayload` / `maxMessageSize` the platform can buffer
 * @throws TypeError for wrong types and invalid headers or protocols; RangeError for out-of-range sizes,
 *   `maxRedirects`, `family` and `compress` fields
 */
export function validateWebSocketOptions(options: WebSocketOptions | undefined, maxSize: number = PORTABLE_MAX_SIZE): WebSocketOptions {
  checkObject(options, 'options');
  const o = { ...(options ?? {}) };
  validateCommonOptions(o, maxSize);
  checkCompress(o.compress);
  checkObject(o.headers, 'headers');
  checkString(o.userAgent, 'userAgent');
  checkString(o.origin, 'origin');
  checkRequestOptions({ headers: o.headers, userAgent: o.userAgent, origin: o.origin });
  checkBoolean(o.followRedirects, 'followRedirects');
  if (o.maxRedirects !== undefined) {
    checkNumber(o.maxRedirects, 'maxRedirects', 0, MAX_REDIRECTS);
    if (!Number.isInteger(o.maxRedirects)) throw new RangeError(`maxRedirects must be an integer, got ${o.maxRedirects}`);
  }
  checkObject(o.proxies, 'proxies');
  checkObject(o.agent, 'agent');
  checkObject(o.tls, 'tls');
  checkSocketOptions(o);
  if (o.http2 !== undefined && typeof o.http2 !== 'boolean') throw new TypeError(`http2 must be a boolean, got ${typeof o.http2}`);
  if (o.transport !== undefined && (o.transport === null || typeof o.transport.open !== 'function')) {
    throw new TypeError('transport must implement open(target)');
  }
  return o;
}
