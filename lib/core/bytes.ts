/**
 * copyBytes: bytes in memory of their own. Not `bytes.slice()`: on a Node
 * Buffer (a Uint8Array subclass) `slice` is a view of the same memory, so a
 * "copy" made that way changes when the original does.
 */

/** A copy of `bytes` that shares no memory with them (a Buffer stays a Buffer). */
export function copyBytes(bytes: Uint8Array): Uint8Array<ArrayBuffer> {
  // A slice always lives in a new ArrayBuffer, whatever `bytes` is a view of.
  return Uint8Array.prototype.slice.call(bytes) as Uint8Array<ArrayBuffer>;
}
