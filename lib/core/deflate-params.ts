/**
 * permessage-deflate negotiation, client side (RFC 7692 §5, §7.1): the offer
 * we send and a strict reading of the server's answer.
 *
 * RFC 7692 §7: "A client MUST _Fail the WebSocket Connection_ if the peer server accepted an extension negotiation
 * offer for this extension with an extension negotiation response meeting any of the following conditions: the
 * negotiation response contains an extension parameter not defined for use in a response; ... an extension parameter
 * with an invalid value; ... multiple extension parameters with the same name; the client does not support the
 * configuration that the response represents."
 *
 * @see https://www.rfc-editor.org/rfc/rfc7692#section-7.1
 */
import { CompressionParameterError, type HandshakeError } from './errors.js';
import { parseExtensions } from './extensions.js';

/** What the client offers (RFC 7692 §7.1). */
export interface DeflateOptions {
  /**
   * `client_max_window_bits` in the offer: `true` (default) offers it without a value (the server may then pick
   * our window), a number 8–15 also promises the client will not use a larger window, `false` leaves it out.
   */
  readonly clientMaxWindowBits?: number | boolean;
  /** Ask the server to use an LZ77 window of at most 2^n bytes, 8–15 (default: not asked). */
  readonly serverMaxWindowBits?: number;
  /** Promise to reset the compression context after each message (default false). */
  readonly clientNoContextTakeover?: boolean;
  /** Ask the server to reset its compression context after each message (default false). */
  readonly serverNoContextTakeover?: boolean;
}

/** The agreed parameters. */
export interface DeflateParams {
  /** The server resets its context after each message: inflate each message with a fresh context. */
  readonly serverNoContextTakeover: boolean;
  /** We reset our context after each message. */
  readonly clientNoContextTakeover: boolean;
  /** The server's LZ77 window bits, 8–15 (default 15). */
  readonly serverMaxWindowBits: number;
  /** Our LZ77 window bits, 8–15 (default 15). */
  readonly clientMaxWindowBits: number;
}

const NAME = 'permessage-deflate';
/** RFC 7692 §7.1.2.1/§7.1.2.2: "a decimal integer value without leading zeroes between 8 to 15, inclusive". */
const WINDOW_BITS = /^(?:[89]|1[0-5])$/;

function checkBits(name: string, bits: unknown): void {
  if (typeof bits !== 'number' || !Number.isInteger(bits) || bits < 8 || bits > 15) {
    throw new RangeError(`invalid ${name} ${String(bits)} (expected an integer 8-15)`);
  }
}

function checkOptions(options: DeflateOptions): void {
  if (typeof options.clientMaxWindowBits !== 'boolean' && options.clientMaxWindowBits !== undefined) {
    checkBits('clientMaxWindowBits', options.clientMaxWindowBits);
  }
  if (options.serverMaxWindowBits !== undefined) checkBits('serverMaxWindowBits', options.serverMaxWindowBits);
}

/**
 * Builds the Sec-WebSocket-Extensions offer.
 *
 * @example
 * ```ts
 * buildDeflateOffer();                                   // 'permessage-deflate; client_max_window_bits'
 * buildDeflateOffer({ serverMaxWindowBits: 10, clientNoContextTakeover: true });
 * // 'permessage-deflate; client_no_context_takeover; server_max_window_bits=10; client_max_window_bits'
 * ```
 * @param options - what to offer
 * @returns the header value
 * @throws RangeError for window bits that are not integers 8–15
 * @see https://www.rfc-editor.org/rfc/rfc7692#section-7.1
 */
export function buildDeflateOffer(options: DeflateOptions = {}): string {
  checkOptions(options);
  const parts = [NAME];
  if (options.serverNoContextTakeover) parts.push('server_no_context_takeover');
  if (options.clientNoContextTakeover) parts.push('client_no_context_takeover');
  if (options.serverMaxWindowBits !== undefined) parts.push(`server_max_window_bits=${options.serverMaxWindowBits}`);
  const client = options.clientMaxWindowBits ?? true;
  if (client !== false) parts.push(client === true ? 'client_max_window_bits' : `client_max_window_bits=${client}`);
  return parts.join('; ');
}

/** Parses a window bits value; `true` (no value) is invalid in a response. */
function windowBits(name: string, value: string | true): number {
  if (value === true) throw new CompressionParameterError(`invalid ${name} (no value)`);
  if (!WINDOW_BITS.test(value)) throw new CompressionParameterError(`invalid ${name} ${value}`);
  return Number(value);
}

/**
 * Reads the server's Sec-WebSocket-Extensions answer to the offer `buildDeflateOffer(options)` made.
 *
 * @example
 * ```ts
 * negotiateDeflate('permessage-deflate; server_no_context_takeover; client_max_window_bits=10');
 * // { serverNoContextTakeover: true, clientNoContextTakeover: false, serverMaxWindowBits: 15, clientMaxWindowBits: 10 }
 * ```
 * @param extensionsHeader - the response's Sec-WebSocket-Extensions value (`Accepted.extensions`)
 * @param options - the options the offer was built with
 * @returns the parameters both sides agreed to
 * @throws {@link CompressionParameterError} for anything RFC 7692 §7 tells the client to fail on, e.g.
 *   "invalid server_max_window_bits 16"
 * @throws RangeError for invalid `options`
 * @see https://www.rfc-editor.org/rfc/rfc7692#section-7.1
 */
