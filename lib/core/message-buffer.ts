/**
 * MessageBuffer: the payload bytes of a data message in flight, held so that
 * memory follows the bytes actually received — never the length a frame
 * header announces (a peer may announce 100 MiB and send 5 bytes) — and with
 * no object per fragment (a peer may send millions of one-byte fragments).
 *
 * Parts arrive as views of the chunks pushed to the parser. Once the
 * message's size is known (its last frame has begun) and within the budget —
 * at most twice the bytes received plus one socket read (ALLOC_SLACK) — the
 * buffer of that exact size is allocated and every part is copied into it as
 * it arrives: one allocation and one copy, as when the size could be trusted.
 * Before that, a large part is kept as the view it is when the memory behind
 * it fits the budget (twice the bytes received plus one read slab, VIEW_SLACK:
 * that memory was allocated for bytes received, not for a header), and any
 * other part is copied into a tail buffer that grows geometrically. The pieces
 * are joined once, at the exact size, when the buffer is promoted or at the end.
 *
 * Invariants: what the header's length makes this buffer allocate is at most
 * `2 × length + ALLOC_SLACK`; `heldBytes ≤ 2 × length + VIEW_SLACK + MIN_TAIL`.
 *
 * RFC 6455 §10.4: "a malicious endpoint can try to exhaust its peer's memory or mount a denial-of-service attack
 * by sending either a single big frame (e.g., of size 2**60) or by sending a long stream of small frames that are
 * a part of a fragmented message."
 *
 * @see https://www.rfc-editor.org/rfc/rfc6455#section-10.4
 */
import { PayloadTooLargeError } from './errors.js';

/** A part at least this long may be kept as a view of its chunk instead of being copied. */
const MIN_VIEW = 4096;
/** Allocation the budget allows beyond twice the bytes received, for the message's exact buffer: one socket read. */
const ALLOC_SLACK = 64 * 1024;
/** Memory kept views may hold beyond twice the bytes received: one read slab (Node's owned reads fill slabs of 256 KiB). */
const VIEW_SLACK = 256 * 1024;
/** First capacity of the tail. */
const MIN_TAIL = 256;
/**
 * A message whose rest is at most this long when its size becomes known stays a view of the read it began in
 * while its next parts come right after it in the same memory: Node's owned reads fill a slab and leave at
 * least this much room for the next read (socket-stream's MIN_SLAB_READ), so the rest usually does. No buffer
 * of its own, no copy, and the next read is not cut short at the message's end (as reading into an exact
 * buffer must be). A part elsewhere promotes it as any other message.
 */
const CONTIGUOUS_REST = 16 * 1024;

const EMPTY = new Uint8Array(0);

const uint8View = (memory: ArrayBufferLike, byteOffset: number, length: number): Uint8Array => new Uint8Array(memory, byteOffset, length);

/** Gathers the parts of one message at a time; see the file comment for the memory rules. */
export class MessageBuffer {
  private readonly alloc: (size: number) => Uint8Array;
  /** Kept views and sealed tails, in order, before `tail`. */
  private readonly pieces: Uint8Array[] = [];
  private piecesLength = 0;
  /** Where small parts are copied; sealed into `pieces` when a kept view follows it. */
  private tail: Uint8Array | null = null;
  private tailLength = 0;
  /** Memory held: tail capacities (sealed ones included) and the whole buffers behind kept views. */
  private held = 0;
  /** True once the tail is the message's own buffer, of its exact size: every part goes straight into it. */
  private exact = false;
  /** The memory behind the last kept view: counted once in `held` for all the consecutive views into it. */
  private lastBehind: ArrayBufferLike | null = null;

  private readonly view: (memory: ArrayBufferLike, byteOffset: number, length: number) => Uint8Array;

  /**
   * @param alloc - allocator (Node passes its unsafe pooled one)
   * @param view - a view of received memory, of the type `alloc` makes (Node passes its own buffer views)
   */
  constructor(alloc: (size: number) => Uint8Array, view: (memory: ArrayBufferLike, byteOffset: number, length: number) => Uint8Array = uint8View) {
    this.alloc = alloc;
    this.view = view;
  }

  /** Bytes appended since the last `take()` or `clear()`. */
  get length(): number {
    return this.piecesLength + this.tailLength;
  }

  /** Memory this buffer keeps alive, in bytes (for the bound above and its tests). */
  get heldBytes(): number {
    return this.held;
  }

  /**
   * Appends a part of the message.
   *
   * @param part - the bytes; kept as a view or copied, never modified
   * @param limit - the most bytes the message can reach: its exact size when `known`, else the largest
   *   message allowed (the tail never grows past what it could need)
   * @param known - `limit` is the message's exact size (its last frame has begun)
   * @param transient - `part`'s memory is reused after the call: it is copied, never kept as a view
   * @throws {@link PayloadTooLargeError} when the buffer cannot be allocated
   */
  append(part: Uint8Array, limit: number, known: boolean, transient = false): void {
    const length = part.length;
    if (!this.exact) {
      // The part right after the last kept view, in the same memory (the next read of the same slab): one view.
      if (!transient && this.extendsLastView(part)) return;
      if (known) {
        if (!transient && this.length === 0 && length > 0 && limit - length <= CONTIGUOUS_REST && this.viewFits(part)) {
          this.keepView(part);
          return;
        }
        if (limit <= 2 * (this.length + length) + ALLOC_SLACK) this.promote(limit);
      }
    }
    if (this.exact) {
      const tail = this.tail!;
      // Read straight into its place (see readTarget): nothing to copy.
      if (part.buffer !== tail.buffer || part.byteOffset !== tail.byteOffset + this.tailLength) tail.set(part, this.tailLength);
      this.tailLength += length;
      return;
    }
    if (length >= MIN_VIEW && !transient && this.viewFits(part)) {
      this.keepView(part);
      return;
    }
    const need = this.tailLength + length;
    const tail = this.tail !== null && need <= this.tail.length ? this.tail : this.grow(need, limit - this.piecesLength);
    tail.set(part, this.tailLength);
    this.tailLength = need;
  }

