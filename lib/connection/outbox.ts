/**
 * Outbox: the order frames leave a connection in (SPEC "Send path"). Every
 * frame the protocol writes passes here, in call order: data messages, our
 * close frame and the echo of the server's. With nothing waiting, a frame
 * goes straight to the transport (the common case costs one branch). What
 * must wait is held in order behind a {@link Slot}: a place reserved for a
 * message that zlib is still compressing (filled when it is done), or a
 * barrier that keeps other messages behind a fragmented message being
 * streamed (fragments go in front of it). Pings and pongs are control frames
 * that RFC 6455 lets go ahead of queued messages, and do; a close never
 * overtakes a message.
 *
 * A close frame (ours or the echo of the server's) written while a message
 * is being streamed does not wait for the stream's end, which may never come:
 * it takes the place of the next fragment (RFC 6455 §5.4 lets control frames
 * interleave), so the peer discards the unfinished message (§7.1.4: the
 * connection closes before its last fragment), and what was sent behind the
 * stream is abandoned, counted in {@link Outbox.abandoned}: after a close
 * frame no data frame may follow (§5.5.1).
 *
 * `bufferedAmount` is what was accepted and not yet handed to the OS: the
 * held frames, the raw size of messages being compressed, and the
 * transport's own buffer.
 *
 * @see https://www.rfc-editor.org/rfc/rfc6455#section-5.4 (control frames "MAY be injected in the middle of a fragmented message")
 */
import { Opcode } from '../core/opcode.js';
import type { ByteSink } from '../core/protocol.js';
import type { TransportConnection } from '../transports/transport.js';

/** A place in the order: filled later with a frame (compression), or a barrier (a message being streamed). */
export class Slot {
  /** The frame(s) that take the slot's place once ready, in order. */
  frames: Uint8Array[] = [];
  /** Bytes counted for the slot while it waits (the raw message size for compression). */
  held: number;
  /** True once the slot may leave (its frames are known, or the barrier was lifted). */
  ready = false;
  /** True once the slot can never leave (the connection ended, or a close overtook the stream before it). */
  dropped = false;

  constructor(held: number) {
    this.held = held;
  }
}

type Item = Uint8Array | Slot;

/** The empty queue every idle outbox shares (frozen: a queue of its own is made at the first item that waits). */
const NO_ITEMS = Object.freeze([]) as unknown as Item[];

/** Whether a frame (its first byte) is a close frame. */
const isClose = (frame: Uint8Array): boolean => (frame[0]! & 0x0f) === Opcode.CLOSE;

/** Who an {@link Outbox} reports to (the connection). */
export interface OutboxOwner {
  /** Held bytes were handed to the transport (drain waiters re-check). */
  outboxProgressed(): void;
  /** A close frame was handed to the transport (the close handshake's clock starts then). */
  closeWritten(): void;
}

/** Frames in call order on their way to the transport; see the file's comment. */
export class Outbox implements ByteSink {
  /** What waits, oldest first from `head` (a moving start: no shifting of a long array). */
  private items: Item[] = NO_ITEMS;
  private head = 0;
  /** Bytes in `items` (frames, and the held size of waiting slots). */
  private pending = 0;
  /** The barrier of the message being streamed: its fragments go in front of it. */
  private barrier: Slot | null = null;
  /** Messages abandoned behind a stream that a close frame cut short (see the file's comment). */
  abandoned = 0;

  constructor(
    private readonly transport: TransportConnection,
    /** Told when held bytes were handed to the transport and when a close frame was (no closures per connection). */
    private readonly owner: OutboxOwner,
  ) {}

  /** True while the transport's write buffer is over its high-water mark (automatic pongs coalesce then). */
  get needsDrain(): boolean {
    return this.transport.needsDrain === true;
  }

  /** Bytes accepted but not yet handed to the OS (held here, or in the transport's buffer). */
  get bufferedAmount(): number {
    return this.pending + this.transport.bufferedAmount;
  }

  /** A frame from the protocol: written now unless it must wait behind what is held (pings and pongs never wait). */
  write(frame: Uint8Array): void {
    const opcode = frame[0]! & 0x0f;
    if (opcode === Opcode.CLOSE && this.barrier !== null) {
      this.cutStream(frame);
      return;
    }
    if (this.head === this.items.length || opcode === Opcode.PING || opcode === Opcode.PONG) {
      this.transport.write(frame);
      if (opcode === Opcode.CLOSE) this.owner.closeWritten();
      return;
    }
    this.enqueue(frame);
    this.pending += frame.length;
  }

