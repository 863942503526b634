/**
 * The frame pool: buffers for large outgoing frames inside the masking
 * kernel's own memory (mask-simd.ts). A frame built there is masked where
 * it is: the payload is copied once (into the frame) and XORed in place,
 * where a frame in ordinary memory costs an allocation and, through the
 * kernel's scratch area, two more copies. 4 MiB for the whole process
 * (WebAssembly memory that is never grown, so a view into it is never
 * detached), handed out first fit in 64-byte steps and taken back in any
 * order as the transports report each frame written: a connection whose
 * peer stopped reading keeps only its own frames. When there is no room (or
 * no kernel), {@link takeFrameBuffer} says null and the caller allocates.
 *
 * Only a transport that knows when the bytes it was given are no longer
 * read (a Node socket's write callback) may take from the pool: a buffer is
 * reused as soon as it is released.
 */
import { kernelMemory, POOL_END, POOL_START } from './mask-simd.js';

/** Free ranges, sorted and never adjacent: `[freeStarts[i], freeEnds[i])`. */
const freeStarts: number[] = [POOL_START];
const freeEnds: number[] = [POOL_END];
/** Bytes reserved for each buffer out of the pool, by its start. */
const taken = new Map<number, number>();
let inUse = 0;
/** The kernel's memory, once the pool was first used. */
let poolMemory: Uint8Array | null = null;

/**
 * A buffer of exactly `size` bytes in the masking kernel's memory, or null (no room, or no kernel). Hand it
 * back with {@link releaseFrameBuffer} once nothing reads it any more.
 */
export function takeFrameBuffer(size: number): Uint8Array | null {
  const reserve = (size + 63) & ~63;
  if (reserve > POOL_END - POOL_START - inUse) return null;
  const memory = (poolMemory ??= kernelMemory());
  if (memory === null) return null;
  for (let i = 0; i < freeStarts.length; i++) {
    const start = freeStarts[i]!;
    if (freeEnds[i]! - start < reserve) continue;
    if (freeEnds[i] === start + reserve) {
      freeStarts.splice(i, 1);
      freeEnds.splice(i, 1);
    } else freeStarts[i] = start + reserve;
    taken.set(start, reserve);
    inUse += reserve;
    return memory.subarray(start, start + size);
  }
  return null;
}

/** Gives back a buffer {@link takeFrameBuffer} handed out (any order); anything else is ignored. */
export function releaseFrameBuffer(buffer: Uint8Array): void {
  const start = buffer.byteOffset;
  const reserve = taken.get(start);
  if (reserve === undefined) return;
  taken.delete(start);
  inUse -= reserve;
  const end = start + reserve;
  // The first free range after it; merge with it and with the one before where they touch.
  let i = 0;
  while (i < freeStarts.length && freeStarts[i]! < start) i++;
  const joinsNext = i < freeStarts.length && freeStarts[i] === end;
  const joinsPrev = i > 0 && freeEnds[i - 1] === start;
  if (joinsPrev && joinsNext) {
    freeEnds[i - 1] = freeEnds[i]!;
    freeStarts.splice(i, 1);
    freeEnds.splice(i, 1);
  } else if (joinsPrev) freeEnds[i - 1] = end;
  else if (joinsNext) freeStarts[i] = start;
  else {
    freeStarts.splice(i, 0, start);
    freeEnds.splice(i, 0, end);
  }
}

/** True when `buffer` is (a view of) memory of the pool: give it back with {@link releaseFrameBuffer} once written. */
export function inFramePool(buffer: Uint8Array): boolean {
  return poolMemory !== null && buffer.buffer === poolMemory.buffer;
}

/** Bytes of the pool reserved by buffers out of it (each rounded up to 64), for tests. */
export function framePoolInUse(): number {
  return inUse;
}
