/**
 * The `lomond` command line (SPEC "Package": the CLI's usage line), read with
 * `node:util` parseArgs: long options and wscat's short ones. Every mistake
 * is a {@link UsageError} with a one-line message (the CLI exits 2 with it);
 * the URL and the proxy URL are checked here, so that a bad one never gets
 * as far as a stack trace.
 */
import { parseArgs as parseArgv } from 'node:util';
import { MAX_DURATION } from '../core/checks.js';
import { parseWebSocketUrl, redactUrl } from '../core/url.js';

/** How binary payloads are shown: hex (default), base64, or decoded as UTF-8. */
export type BinaryFormat = 'hex' | 'base64' | 'utf8';

/** What the command line asked for. */
export interface CliArgs {
  /** The server URL; null with --demo, --help or --version. */
  url: string | null;
  demo: boolean;
  help: boolean;
  version: boolean;
  /** `-H 'Name: value'`, in order (a later one replaces an earlier one of the same name). */
  headers: Record<string, string>;
  /** `-s protocol`, in order. */
  protocols: string[];
  /** `-x message`: sent at `ready`, then the CLI closes after {@link CliArgs.wait}. */
  execute: string[];
  /** `-w seconds`, or null when not given (then 2 s after -x, and no wait at the end of stdin). */
  wait: number | null;
  /** `-n`: listen only, never read stdin. */
  noStdin: boolean;
  compress: boolean;
  persist: boolean;
  pingRate?: number;
  pingTimeout?: number;
  connectTimeout?: number;
  /** `--ca file`: a PEM file of certificate authorities to trust. */
  ca: string | null;
  insecure: boolean;
  proxy: string | null;
  json: boolean;
  verbose: boolean;
  binaryFormat: BinaryFormat;
}

/** A mistake on the command line: the CLI prints `lomond: <message>` and exits 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** Usage text (`lomond --help`). */
export const USAGE = `usage: lomond <url> [-H 'K: V'] [-s protocol] [-x msg] [-w secs] [-n] [--compress] [--persist]
              [--ping-rate ms] [--ping-timeout ms] [--connect-timeout ms] [--ca file] [--insecure]
              [--proxy url] [--json] [-v] [-V] [-h]
       lomond --demo      talk to an embedded local echo server (no network needed)

Sends each line of standard input as a text message and prints each message
received on stdout as "< text"; events (connecting, ready, closed...) go to stderr.

  -H, --header 'K: V'      add a request header (repeatable)
  -s, --protocol name      offer a subprotocol (repeatable)
  -x, --execute msg        send msg once ready (repeatable), then close after --wait
  -w, --wait secs          seconds to wait before closing after -x (default 2), after -n,
                           or after the end of stdin (default: close at once)
  -n, --no-stdin           listen only: do not read stdin
      --compress           offer permessage-deflate
      --persist            reconnect when the connection drops (Ctrl-D or Ctrl-C ends it)
      --ping-rate ms       ping every ms milliseconds (default 30000; 0: never)
      --ping-timeout ms    disconnect when nothing arrived for ms (must exceed --ping-rate)
      --connect-timeout ms give up connecting after ms (default 30000)
      --ca file            trust the certificate authorities in this PEM file
      --insecure           do not verify the server's certificate (dangerous)
      --proxy url          connect through this http:// proxy (default: HTTP(S)_PROXY)
      --json               print one JSON object per event on stdout, for scripts
      --binary-format f    show binary messages as hex (default), base64 or utf8
  -v, --verbose            also show pings, pongs (with their round trip) and polls
  -V, --version            print the version
  -h, --help               print this help

Exit status: 0 after a clean close (1000/1001) by either side; 1 when the
connection failed, was rejected or closed with another code; 2 for usage
errors; 130 after Ctrl-C (which closes with 1000 first; twice exits at once); 143 after SIGTERM (closes with 1001 first).
Colours on a terminal unless NO_COLOR is set.`;

const OPTIONS = {
  header: { type: 'string', short: 'H', multiple: true },
  protocol: { type: 'string', short: 's', multiple: true },
  execute: { type: 'string', short: 'x', multiple: true },
  wait: { type: 'string', short: 'w' },
  'no-stdin': { type: 'boolean', short: 'n' },
  compress: { type: 'boolean' },
  persist: { type: 'boolean' },
  'ping-rate': { type: 'string' },
  'ping-timeout': { type: 'string' },
  'connect-timeout': { type: 'string' },
  ca: { type: 'string' },
  insecure: { type: 'boolean' },
  proxy: { type: 'string' },
  json: { type: 'boolean' },
  'binary-format': { type: 'string' },
  verbose: { type: 'boolean', short: 'v' },
  version: { type: 'boolean', short: 'V' },
  help: { type: 'boolean', short: 'h' },
  demo: { type: 'boolean' },
} as const;

type OptionName = keyof typeof OPTIONS;
type Values = { [K in OptionName]?: (typeof OPTIONS)[K]['type'] extends 'string' ? string[] : boolean };

const BINARY_FORMATS: readonly BinaryFormat[] = ['hex', 'base64', 'utf8'];

