/**
 * The fast kernel of masking (RFC 6455 §5.3: "octet i of the transformed
 * data is the XOR of octet i of the original data with octet at index
 * i modulo 4 of the masking key"): a WebAssembly SIMD loop that XORs
 * 64 bytes per step (four 128-bit lanes), several times faster than any
 * JavaScript loop. WebAssembly reaches only its own memory, so each block
 * of up to 64 KiB is copied into a scratch area, masked there and copied
 * out: two memcpy (64 KiB: 4.5 µs, the bufferutil addon 2.1 µs). A frame
 * built in the frame pool (frame-pool.ts, in the same memory) is masked
 * where it is: one copy in, none out (64 KiB with the pool's bookkeeping:
 * 3.4 µs, against 5.5 µs for bufferutil with the frame's allocation). Where
 * WebAssembly or its SIMD extension is missing (or a content security
 * policy forbids compiling it), {@link maskBlocks} reports false and the
 * caller masks in JavaScript.
 *
 * The module is 90 bytes, written out below (no build step, no file to
 * load), compiled synchronously once, on first use.
 *
 * @see https://www.rfc-editor.org/rfc/rfc6455#section-5.3
 */

/** `xor(ptr, n, key)`: XORs memory[ptr, ptr + n rounded up to 64) with the 32-bit `key` in every lane. */
const BODY = [
  0x02, 0x01, 0x7f, 0x01, 0x7b, // locals: i32 end, v128 lanes
  0x20, 0x02, 0xfd, 0x11, 0x21, 0x04, // lanes = i32x4.splat(key)
  0x20, 0x00, 0x20, 0x01, 0x6a, 0x21, 0x03, // end = ptr + n
  0x02, 0x40, 0x03, 0x40, // block, loop
  0x20, 0x00, 0x20, 0x03, 0x4f, 0x0d, 0x01, // br_if ptr >= end: out
  // Four times: v128.store offset=o (ptr, v128.xor(v128.load offset=o (ptr), lanes)).
  ...[0x00, 0x10, 0x20, 0x30].flatMap((o) => [0x20, 0x00, 0x20, 0x00, 0xfd, 0x00, 0x04, o, 0x20, 0x04, 0xfd, 0x51, 0xfd, 0x0b, 0x04, o]),
  0x20, 0x00, 0x41, 0xc0, 0x00, 0x6a, 0x21, 0x00, // ptr += 64
  0x0c, 0x00, 0x0b, 0x0b, 0x0b, // br loop; end loop, block, function
];

const MODULE = [
  0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, // "\0asm", version 1
  0x01, 0x07, 0x01, 0x60, 0x03, 0x7f, 0x7f, 0x7f, 0x00, // types: (i32, i32, i32) → ()
  0x03, 0x02, 0x01, 0x00, // functions: one, of type 0
  0x05, 0x03, 0x01, 0x00, 0x42, // memory: 66 pages (4 MiB + 128 KiB), fixed: never grown, so never detached
  0x07, 0x09, 0x02, 0x01, 0x6d, 0x02, 0x00, 0x01, 0x78, 0x00, 0x00, // exports: "m" memory 0, "x" function 0
  0x0a, BODY.length + 2, 0x01, BODY.length, ...BODY, // code
];

/** Bytes masked per kernel call. */
const BLOCK = 64 * 1024;
/** The frame pool's place in the kernel's memory (after the scratch area): see frame-pool.ts. */
export const POOL_START = 128 * 1024;
export const POOL_END = POOL_START + 4 * 1024 * 1024;
/**
 * The scratch area starts half a page (plus the target's offset within a page) into the memory: copying out
 * of it into a target whose address differs by a small multiple of 4 KiB runs many times slower on x86
 * (4K aliasing between the copy's loads and stores), measured at 64 KiB and more.
 */
const SCRATCH = 2048;

/**
 * Below this many bytes, memory the kernel owns is masked in JavaScript, a 32-bit word a step through one
 * view of the whole memory, rather than by a call into WebAssembly (a call costs ~65 ns on Node 20; measured
 * in place: 64 B 29 vs 85 ns, 256 B 65 vs 100 ns, 512 B 105 vs 107 ns, 1 KiB 184 vs 123 ns).
 */
const CALL_WORTH = 512;
/** The host's byte order, which a JavaScript word view follows (WebAssembly's own loads are little-endian). */
const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

/**
 * The 32-bit word that XORs four bytes with the key when its first byte takes key byte `phase` (0–3), in the
 * host's byte order: what a JavaScript `Uint32Array`/`Int32Array` word loop XORs with.
 */
export function keyWord(key: Uint8Array, phase: number): number {
  const b0 = key[phase & 3]!;
  const b1 = key[(phase + 1) & 3]!;
  const b2 = key[(phase + 2) & 3]!;
  const b3 = key[(phase + 3) & 3]!;
  return LITTLE_ENDIAN ? b0 | (b1 << 8) | (b2 << 16) | (b3 << 24) : (b0 << 24) | (b1 << 16) | (b2 << 8) | b3;
}

/** The kernel's key argument: WebAssembly memory is little-endian, so byte j of every lane is key[j]. */
const kernelKey = (key: Uint8Array): number => key[0]! | (key[1]! << 8) | (key[2]! << 16) | (key[3]! << 24);

