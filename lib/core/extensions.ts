/**
 * The Sec-WebSocket-Extensions grammar (RFC 6455 §9.1): a comma-separated
 * list of extensions, each a token with `;`-separated parameters whose values
 * are tokens or quoted strings. Parsed strictly.
 *
 * @see https://www.rfc-editor.org/rfc/rfc6455#section-9.1
 */
import { HandshakeError } from './errors.js';

/** One extension and its parameters in order (`true` for a parameter without a value). */
export interface ExtensionOffer {
  readonly name: string;
  readonly params: ReadonlyArray<readonly [string, string | true]>;
}

const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

/** Splits on `sep` outside quoted strings. */
function split(text: string, sep: string): string[] {
  const parts: string[] = [];
  let current = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted && c === '\\') {
      current += c + (text[++i] ?? '');
      continue;
    }
    if (c === '"') quoted = !quoted;
    if (c === sep && !quoted) {
      parts.push(current);
      current = '';
    } else current += c;
  }
  if (quoted) throw new HandshakeError('unterminated quoted string in extensions header');
  parts.push(current);
  return parts;
}

/**
 * Parses a Sec-WebSocket-Extensions value.
 *
 * @throws {@link HandshakeError} on bad syntax
 */
export function parseExtensions(header: string): ExtensionOffer[] {
  return split(header, ',').map((item) => {
    const [name, ...params] = split(item, ';').map((part) => part.trim());
    if (!name || !TOKEN.test(name)) throw new HandshakeError(`invalid extension ${JSON.stringify(item.trim())}`);
    return {
      name,
      params: params.map((param): [string, string | true] => {
        const eq = param.indexOf('=');
        const key = (eq < 0 ? param : param.slice(0, eq)).trim();
        if (!TOKEN.test(key)) throw new HandshakeError(`invalid extension parameter ${JSON.stringify(param)}`);
        if (eq < 0) return [key, true];
        let value = param.slice(eq + 1).trim();
        if (value.startsWith('"')) {
          if (!value.endsWith('"') || value.length < 2) throw new HandshakeError(`invalid quoted value in ${JSON.stringify(param)}`);
          value = value.slice(1, -1).replace(/\\(.)/g, '$1');
        }
        // RFC 6455 §9.1: a quoted value must still be a token once unquoted.
        if (!TOKEN.test(value)) throw new HandshakeError(`invalid extension parameter value ${JSON.stringify(param)}`);
        return [key, value];
      }),
    };
  });
}
