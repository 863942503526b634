/**
 * The UTF-8 length of a JavaScript string without encoding it (a lone
 * surrogate counts as the 3 bytes of U+FFFD it becomes).
 */

/**
 * @example
 * ```ts
 * utf8Length('héllo'); // 6
 * utf8Length('😀');    // 4
 * ```
 */
export function utf8Length(text: string): number {
  let bytes = text.length;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code < 0x80) continue;
    if (code < 0x800) bytes += 1;
    else if (code >= 0xd800 && code <= 0xdbff && i + 1 < text.length && (text.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      bytes += 2; // a surrogate pair: 2 UTF-16 units, 4 bytes
      i++;
    } else bytes += 2;
  }
  return bytes;
}