  /**
   * Room for a small frame written in place now (its offset in {@link writableBuffer}), or -1: only when nothing
   * waits here and the transport gathers writes (it offers both `writable` and `writableBuffer`).
   */
  writable(size: number): number {
    const transport = this.transport;
    return this.head === this.items.length && transport.writable !== undefined && transport.writableBuffer !== undefined ? transport.writable(size) : -1;
  }

  /** The buffer the last {@link writable} offset points into (the transport's). */
  get writableBuffer(): Uint8Array | undefined {
    return this.transport.writableBuffer;
  }

  /** Reserves the next place in the order for a message of `size` bytes whose frame comes later (compression). */
  reserve(size: number): Slot {
    const slot = new Slot(size);
    this.enqueue(slot);
    this.pending += size;
    return slot;
  }

  /** The reserved message's frame is ready: it leaves in its place. */
  fill(slot: Slot, frame: Uint8Array): void {
    if (slot.dropped) return;
    this.pending += frame.length - slot.held;
    slot.held = frame.length;
    slot.frames.push(frame);
    slot.ready = true;
    this.flush();
  }

  /**
   * Starts a fragmented message: its frames go through {@link writeFragment} in front of a barrier, and
   * everything written meanwhile waits behind it until {@link endStream}.
   *
   * @throws Error when a message is already being streamed (callers serialize them)
   */
  startStream(): void {
    if (this.barrier !== null) throw new Error('a message is already being streamed');
    this.barrier = new Slot(0);
    this.enqueue(this.barrier);
  }

  /** A fragment of the streamed message: it leaves as soon as everything before the barrier has. */
  writeFragment(frame: Uint8Array): void {
    const barrier = this.barrier!;
    if (this.items[this.head] === barrier) this.transport.write(frame);
    else {
      barrier.frames.push(frame);
      barrier.held += frame.length;
      this.pending += frame.length;
    }
  }

  /** True while a message is being streamed. */
  get streaming(): boolean {
    return this.barrier !== null;
  }

  /** The streamed message is complete: what waited behind it leaves. */
  endStream(): void {
    const barrier = this.barrier;
    if (barrier === null) return;
    this.barrier = null;
    barrier.ready = true;
    this.flush();
  }

  /** A close frame during a stream: it ends the stream in the next fragment's place; what waits behind is abandoned. */
  private cutStream(close: Uint8Array): void {
    const barrier = this.barrier!;
    const items = this.items;
    const at = items.indexOf(barrier, this.head);
    for (let i = at + 1; i < items.length; i++) {
      const item = items[i]!;
      if (item instanceof Slot) {
        item.dropped = true;
        this.pending -= item.held;
      } else this.pending -= item.length;
      this.abandoned++;
    }
    items.length = at + 1;
    this.barrier = null;
    barrier.frames.push(close);
    barrier.held += close.length;
    this.pending += close.length;
    barrier.ready = true;
    this.flush();
  }

  /** Queues an item behind what waits. */
  private enqueue(item: Item): void {
    if (this.items === NO_ITEMS) this.items = [];
    this.items.push(item);
  }

  /** Hands every frame at the head that is ready to the transport. */
  private flush(): void {
    const items = this.items;
    let moved = false;
    while (this.head < items.length) {
      const item = items[this.head]!;
      if (item instanceof Slot) {
        if (!item.ready) {
          // A barrier now at the head: the fragments written before it got there leave; it stays.
          if (item === this.barrier && item.frames.length > 0) {
            this.handOver(item);
            moved = true;
          }
          break;
        }
        this.handOver(item);
      } else {
        this.transport.write(item);
        this.pending -= item.length;
        if (isClose(item)) this.owner.closeWritten();
      }
      items[this.head++] = undefined as unknown as Item;
      moved = true;
    }
    if (this.head === items.length) {
      this.items = NO_ITEMS;
      this.head = 0;
    } else if (this.head > 1024 && this.head * 2 > items.length) {
      this.items = items.slice(this.head);
      this.head = 0;
    }
    if (moved) this.owner.outboxProgressed();
  }

  private handOver(slot: Slot): void {
    for (const frame of slot.frames) {
      this.transport.write(frame);
      if (isClose(frame)) this.owner.closeWritten();
    }
    this.pending -= slot.held;
    slot.frames = [];
    slot.held = 0;
  }

  /** The connection ended: drops what is held (nothing more can be written). */
  clear(): void {
    for (let i = this.head; i < this.items.length; i++) {
      const item = this.items[i]!;
      if (item instanceof Slot) item.dropped = true;
    }
    this.items = NO_ITEMS;
    this.head = 0;
    this.pending = 0;
    this.barrier = null;
  }
}
