/**
 * The `compress` option of the Node build (SPEC): `true` offers
 * permessage-deflate with its defaults, an object tunes it: what the offer
 * asks of the server and promises for us (RFC 7692 §7.1), and how our own
 * deflater runs (threshold, level, memLevel). Validated at the call, split
 * here into the offer (core/deflate-params) and the zlib tuning
 * (compression/).
 *
 * @see https://www.rfc-editor.org/rfc/rfc7692#section-7.1
 */
import { checkBoolean } from '../core/checks.js';
import type { DeflateOptions } from '../core/deflate-params.js';
import type { DeflateTuning } from '../compression/permessage-deflate.js';

export type { DeflateTuning } from '../compression/permessage-deflate.js';

/**
 * permessage-deflate tuning, each field optional (SPEC `compress`).
 *
 * @inline
 */
export interface CompressOptions {
  /** Send messages of at least this many bytes compressed, smaller ones as they are (default 1024, as ws). */
  threshold?: number;
  /** zlib compression level of our deflater, 0 (none) – 9 (best) (default zlib's, 6). */
  level?: number;
  /** zlib memLevel of our deflater, 1–9: memory for speed (default zlib's, 8). */
  memLevel?: number;
  /**
   * `client_max_window_bits` (RFC 7692 §7.1.2.2): `true` (default) offers it without a value, so the server may
   * pick our window; 8–15 also promises we use at most 2^n bytes; `false` leaves it out of the offer.
   */
  clientMaxWindowBits?: number | boolean;
  /** `server_max_window_bits` (§7.1.2.1): ask the server to use at most a 2^n-byte window, 8–15 (default: not asked). */
  serverMaxWindowBits?: number;
  /** `client_no_context_takeover` (§7.1.1.2): we reset our context after each message (default false). */
  clientNoContextTakeover?: boolean;
  /** `server_no_context_takeover` (§7.1.1.1): ask the server to reset its context after each message (default false). */
  serverNoContextTakeover?: boolean;
}

/** A validated `compress` option: what to offer and how to compress. */
export interface CompressionSettings {
  readonly offer: DeflateOptions;
  readonly tuning: DeflateTuning;
}

const KEYS = new Set(['threshold', 'level', 'memLevel', 'clientMaxWindowBits', 'serverMaxWindowBits', 'clientNoContextTakeover', 'serverNoContextTakeover']);

function checkInteger(value: unknown, name: string, min: number, max: number): void {
  if (value === undefined) return;
  if (typeof value !== 'number') throw new TypeError(`${name} must be a number, got ${typeof value}`);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new RangeError(`${name} must be an integer >= ${min}${max === Infinity ? '' : ` and <= ${max}`}, got ${value}`);
  }
}

/**
 * Checks the `compress` option (a boolean or a {@link CompressOptions}).
 *
 * @throws TypeError for another type, an unknown field or a field of the wrong type; RangeError for values
 *   out of range (window bits 8–15, level 0–9, memLevel 1–9, threshold a non-negative integer)
 */
export function checkCompress(compress: unknown): void {
  if (compress === undefined || typeof compress === 'boolean') return;
  if (compress === null || typeof compress !== 'object' || Array.isArray(compress)) {
    throw new TypeError(`compress must be a boolean or an object, got ${compress === null ? 'null' : Array.isArray(compress) ? 'array' : typeof compress}`);
  }
  for (const key of Object.keys(compress)) if (!KEYS.has(key)) throw new TypeError(`unknown compress option ${JSON.stringify(key)}`);
  const o = compress as CompressOptions;
  checkInteger(o.threshold, 'compress.threshold', 0, Infinity);
  checkInteger(o.level, 'compress.level', 0, 9);
  checkInteger(o.memLevel, 'compress.memLevel', 1, 9);
  if (typeof o.clientMaxWindowBits !== 'boolean') checkInteger(o.clientMaxWindowBits, 'compress.clientMaxWindowBits', 8, 15);
  checkInteger(o.serverMaxWindowBits, 'compress.serverMaxWindowBits', 8, 15);
  checkBoolean(o.clientNoContextTakeover, 'compress.clientNoContextTakeover');
  checkBoolean(o.serverNoContextTakeover, 'compress.serverNoContextTakeover');
}

/**
 * The settings of a checked `compress` option, or null when compression is off.
 *
 * @example
 * ```ts
 * compressionSettings({ serverMaxWindowBits: 10, level: 1 });
 * // { offer: { serverMaxWindowBits: 10 }, tuning: { level: 1 } }
 * ```
 */
export function compressionSettings(compress: boolean | CompressOptions | undefined): CompressionSettings | null {
  if (compress === undefined || compress === false) return null;
  if (compress === true) return { offer: {}, tuning: {} };
  const { threshold, level, memLevel, clientMaxWindowBits, serverMaxWindowBits, clientNoContextTakeover, serverNoContextTakeover } = compress;
  const offer: { -readonly [K in keyof DeflateOptions]: DeflateOptions[K] } = {};
  if (clientMaxWindowBits !== undefined) offer.clientMaxWindowBits = clientMaxWindowBits;
  if (serverMaxWindowBits !== undefined) offer.serverMaxWindowBits = serverMaxWindowBits;
  if (clientNoContextTakeover !== undefined) offer.clientNoContextTakeover = clientNoContextTakeover;
  if (serverNoContextTakeover !== undefined) offer.serverNoContextTakeover = serverNoContextTakeover;
  const tuning: { -readonly [K in keyof DeflateTuning]: DeflateTuning[K] } = {};
  if (threshold !== undefined) tuning.threshold = threshold;
  if (level !== undefined) tuning.level = level;
  if (memLevel !== undefined) tuning.memLevel = memLevel;
  return { offer, tuning };
}