  /** True when keeping `part` as a view holds no more than twice the bytes received plus one read slab (VIEW_SLACK). */
  private viewFits(part: Uint8Array): boolean {
    const memory = part.buffer;
    const behind = memory === this.lastBehind ? 0 : memory.byteLength;
    return this.held + behind <= 2 * (this.length + part.length) + VIEW_SLACK;
  }

  /** Keeps `part` as a view of its memory (counted once in `held` for consecutive views into the same memory). */
  private keepView(part: Uint8Array): void {
    const memory = part.buffer;
    if (this.tailLength > 0) this.seal();
    this.pieces.push(part);
    this.piecesLength += part.length;
    if (memory !== this.lastBehind) this.held += memory.byteLength;
    this.lastBehind = memory;
  }

  /** Merges `part` into the last kept view when it follows it directly in the same memory (nothing after it yet). */
  private extendsLastView(part: Uint8Array): boolean {
    const pieces = this.pieces;
    const last = pieces.length > 0 && this.tailLength === 0 ? pieces[pieces.length - 1]! : null;
    if (last === null || part.buffer !== last.buffer || part.byteOffset !== last.byteOffset + last.length || part.length === 0) return false;
    pieces[pieces.length - 1] = this.view(last.buffer, last.byteOffset, last.length + part.length);
    this.piecesLength += part.length;
    return true;
  }

  /**
   * Where the message's next bytes go, once its buffer of exact size exists (else null): a transport may read
   * into it, and `append` of that very view then copies nothing. At most `limit` bytes.
   */
  readTarget(limit: number): Uint8Array | null {
    if (!this.exact) return null;
    const tail = this.tail!;
    const end = Math.min(tail.length, this.tailLength + limit);
    return end > this.tailLength ? tail.subarray(this.tailLength, end) : null;
  }

  /**
   * Hands out the message and empties the buffer: a kept view or the tail when it alone is exactly the
   * message, else one new buffer of the exact length.
   *
   * @throws {@link PayloadTooLargeError} when the joined buffer cannot be allocated
   */
  take(): Uint8Array {
    const pieces = this.pieces;
    const tail = this.tail;
    let data: Uint8Array;
    if (pieces.length === 0) data = tail === null ? EMPTY : this.tailLength === tail.length ? tail : this.join();
    else data = pieces.length === 1 && this.tailLength === 0 ? pieces[0]! : this.join();
    this.clear();
    return data;
  }

  /** Drops the message in progress. */
  clear(): void {
    this.pieces.length = 0;
    this.piecesLength = 0;
    this.tail = null;
    this.tailLength = 0;
    this.held = 0;
    this.exact = false;
    this.lastBehind = null;
  }

  /** Allocates the message's buffer at its exact `size` and moves what was gathered so far into it. */
  private promote(size: number): void {
    const length = this.length;
    const buffer = length === 0 ? this.allocate(size) : this.join(size);
    this.clear();
    this.tail = buffer;
    this.tailLength = length;
    this.held = size;
    this.exact = true;
  }

  /** Moves the tail's bytes into `pieces`, so that a kept view can follow them in order. */
  private seal(): void {
    this.pieces.push(this.tail!.subarray(0, this.tailLength));
    this.piecesLength += this.tailLength;
    this.tail = null;
    this.tailLength = 0;
  }

  /** A tail of at least `need` bytes: twice the old one (or MIN_TAIL), capped at `limit`, the old bytes copied. */
  private grow(need: number, limit: number): Uint8Array {
    const old = this.tail;
    const oldSize = old?.length ?? 0;
    const size = Math.max(need, Math.min(limit, Math.max(2 * oldSize, MIN_TAIL)));
    const tail = this.allocate(size);
    if (old !== null && this.tailLength > 0) tail.set(old.subarray(0, this.tailLength));
    this.held += size - oldSize;
    this.tail = tail;
    return tail;
  }

  /** The pieces and the tail copied, in order, into one new buffer of `size` bytes (at least their length). */
  private join(size = this.length): Uint8Array {
    const data = this.allocate(size);
    let at = 0;
    for (const piece of this.pieces) {
      data.set(piece, at);
      at += piece.length;
    }
    if (this.tailLength > 0) data.set(this.tail!.subarray(0, this.tailLength), at);
    return data;
  }

  /**
   * RFC 6455 §7.4.1: 1009 "indicates that an endpoint is terminating the connection because it has received a
   * message that is too big for it to process": what the allocator cannot hold is too big.
   */
  private allocate(size: number): Uint8Array {
    try {
      return this.alloc(size);
    } catch (error) {
      if (!(error instanceof RangeError)) throw error;
      throw new PayloadTooLargeError(`message of ${size} bytes is too large to buffer`);
    }
  }
}
