/**
 * The Sec-WebSocket-Extensions grammar (RFC 6455 §9.1), parsed strictly:
 *
 * ```
 * Sec-WebSocket-Extensions = 1#extension
 * extension = extension-token *( ";" extension-param )
 * extension-param = token [ "=" (token | quoted-string) ]
 * ```
 *
 * Optional whitespace is allowed around `,`, `;` and `=`, and empty list
 * elements (`a,,b`) are skipped, as the `#` list rule asks (RFC 9110 §5.6.1).
 *
 * @see https://www.rfc-editor.org/rfc/rfc6455#section-9.1
 */
import { HandshakeError } from './errors.js';
import { isToken, isTokenChar } from './token.js';

/** One extension and its parameters in order (`true` for a parameter without a value). */
export interface ExtensionOffer {
  /** The extension token as sent, e.g. `permessage-deflate`. */
  readonly name: string;
  /** Parameters in order; quoted values are unescaped. */
  readonly params: ReadonlyArray<readonly [string, string | true]>;
}

/** RFC 9110 §5.6.4 qdtext and the characters a quoted-pair may escape: HTAB, SP, VCHAR, obs-text. */
const QDTEXT = /[\t !#-[\]-~\x80-\xff]/;
const ESCAPABLE = /[\t\x20-\x7e\x80-\xff]/;

/** A cursor over the header value; every method advances past what it consumed. */
class Scanner {
  pos = 0;
  constructor(readonly text: string) {}

  fail(expected: string): never {
    throw new HandshakeError(`invalid extensions header ${JSON.stringify(this.text)}: expected ${expected} at ${this.pos}`);
  }

  skipSpace(): void {
    while (this.text[this.pos] === ' ' || this.text[this.pos] === '\t') this.pos++;
  }

  /** Consumes `char` (after optional whitespace) when it comes next. */
  accept(char: string): boolean {
    this.skipSpace();
    if (this.text[this.pos] !== char) return false;
    this.pos++;
    return true;
  }

  atEnd(): boolean {
    this.skipSpace();
    return this.pos === this.text.length;
  }

  token(what: string): string {
    this.skipSpace();
    const start = this.pos;
    while (this.pos < this.text.length && isTokenChar(this.text.charCodeAt(this.pos))) this.pos++;
    if (this.pos === start) this.fail(what);
    return this.text.slice(start, this.pos);
  }

  quotedString(): string {
    const start = this.pos++;
    let value = '';
    for (;;) {
      const char = this.text[this.pos++];
      if (char === '"') return value;
      if (char === '\\' && this.pos < this.text.length && ESCAPABLE.test(this.text[this.pos]!)) value += this.text[this.pos++];
      else if (char !== undefined && QDTEXT.test(char)) value += char;
      else {
        this.pos = start;
        this.fail('a closed quoted string');
      }
    }
  }
}

function parseParam(scanner: Scanner): readonly [string, string | true] {
  const name = scanner.token('a parameter name');
  if (!scanner.accept('=')) return [name, true];
  scanner.skipSpace();
  if (scanner.text[scanner.pos] !== '"') return [name, scanner.token(`a value for ${name}`)];
  const start = scanner.pos;
  const value = scanner.quotedString();
  // RFC 6455 §9.1: "When using the quoted-string syntax variant, the value after quoted-string unescaping MUST
  // conform to the 'token' ABNF."
  if (!isToken(value)) {
    throw new HandshakeError(`invalid extension parameter ${name}=${scanner.text.slice(start, scanner.pos)}: not a token once unquoted`);
  }
  return [name, value];
}

/**
 * Parses a Sec-WebSocket-Extensions value into its extensions, in order.
 *
 * @example
 * ```ts
 * parseExtensions('permessage-deflate; client_max_window_bits="10", x-foo');
 * // [{ name: 'permessage-deflate', params: [['client_max_window_bits', '10']] }, { name: 'x-foo', params: [] }]
 * ```
 * @param header - the header value (repeated headers joined with ", ")
 * @returns at least one extension
 * @throws {@link HandshakeError} on bad syntax, e.g. `invalid extensions header "a;": expected a parameter name at 2`
 * @see https://www.rfc-editor.org/rfc/rfc6455#section-9.1
 */
export function parseExtensions(header: string): ExtensionOffer[] {
  const scanner = new Scanner(header);
  const extensions: ExtensionOffer[] = [];
  do {
    if (scanner.atEnd() || scanner.text[scanner.pos] === ',') continue; // an empty list element
    const name = scanner.token('an extension name');
    const params: Array<readonly [string, string | true]> = [];
    while (scanner.accept(';')) params.push(parseParam(scanner));
    if (!scanner.atEnd() && scanner.text[scanner.pos] !== ',') scanner.fail('"," or ";"');
    extensions.push({ name, params });
  } while (scanner.accept(','));
  // "1#extension": at least one element.
  if (extensions.length === 0) scanner.fail('an extension name');
  return extensions;
}
