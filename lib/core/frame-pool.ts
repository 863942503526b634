/**
 * The frame pool: buffers for large outgoing frames inside the masking
 * kernel's own memory (mask-simd.ts). A frame built there is masked where
 * it is: the payload is copied once (into the frame) and XORed in place,
 * where a frame in ordinary memory costs an allocation and, through the
 * kernel's scratch area, two more copies. One ring of 4 MiB for the whole
 * process (WebAssembly memory that is never grown, so a view into it is
 * never detached), handed out in order and taken back as the transport
 * reports each frame written; when it has no room (many frames still
 * queued, a slow peer) or there is no kernel, {@link takeFrameBuffer} says
 * null and the caller allocates as before.
 *
 * Only a transport that knows when the bytes it was given are no longer
 * read (a Node socket's write callback) may take from the pool: a buffer is
 * reused as soon as it is released.
 */
import { kernelMemory, POOL_END, POOL_START } from './mask-simd.js';

/** Where the buffers out of the pool start, in the order taken; `first` is the oldest one still out. */
const starts: number[] = [];
let first = 0;
/** Starts of buffers released before an older one (freed when the older ones are). */
const releasedEarly = new Set<number>();
/** The next free byte, and the oldest byte in use (equal: the pool is empty). */
let head = POOL_START;
let tail = POOL_START;

/**
 * A buffer of exactly `size` bytes in the masking kernel's memory, or null (no room, or no kernel). Hand it
 * back with {@link releaseFrameBuffer} once nothing reads it any more.
 */
export function takeFrameBuffer(size: number): Uint8Array | null {
  if (size > POOL_END - POOL_START) return null;
  const memory = kernelMemory();
  if (memory === null) return null;
  let start: number;
  if (first === starts.length) start = POOL_START; // empty: start over at the beginning
  else if (head > tail) {
    // In use: [tail, head). Free: [head, end), then [start, tail) (strictly below tail: head === tail means empty).
    if (head + size <= POOL_END) start = head;
    else if (POOL_START + size < tail) start = POOL_START;
    else return null;
  } else if (head + size < tail) start = head; // wrapped: free only [head, tail)
  else return null;
  if (first === starts.length) tail = start;
  head = start + size;
  starts.push(start);
  return memory.subarray(start, head);
}

/** Gives back a buffer {@link takeFrameBuffer} handed out; any order. */
export function releaseFrameBuffer(buffer: Uint8Array): void {
  const start = buffer.byteOffset;
  if (starts[first] !== start) {
    releasedEarly.add(start);
    return;
  }
  first++;
  while (first < starts.length && releasedEarly.delete(starts[first]!)) first++;
  if (first === starts.length) {
    starts.length = 0;
    first = 0;
    head = tail = POOL_START;
  } else {
    tail = starts[first]!;
    if (first >= 1024) {
      starts.splice(0, first);
      first = 0;
    }
  }
}

/** Bytes of the pool in use (its buffers and the gaps between them), for tests. */
export function framePoolInUse(): number {
  if (first === starts.length) return 0;
  return head > tail ? head - tail : POOL_END - tail + (head - POOL_START);
}
