/**
 * The HTTP `token` (RFC 9110 §5.6.2) — header names, subprotocols,
 * extension names and parameters — checked with one lookup table, in linear
 * time, without regular expressions.
 *
 * @see https://www.rfc-editor.org/rfc/rfc9110#section-5.6.2
 */

/** RFC 9110 §5.6.2: `tchar = "!" / "#" / "$" / "%" / "&" / "'" / "*" / "+" / "-" / "." / "^" / "_" / "`" / "|" / "~" / DIGIT / ALPHA`. */
const TCHAR = ((): Uint8Array => {
  const table = new Uint8Array(256);
  for (const char of "!#$%&'*+-.^_`|~0123456789") table[char.charCodeAt(0)] = 1;
  for (let code = 0x41; code <= 0x5a; code++) table[code] = table[code + 0x20] = 1;
  return table;
})();

/** True when the character code (or byte) is a `tchar`. */
export function isTokenChar(code: number): boolean {
  return code < 256 && TCHAR[code] === 1;
}

/** True when `text` is a non-empty `token` (`1*tchar`). */
export function isToken(text: string): boolean {
  if (text.length === 0) return false;
  for (let i = 0; i < text.length; i++) if (!isTokenChar(text.charCodeAt(i))) return false;
  return true;
}