/**
 * Reads the options in non-strict mode (so that every mistake gets our own one-line message) and checks
 * each token: a known name, a value where one is needed, none where none is allowed.
 */
function readOptions(argv: readonly string[]): { values: Values; positionals: string[] } {
  const { tokens } = parseArgv({ args: [...argv], options: OPTIONS, strict: false, allowPositionals: true, tokens: true });
  const values: Record<string, string[] | boolean> = {};
  const positionals: string[] = [];
  for (const token of tokens) {
    if (token.kind === 'positional') positionals.push(token.value);
    if (token.kind !== 'option') continue;
    if (!Object.hasOwn(OPTIONS, token.name)) throw new UsageError(`unknown option ${token.rawName}`);
    const option = OPTIONS[token.name as OptionName];
    if (option.type === 'boolean') {
      if (token.value !== undefined) throw new UsageError(`option ${token.rawName} takes no value, got '${token.value}'`);
      values[token.name] = true;
    } else {
      if (token.value === undefined) throw new UsageError(`option ${token.rawName} needs a value`);
      ((values[token.name] as string[] | undefined) ??= []).push(token.value);
    }
  }
  return { values: values as Values, positionals };
}

/** The last value of a single-valued option (a repeated one wins, as in most tools). */
function last(list: string[] | undefined): string | undefined {
  return list?.[list.length - 1];
}

function milliseconds(flag: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n < 0 || n > MAX_DURATION) {
    throw new UsageError(`${flag} needs a number of milliseconds (0 to ${MAX_DURATION}), got '${value}'`);
  }
  return n;
}

function seconds(flag: string, value: string | undefined): number | null {
  if (value === undefined) return null;
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n < 0 || n * 1000 > MAX_DURATION) {
    throw new UsageError(`${flag} needs a number of seconds, got '${value}'`);
  }
  return n;
}

function headers(list: readonly string[]): Record<string, string> {
  const result: Record<string, string> = {};
  for (const header of list) {
    const colon = header.indexOf(':');
    if (colon <= 0 || header.slice(0, colon).trim() === '') throw new UsageError(`--header needs 'Name: value', got '${header}'`);
    result[header.slice(0, colon).trim()] = header.slice(colon + 1).trim();
  }
  return result;
}

/** The WebSocket URL, checked the way the WebSocket class checks it. */
function webSocketUrl(url: string): string {
  try {
    parseWebSocketUrl(url);
  } catch (error) {
    throw new UsageError(`${(error as Error).message} (a ws:// or wss:// URL is needed)`);
  }
  return url;
}

/** An http:// proxy URL (no scheme means http://, as curl and lomond's proxy support read it). */
function proxyUrl(url: string): string {
  const text = url.includes('://') ? url : `http://${url}`;
  let protocol: string;
  try {
    protocol = new URL(text).protocol;
  } catch {
    throw new UsageError(`invalid proxy url '${redactUrl(url)}'`);
  }
  if (protocol !== 'http:') throw new UsageError(`--proxy needs an http:// proxy, got '${redactUrl(url)}'`);
  return text;
}

/**
 * Parses argv (without node and the script).
 *
 * @throws {@link UsageError} with a one-line message for the user
 */
export function parseArgs(argv: readonly string[]): CliArgs {
  const { values, positionals } = readOptions(argv);
  const help = values.help === true;
  const version = values.version === true;
  const demo = values.demo === true;
  if (positionals.length > 1) throw new UsageError(`unexpected argument '${positionals[1]}' (one URL only)`);
  const url = positionals[0] ?? null;
  if (!help && !version) {
    if (url === null && !demo) throw new UsageError('a ws:// or wss:// URL is required');
    if (url !== null && demo) throw new UsageError('--demo takes no URL');
  }
  const binaryFormat = last(values['binary-format']) ?? 'hex';
  if (!(BINARY_FORMATS as readonly string[]).includes(binaryFormat)) {
    throw new UsageError(`--binary-format needs one of ${BINARY_FORMATS.join(', ')}, got '${binaryFormat}'`);
  }
  const ca = last(values.ca) ?? null;
  const proxy = last(values.proxy);
  return {
    url: url === null || help || version ? url : webSocketUrl(url),
    demo,
    help,
    version,
    headers: headers(values.header ?? []),
    protocols: values.protocol ?? [],
    execute: values.execute ?? [],
    wait: seconds('--wait', last(values.wait)),
    noStdin: values['no-stdin'] === true,
    compress: values.compress === true,
    persist: values.persist === true,
    pingRate: milliseconds('--ping-rate', last(values['ping-rate'])),
    pingTimeout: milliseconds('--ping-timeout', last(values['ping-timeout'])),
    connectTimeout: milliseconds('--connect-timeout', last(values['connect-timeout'])),
    ca,
    insecure: values.insecure === true,
    proxy: proxy === undefined ? null : proxyUrl(proxy),
    json: values.json === true,
    verbose: values.verbose === true,
    binaryFormat: binaryFormat as BinaryFormat,
  };
}