interface Kernel {
  readonly memory: Uint8Array;
  /** The same memory, a 32-bit word per element (never detached: the memory never grows). */
  readonly words: Int32Array;
  readonly xor: (ptr: number, n: number, key: number) => void;
}

/** undefined: not tried yet; null: unavailable here. */
let kernel: Kernel | null | undefined;

function load(): Kernel | null {
  try {
    if (typeof WebAssembly !== 'object') return null;
    const bytes = new Uint8Array(MODULE);
    if (!WebAssembly.validate(bytes)) return null; // no SIMD
    const wasm = new WebAssembly.Instance(new WebAssembly.Module(bytes)).exports as { m: WebAssembly.Memory; x: Kernel['xor'] };
    return { memory: new Uint8Array(wasm.m.buffer), words: new Int32Array(wasm.m.buffer), xor: wasm.x };
  } catch {
    return null; // e.g. a content security policy without 'wasm-unsafe-eval'
  }
}

/** The kernel, compiled on first use; null where there is none (tried once: `??=` would retry on every call). */
function theKernel(): Kernel | null {
  if (kernel === undefined) kernel = load();
  return kernel;
}

/** The kernel's memory (loading the kernel on first use), or null where there is no kernel. */
export function kernelMemory(): Uint8Array | null {
  return theKernel()?.memory ?? null;
}

/** A buffer outside the kernel's memory is remembered only when its memory is at most this large (a gather buffer's size). */
const REMEMBER_OUTSIDE = 64 * 1024;
/** The last view asked about that lies in the kernel's memory, and the last (small) one that does not. */
let lastInside: Uint8Array | null = null;
let lastOutside: Uint8Array | null = null;

/**
 * True when `buffer` lies in the kernel's memory (a frame pool or gather buffer), where masking needs no copy
 * out. Remembers the last answers: a gather buffer takes hundreds of small frames, and reading a view's
 * `buffer` costs more (~15 ns, a call into V8's runtime) than masking a few bytes.
 */
export function inKernelMemory(buffer: Uint8Array): boolean {
  if (buffer === lastInside) return true;
  if (buffer === lastOutside) return false;
  const k = theKernel();
  const memory = buffer.buffer;
  const inside = k !== null && memory === k.memory.buffer;
  if (inside) lastInside = buffer;
  else if (memory.byteLength <= REMEMBER_OUTSIDE) lastOutside = buffer; // never keeps a large frame alive
  return inside;
}

/**
 * Writes `source` masked with `key` into `target` at `offset`, where `target` lies in the kernel's memory
 * (the caller checked with {@link inKernelMemory}): copied in once and masked where it is.
 */
export function maskIntoKernel(source: Uint8Array, key: Uint8Array, target: Uint8Array, offset: number): void {
  target.set(source, offset);
  xorWhereItIs(kernel!, target.byteOffset + offset, source.length, key);
}

/**
 * Masks `buffer[start, start + length)` in place, the key's byte 0 at `start`, where `buffer` lies in the
 * kernel's memory.
 *
 * @returns false, having written nothing, where it does not
 */
export function maskKernelRange(buffer: Uint8Array, start: number, length: number, key: Uint8Array): boolean {
  if (!inKernelMemory(buffer)) return false;
  xorWhereItIs(kernel!, buffer.byteOffset + start, length, key);
  return true;
}

/** XORs memory[at, at + length) with the key, its byte 0 at `at`. */
function xorWhereItIs(k: Kernel, at: number, length: number, key: Uint8Array): void {
  let i = 0;
  if (length >= CALL_WORTH) {
    i = length & ~63; // the kernel steps 64 bytes: the ragged end below, not past the buffer
    k.xor(at, i, kernelKey(key));
  }
  const memory = k.memory;
  // Bytewise up to a 4-byte boundary, whole words (the key turned to the phase they start in), bytewise again.
  for (; i < length && ((at + i) & 3) !== 0; i++) memory[at + i]! ^= key[i & 3]!;
  const words = (length - i) >>> 2;
  if (words > 0) {
    const lanes = keyWord(key, i);
    const view = k.words;
    const first = (at + i) >>> 2;
    for (let w = first; w < first + words; w++) view[w]! ^= lanes;
    i += words * 4;
  }
  for (; i < length; i++) memory[at + i]! ^= key[i & 3]!;
}

/**
 * Writes `source` masked with `key` into `target` at `offset` (`target[offset + i] = source[i] ^ key[i & 3]`),
 * block by block through the kernel's scratch area. `source` may be `target`'s own range (masking in place).
 * A target in the kernel's own memory is masked where it lies instead ({@link maskIntoKernel}).
 *
 * @returns false, having written nothing, where the kernel is unavailable
 */
export function maskBlocks(source: Uint8Array, key: Uint8Array, target: Uint8Array, offset: number): boolean {
  const k = theKernel();
  if (k === null) return false;
  const memory = k.memory;
  const word = kernelKey(key);
  const length = source.length;
  const base = SCRATCH + ((target.byteOffset + offset) & 4095);
  for (let at = 0; at < length; at += BLOCK) {
    const n = Math.min(BLOCK, length - at);
    memory.set(n === length ? source : source.subarray(at, at + n), base);
    k.xor(base, n, word); // BLOCK is a multiple of 4: the key phase starts at 0 in every block
    target.set(memory.subarray(base, base + n), offset + at);
  }
  return true;
}
