/**
 * permessage-deflate negotiation, client side (RFC 7692 §5, §7.1): the offer
 * we send and a strict reading of the server's answer.
 *
 * @see https://www.rfc-editor.org/rfc/rfc7692#section-7.1
 */
import { CompressionParameterError } from './errors.js';
import { parseExtensions } from './extensions.js';

/** What the client offers. */
export interface DeflateOptions {
  /** Offer `client_max_window_bits` with this value (default: offered without a value). */
  readonly clientMaxWindowBits?: number;
  /** Ask the server to use at most this window. */
  readonly serverMaxWindowBits?: number;
  readonly clientNoContextTakeover?: boolean;
  readonly serverNoContextTakeover?: boolean;
}

/** The agreed parameters. */
export interface DeflateParams {
  readonly serverNoContextTakeover: boolean;
  readonly clientNoContextTakeover: boolean;
  /** 8–15 (default 15). */
  readonly serverMaxWindowBits: number;
  /** 8–15 (default 15). */
  readonly clientMaxWindowBits: number;
}

const NAME = 'permessage-deflate';

/** The offer header value, e.g. `permessage-deflate; client_max_window_bits`. */
export function buildDeflateOffer(options: DeflateOptions = {}): string {
  const parts = [NAME];
  if (options.clientNoContextTakeover) parts.push('client_no_context_takeover');
  if (options.serverNoContextTakeover) parts.push('server_no_context_takeover');
  if (options.serverMaxWindowBits !== undefined) parts.push(`server_max_window_bits=${options.serverMaxWindowBits}`);
  parts.push(options.clientMaxWindowBits === undefined ? 'client_max_window_bits' : `client_max_window_bits=${options.clientMaxWindowBits}`);
  return parts.join('; ');
}

function windowBits(name: string, value: string | true): number {
  // RFC 7692 §7.1.2: "a decimal integer value without leading zeroes between 8 to 15, inclusive"
  if (value === true || !/^[1-9][0-9]?$/.test(value) || Number(value) < 8 || Number(value) > 15) {
    throw new CompressionParameterError(`invalid ${name} ${value === true ? '(no value)' : value}`);
  }
  return Number(value);
}

/**
 * Reads the server's Sec-WebSocket-Extensions answer to our offer.
 *
 * @throws {@link CompressionParameterError} for anything RFC 7692 §7.1 tells the client to refuse
 */
export function negotiateDeflate(extensionsHeader: string, options: DeflateOptions = {}): DeflateParams {
  let offers;
  try {
    offers = parseExtensions(extensionsHeader);
  } catch (error) {
    throw new CompressionParameterError((error as Error).message);
  }
  if (offers.length !== 1 || offers[0]!.name.toLowerCase() !== NAME) {
    throw new CompressionParameterError(`unexpected extensions ${extensionsHeader}`);
  }
  const seen = new Set<string>();
  let serverNoContextTakeover = false;
  let clientNoContextTakeover = false;
  let serverMaxWindowBits = 15;
  let clientMaxWindowBits = options.clientMaxWindowBits ?? 15;
  for (const [rawName, value] of offers[0]!.params) {
    const name = rawName.toLowerCase();
    // RFC 7692 §7.1: a response with a duplicate parameter is declined.
    if (seen.has(name)) throw new CompressionParameterError(`duplicate parameter ${name}`);
    seen.add(name);
    switch (name) {
      case 'server_no_context_takeover':
      case 'client_no_context_takeover':
        if (value !== true) throw new CompressionParameterError(`parameter ${name} takes no value`);
        if (name === 'server_no_context_takeover') serverNoContextTakeover = true;
        else clientNoContextTakeover = true;
        break;
      case 'server_max_window_bits':
        serverMaxWindowBits = windowBits(name, value);
        if (options.serverMaxWindowBits !== undefined && serverMaxWindowBits > options.serverMaxWindowBits) {
          throw new CompressionParameterError(`server_max_window_bits ${serverMaxWindowBits} exceeds the requested ${options.serverMaxWindowBits}`);
        }
        break;
      case 'client_max_window_bits':
        // RFC 7692 §7.1.2.2: only allowed in a response when the offer had it (ours always does).
        clientMaxWindowBits = windowBits(name, value);
        break;
      default:
        throw new CompressionParameterError(`unknown parameter ${rawName}`);
    }
  }
  if (options.serverNoContextTakeover && !serverNoContextTakeover) {
    throw new CompressionParameterError('server_no_context_takeover was requested but not accepted');
  }
  return { serverNoContextTakeover, clientNoContextTakeover, serverMaxWindowBits, clientMaxWindowBits };
}