export function negotiateDeflate(extensionsHeader: string, options: DeflateOptions = {}): DeflateParams {
  checkOptions(options);
  let extensions;
  try {
    extensions = parseExtensions(extensionsHeader);
  } catch (error) {
    // parseExtensions only throws HandshakeError; keep its message, narrow its class.
    throw new CompressionParameterError((error as HandshakeError).message);
  }
  // We offered one extension once: anything else was not in the client's handshake (RFC 6455 §4.1 item 5).
  if (extensions.length > 1) throw new CompressionParameterError(`more than one extension ${extensionsHeader}`);
  const [{ name, params }] = extensions as [(typeof extensions)[0]];
  if (name !== NAME) throw new CompressionParameterError(`unexpected extension ${name}`);

  const offeredClientBits = options.clientMaxWindowBits ?? true;
  const seen = new Set<string>();
  let serverNoContextTakeover = false;
  let clientNoContextTakeover = false;
  let serverMaxWindowBits: number | undefined;
  let clientMaxWindowBits: number | undefined;
  for (const [param, value] of params) {
    // RFC 7692 §7: fail if "the negotiation response contains multiple extension parameters with the same name".
    if (seen.has(param)) throw new CompressionParameterError(`duplicate parameter ${param}`);
    seen.add(param);
    switch (param) {
      case 'server_no_context_takeover':
      case 'client_no_context_takeover':
        // RFC 7692 §7.1.1: "This extension parameter has no value."
        if (value !== true) throw new CompressionParameterError(`invalid ${param} ${value} (takes no value)`);
        // §7.1.1.1: "A server MAY include the "server_no_context_takeover" extension parameter in an extension
        // negotiation response even if the extension negotiation offer ... didn't include" it; §7.1.1.2: the same
        // holds for client_no_context_takeover, which "A client MUST support".
        if (param === 'server_no_context_takeover') serverNoContextTakeover = true;
        else clientNoContextTakeover = true;
        break;
      case 'server_max_window_bits':
        serverMaxWindowBits = windowBits(param, value);
        // §7.1.2.1: "A server accepts an extension negotiation offer with this parameter by including the
        // "server_max_window_bits" extension parameter in the extension negotiation response to send back to the
        // client with the same or smaller value as the offer."
        if (options.serverMaxWindowBits !== undefined && serverMaxWindowBits > options.serverMaxWindowBits) {
          throw new CompressionParameterError(`invalid server_max_window_bits ${value} (requested ${options.serverMaxWindowBits})`);
        }
        break;
      case 'client_max_window_bits':
        // §7.1.2.2: "If a received extension negotiation offer doesn't have the "client_max_window_bits" extension
        // parameter, the corresponding extension negotiation response to the offer MUST NOT include the
        // "client_max_window_bits" extension parameter."
        if (offeredClientBits === false) throw new CompressionParameterError('unexpected client_max_window_bits (not offered)');
        clientMaxWindowBits = windowBits(param, value);
        // §7.1.2.2: the server may use the offered value "by including the "client_max_window_bits" extension
        // parameter in the corresponding extension negotiation response to the offer with a value equal to or
        // smaller than the received value".
        if (typeof offeredClientBits === 'number' && clientMaxWindowBits > offeredClientBits) {
          throw new CompressionParameterError(`invalid client_max_window_bits ${value} (offered ${offeredClientBits})`);
        }
        break;
      default:
        // §7: fail if the response "contains an extension parameter not defined for use in a response".
        throw new CompressionParameterError(`unknown parameter ${param}`);
    }
  }
  // §7.1.1.1: "A server accepts an extension negotiation offer that includes the "server_no_context_takeover"
  // extension parameter by including the "server_no_context_takeover" extension parameter in the corresponding
  // extension negotiation response"; without it the server did not accept what we asked, so we fail.
  if (options.serverNoContextTakeover && !serverNoContextTakeover) {
    throw new CompressionParameterError('missing server_no_context_takeover (requested)');
  }
  // §7.1.2.1: likewise, a requested server_max_window_bits must come back.
  if (options.serverMaxWindowBits !== undefined && serverMaxWindowBits === undefined) {
    throw new CompressionParameterError(`missing server_max_window_bits (requested ${options.serverMaxWindowBits})`);
  }
  return {
    serverNoContextTakeover,
    // We offered it, so we honour it even when the server did not repeat it.
    clientNoContextTakeover: clientNoContextTakeover || options.clientNoContextTakeover === true,
    serverMaxWindowBits: serverMaxWindowBits ?? 15,
    // §7.1.2.2: with a value in the offer, "the client is not going to use an LZ77 sliding window size greater than
    // the size specified by the value in the extension negotiation offer" even when the response has none.
    clientMaxWindowBits: clientMaxWindowBits ?? (typeof offeredClientBits === 'number' ? offeredClientBits : 15),
  };
}
