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
 * A {@link Connection} is its own outbox (it extends this class: one object
 * less per connection) and hears of its progress through the two protected
 * hooks.
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

/**
 * What waits in an outbox: made at the first frame or slot that has to wait, kept from then on (an outbox
 * that never holds anything, as an idle connection's, has none: five fields less per connection).
 */
class WaitingLine {
  /** What waits, oldest first from `head` (a moving start: no shifting of a long array). */
  items: Item[] = NO_ITEMS;
  head = 0;
  /** Bytes in `items` (frames, and the held size of waiting slots). */
  pending = 0;
  /** The barrier of the message being streamed: its fragments go in front of it. */
  barrier: Slot | null = null;
  /** Messages abandoned behind a stream that a close frame cut short (see the file's comment). */
  abandoned = 0;

  /** True when nothing waits. */
  get empty(): boolean {
    return this.head === this.items.length;
  }

  /** Queues an item behind what waits. */
  enqueue(item: Item): void {
    if (this.items === NO_ITEMS) this.items = [];
    this.items.push(item);
  }
}

/** Frames in call order on their way to the transport; see the file's comment. Nothing is written before the transport is set. */
export class Outbox implements ByteSink {
  /** What waits; null until something first had to. */
  private line: WaitingLine | null = null;

  /** @param transport - where the frames go, once it is up (null until then) */
  constructor(public transport: TransportConnection | null = null) {}

  /** Held bytes were handed to the transport (a subclass's drain waiters re-check). */
  protected outboxProgressed(): void {}

  /**
   * A close frame was handed to the transport (a subclass's close handshake clock starts then).
   *
   * @param held - it had waited here (handed over by a flush, which then calls {@link outboxProgressed}), not written at its call
   */
  protected closeWritten(_held: boolean): void {}

  /** The transport, which every write needs (the protocol writes only once the connection is open). */
  private get out(): TransportConnection {
    const transport = this.transport;
    if (transport === null) throw new Error('frame written before the transport is up');
    return transport;
  }

  /** Messages abandoned behind a stream that a close frame cut short (see the file's comment). */
  get abandoned(): number {
    return this.line?.abandoned ?? 0;
  }

  /** The waiting line, made the first time something has to wait. */
  private get waiting(): WaitingLine {
    return (this.line ??= new WaitingLine());
  }

  /** True while the transport's write buffer is over its high-water mark (automatic pongs coalesce then). */
  get needsDrain(): boolean {
    return this.transport?.needsDrain === true;
  }

  /** Bytes accepted but not yet handed to the OS (held here, or in the transport's buffer). */
  get bufferedAmount(): number {
    return (this.line?.pending ?? 0) + (this.transport?.bufferedAmount ?? 0);
  }

  /** A frame from the protocol: written now unless it must wait behind what is held (pings and pongs never wait). */
  write(frame: Uint8Array): void {
    const opcode = frame[0]! & 0x0f;
    const line = this.line;
    if (line !== null) {
      if (opcode === Opcode.CLOSE && line.barrier !== null) {
        this.cutStream(line, frame);
        return;
      }
      if (!line.empty && opcode !== Opcode.PING && opcode !== Opcode.PONG) {
        line.enqueue(frame);
        line.pending += frame.length;
        return;
      }
    }
    this.out.write(frame);
    if (opcode === Opcode.CLOSE) this.closeWritten(false);
  }

  /**
   * Room for a small frame written in place now (its offset in {@link writableBuffer}), or -1: only when nothing
   * waits here and the transport gathers writes (it offers both `writable` and `writableBuffer`).
   */
  writable(size: number): number {
    const transport = this.transport;
    return (this.line === null || this.line.empty) && transport !== null && transport.writable !== undefined && transport.writableBuffer !== undefined ? transport.writable(size) : -1;
  }

  /** The buffer the last {@link writable} offset points into (the transport's). */
  get writableBuffer(): Uint8Array | undefined {
    return this.transport?.writableBuffer;
  }

  /** Reserves the next place in the order for a message of `size` bytes whose frame comes later (compression). */
  reserve(size: number): Slot {
    const slot = new Slot(size);
    const line = this.waiting;
    line.enqueue(slot);
    line.pending += size;
    return slot;
  }

