/**
 * Which proxy a connection goes through (SPEC `proxies`): the explicit
 * `proxies` option, or else the `*_PROXY` environment variables with
 * `NO_PROXY` honoured the way curl does; and how a proxy URL is shown to
 * users without its credentials.
 */
import { isIP } from 'node:net';

/** The parts of a {@link TransportTarget} that choose a proxy. */
export interface ProxyTarget {
  /** The WebSocket URL. */
  readonly url: URL;
  /** True for `wss:` (then the https proxy applies, else the http one). */
  readonly secure: boolean;
  /** Host name or IP literal, without IPv6 brackets. */
  readonly host: string;
  /** TCP port. */
  readonly port: number;
}

/** SPEC `proxies`: a proxy URL per scheme (`https` serves `wss:`, `http` serves `ws:`). */
export interface Proxies {
  readonly http?: string;
  readonly https?: string;
}

/**
 * The proxy URL to use for a target, or null to connect directly.
 *
 * - `proxies` given: `proxies.https` for `wss:`, `proxies.http` for `ws:`, used as given (an explicit
 *   choice is not second-guessed by `NO_PROXY`); `{}` means no proxy.
 * - `proxies` undefined: `https_proxy`/`HTTPS_PROXY` for `wss:`, `http_proxy`/`HTTP_PROXY` for `ws:`, then
 *   `all_proxy`/`ALL_PROXY`; the lowercase name wins when both are set (as curl), empty values count as
 *   unset. `no_proxy`/`NO_PROXY` can exempt the host (see {@link isNoProxy}).
 *
 * @example
 * ```ts
 * resolveProxy(target, undefined, { https_proxy: 'http://proxy:3128', no_proxy: '.internal' });
 * // 'http://proxy:3128' for wss://example.com, null for wss://api.internal
 * ```
 * @param env - the environment (default `process.env`)
 * @returns the proxy URL as written, credentials included, or null
 */
export function resolveProxy(target: ProxyTarget, proxies: Proxies | undefined, env: NodeJS.ProcessEnv = process.env): string | null {
  if (proxies !== undefined) {
    const explicit = target.secure ? proxies.https : proxies.http;
    return explicit === undefined || explicit.trim() === '' ? null : explicit.trim();
  }
  const scheme = target.secure ? 'https_proxy' : 'http_proxy';
  const proxy = envValue(env, scheme) ?? envValue(env, 'all_proxy');
  if (proxy === undefined) return null;
  const noProxy = envValue(env, 'no_proxy');
  return noProxy !== undefined && isNoProxy(target.host, target.port, noProxy) ? null : proxy;
}

/** The lowercase variable if set and not blank, else the uppercase one. */
function envValue(env: NodeJS.ProcessEnv, lower: string): string | undefined {
  for (const name of [lower, lower.toUpperCase()]) {
    const value = env[name]?.trim();
    if (value !== undefined && value !== '') return value;
  }
  return undefined;
}

/**
 * True when `NO_PROXY` exempts `host:port`. Entries are separated by commas (or whitespace), trimmed and
 * compared case-insensitively; empty entries are ignored. `*` matches every host. A name matches the host
 * itself and its subdomains (`example.com` and `.example.com` both match `a.example.com`; `*.example.com`
 * too). IP literals are compared exactly (IPv6 in brackets or bare). An entry with `:port` matches that
 * port only.
 *
 * @param host - host name or IP literal, without brackets
 */
export function isNoProxy(host: string, port: number, noProxy: string): boolean {
  const name = normalizeHost(host);
  for (const raw of noProxy.split(/[\s,]+/)) {
    const entry = parseEntry(raw.toLowerCase());
    if (entry === null) continue;
    if (entry.port !== null && entry.port !== port) continue;
    if (entry.host === '*') return true;
    if (name === entry.host) return true;
    // Suffix matching is for names only: 1.2.3.4 must not match the entry 2.3.4.
    if (isIP(name) === 0 && isIP(entry.host) === 0 && name.endsWith(`.${entry.host}`)) return true;
  }
  return false;
}

/** A NO_PROXY entry: host (lowercase, no leading dot or brackets) and optional port. */
function parseEntry(raw: string): { host: string; port: number | null } | null {
  let host = raw;
  let port: number | null = null;
  const bracketed = /^\[([^\]]*)\](?::(\d+))?$/.exec(raw);
  if (bracketed !== null) {
    host = bracketed[1]!;
    port = bracketed[2] === undefined ? null : Number(bracketed[2]);
  } else {
    const withPort = /^([^:]*):(\d+)$/.exec(raw);
    if (withPort !== null) {
      host = withPort[1]!;
      port = Number(withPort[2]);
    }
  }
  host = normalizeHost(host.replace(/^\*?\.+/, ''));
  return host === '' ? null : { host, port };
}

/** Lowercase, no trailing dot; IPv6 literals in their canonical (compressed) form. */
function normalizeHost(host: string): string {
  const lower = host.toLowerCase().replace(/\.$/, '');
  if (isIP(lower) === 6) {
    try {
      return new URL(`http://[${lower}]/`).hostname.slice(1, -1);
    } catch {
      return lower;
    }
  }
  return lower;
}

/**
 * Parses a proxy URL; a URL without a scheme (`proxy:3128`) is taken as `http://`, as curl does.
 *
 * @throws Error "invalid proxy url …" (with the credentials redacted)
 */
export function parseProxyUrl(url: string): URL {
  const text = /^[a-z][a-z0-9+.-]*:\/\//i.test(url) ? url : `http://${url}`;
  try {
    return new URL(text);
  } catch {
    throw new Error(`invalid proxy url ${hideUserinfo(text)}`);
  }
}

/** Replaces everything between `//` and the last `@` (a password may hold `/` or `@`): over-redacting is safe. */
function hideUserinfo(text: string): string {
  return text.includes('@') ? text.replace(/^([^/]*\/\/)?.*@/, '$1***:***@') : text;
}

/**
 * A proxy URL fit to show (the `connected` event, logs): credentials become `***:***`, so a user still sees
 * that some were used, e.g. `http://***:***@proxy:3128`; a URL without credentials is shown as
 * `scheme://host:port`. Path, query and fragment are dropped.
 *
 * @example
 * ```ts
 * redactProxy('http://user:secret@127.0.0.1:3128/'); // 'http://***:***@127.0.0.1:3128'
 * redactProxy('http://proxy:3128');                  // 'http://proxy:3128'
 * ```
 */
export function redactProxy(url: string): string {
  let parsed: URL;
  try {
    parsed = parseProxyUrl(url);
  } catch {
    return hideUserinfo(url);
  }
  const credentials = parsed.username !== '' || parsed.password !== '' ? '***:***@' : '';
  return `${parsed.protocol}//${credentials}${parsed.host}`;
}
