/**
 * originKey: which connections may share one HTTP/2 session. Two WebSockets
 * share a session only when they would have opened the same connection:
 * same scheme, host and port, same proxy, Unix socket and socket options
 * (lookup, family, localAddress), and TLS options that are equal
 * (values compared by content, functions and other objects by identity).
 */
import { createHash } from 'node:crypto';
import { authority } from '../core/url.js';
import type { TransportTarget } from './transport.js';

/** Identities of objects that cannot be compared by content (functions, SecureContext, sockets…). */
const identities = new WeakMap<object, number>();
let nextIdentity = 0;

function identity(value: object): string {
  let id = identities.get(value);
  if (id === undefined) {
    id = ++nextIdentity;
    identities.set(value, id);
  }
  return `#${id}`;
}

/** A string that is equal for equal option values: CA bundles and keys are hashed, not copied into the key. */
function encode(value: unknown): string {
  switch (typeof value) {
    case 'string':
      // PEM strings (ca, cert, key) are hashed too: no key material sits in the pool's keys.
      return value.length > 32 ? `s:${createHash('sha256').update(value).digest('base64')}` : JSON.stringify(value);
    case 'number':
    case 'boolean':
    case 'bigint':
    case 'undefined':
      return String(value);
    case 'object': {
      if (value === null) return 'null';
      if (ArrayBuffer.isView(value)) {
        const bytes = new Uint8Array(value.buffer, value.byteOffset, value.byteLength);
        return `b:${createHash('sha256').update(bytes).digest('base64')}`;
      }
      if (Array.isArray(value)) return `[${value.map(encode).join(',')}]`;
      const proto: unknown = Object.getPrototypeOf(value);
      if (proto === Object.prototype || proto === null) return `{${encodeEntries(value as Record<string, unknown>)}}`;
      return identity(value);
    }
    default:
      // Functions (checkServerIdentity, lookup…) and symbols: by identity.
      return typeof value === 'function' ? identity(value) : String(value);
  }
}

function encodeEntries(record: Record<string, unknown>): string {
  const keys = Object.keys(record)
    .filter((key) => record[key] !== undefined)
    .sort();
  return keys.map((key) => `${JSON.stringify(key)}:${encode(record[key])}`).join(',');
}

/**
 * The key of the HTTP/2 sessions `target` may use: `https://host:port` (or `http://` for h2c), the proxy it
 * tunnels through, and for `wss:` its TLS options.
 *
 * @example
 * ```ts
 * originKey(target, null); // 'https://example.com:443 direct {"ca":b:…,"rejectUnauthorized":true}'
 * ```
 * @param proxy - the proxy URL the connection goes through, or null
 */
export function originKey(target: TransportTarget, proxy: string | null): string {
  const origin = `${target.secure ? 'https' : 'http'}://${authority(target.host, target.port)}`;
  const via = proxy === null ? 'direct' : `via ${proxy}`;
  const socket = encodeEntries({ path: target.socketPath, lookup: target.lookup, family: target.family, localAddress: target.localAddress });
  if (!target.secure) return `${origin} ${via} {${socket}}`;
  return `${origin} ${via} {${socket}} {${encodeEntries((target.tls ?? {}) as Record<string, unknown>)}}`;
}