  /** The reserved message's frame is ready: it leaves in its place. */
  fill(slot: Slot, frame: Uint8Array): void {
    if (slot.dropped) return;
    this.waiting.pending += frame.length - slot.held;
    slot.held = frame.length;
    slot.frames.push(frame);
    slot.ready = true;
    this.flush();
  }

  /**
   * Starts a fragmented message: its frames go through {@link writeFragment} in front of a barrier, and
   * everything written meanwhile waits behind it until {@link releaseStream}.
   *
   * @throws Error when a message is already being streamed (callers serialize them)
   */
  holdForStream(): void {
    const line = this.waiting;
    if (line.barrier !== null) throw new Error('a message is already being streamed');
    line.barrier = new Slot(0);
    line.enqueue(line.barrier);
  }

  /** A fragment of the streamed message: it leaves as soon as everything before the barrier has. */
  writeFragment(frame: Uint8Array): void {
    const line = this.waiting;
    const barrier = line.barrier!;
    if (line.items[line.head] === barrier) this.out.write(frame);
    else {
      barrier.frames.push(frame);
      barrier.held += frame.length;
      line.pending += frame.length;
    }
  }

  /** True while a message is being streamed. */
  get streaming(): boolean {
    return this.line !== null && this.line.barrier !== null;
  }

  /** The streamed message is complete (or never sent a fragment): what waited behind it leaves. */
  releaseStream(): void {
    const barrier = this.line?.barrier ?? null;
    if (barrier === null) return;
    this.line!.barrier = null;
    barrier.ready = true;
    this.flush();
  }

  /** A close frame during a stream: it ends the stream in the next fragment's place; what waits behind is abandoned. */
  private cutStream(line: WaitingLine, close: Uint8Array): void {
    const barrier = line.barrier!;
    const items = line.items;
    const at = items.indexOf(barrier, line.head);
    for (let i = at + 1; i < items.length; i++) {
      const item = items[i]!;
      if (item instanceof Slot) {
        item.dropped = true;
        line.pending -= item.held;
      } else line.pending -= item.length;
      line.abandoned++;
    }
    items.length = at + 1;
    line.barrier = null;
    barrier.frames.push(close);
    barrier.held += close.length;
    line.pending += close.length;
    barrier.ready = true;
    this.flush();
  }

  /** Hands every frame at the head that is ready to the transport. */
  private flush(): void {
    const line = this.line;
    if (line === null) return;
    const items = line.items;
    let moved = false;
    while (line.head < items.length) {
      const item = items[line.head]!;
      if (item instanceof Slot) {
        if (!item.ready) {
          // A barrier now at the head: the fragments written before it got there leave; it stays.
          if (item === line.barrier && item.frames.length > 0) {
            this.handOver(line, item);
            moved = true;
          }
          break;
        }
        this.handOver(line, item);
      } else {
        this.out.write(item);
        line.pending -= item.length;
        if (isClose(item)) this.closeWritten(true);
      }
      items[line.head++] = undefined as unknown as Item;
      moved = true;
    }
    if (line.head === items.length) {
      line.items = NO_ITEMS;
      line.head = 0;
    } else if (line.head > 1024 && line.head * 2 > items.length) {
      line.items = items.slice(line.head);
      line.head = 0;
    }
    if (moved) this.outboxProgressed();
  }

  private handOver(line: WaitingLine, slot: Slot): void {
    const transport = this.out;
    for (const frame of slot.frames) {
      transport.write(frame);
      if (isClose(frame)) this.closeWritten(true);
    }
    line.pending -= slot.held;
    slot.frames = [];
    slot.held = 0;
  }

  /** The connection ended: drops what is held (nothing more can be written). */
  clear(): void {
    const line = this.line;
    if (line === null) return;
    for (let i = line.head; i < line.items.length; i++) {
      const item = line.items[i]!;
      if (item instanceof Slot) item.dropped = true;
    }
    line.items = NO_ITEMS;
    line.head = 0;
    line.pending = 0;
    line.barrier = null;
  }
}
