import { framePoolInUse } from '../../lib/core/frame-pool.js';
import { netStream } from '../../lib/transports/net.js';
import type { ReadHint, TransportConnection } from '../../lib/transports/transport.js';
import { startRawServer, SWITCHING, type RawServer } from '../helpers/raw-server.js';
import { record, targetFor } from '../helpers/transport-target.js';
import { waitFor } from '../helpers/wait-for.js';

/** What the frame pool reserves for a buffer: 64-byte steps. */
const reserved = (size: number): number => Math.ceil(size / 64) * 64;

describe('netStream', () => {
  let server: RawServer;

  afterEach(async () => server?.close());

  it('writes the upgrade request, emits open then data and completes when the server ends', async () => {
    server = await startRawServer({ answer: `${SWITCHING}\x81\x02hi`, end: true });
    const target = targetFor(`ws://127.0.0.1:${server.port}/feed?x=1`);
    const recording = record(netStream(target));

    expect(await recording.done).toBeNull();
    expect(server.requests).toEqual([Buffer.from(target.request.bytes).toString('latin1')]);
    expect(server.requests[0]).toMatch(/^GET \/feed\?x=1 HTTP\/1\.1\r\n/);
    expect(recording.types()).toEqual(['open', 'data']);
    expect(recording.events[0]).toMatchObject({ type: 'open', proxy: null });
    expect(recording.text()).toBe(`${SWITCHING}\x81\x02hi`);
  });

  it('emits the received chunks as Buffers, without copying them into another type', async () => {
    server = await startRawServer({ end: true });
    const recording = record(netStream(targetFor(`ws://127.0.0.1:${server.port}/`)));

    await recording.done;
    const chunks = recording.events.flatMap((event) => (event.type === 'data' ? [event.chunk] : []));
    expect(chunks.length).toBeGreaterThan(0);
    for (const chunk of chunks) expect(Buffer.isBuffer(chunk)).toBe(true);
  });

  it('reads into one buffer shared by its sockets and marks those chunks transient', async () => {
    server = await startRawServer({ answer: `${SWITCHING}\x81\x02hi`, end: true });
    const seen: Array<{ transient: boolean | undefined; buffer: ArrayBufferLike; text: string }> = [];
    const open = (path: string): Promise<void> =>
      new Promise((resolve, reject) => {
        netStream(targetFor(`ws://127.0.0.1:${server.port}${path}`)).subscribe({
          next: (event) => {
            if (event.type === 'data') seen.push({ transient: event.transient, buffer: event.chunk.buffer, text: Buffer.from(event.chunk).toString('latin1') });
          },
          error: reject,
          complete: resolve,
        });
      });
    await Promise.all([open('/a'), open('/b')]);

    expect(seen.length).toBeGreaterThanOrEqual(2);
    expect(seen.every((chunk) => chunk.transient === true)).toBe(true);
    expect(new Set(seen.map((chunk) => chunk.buffer)).size).toBe(1);
    expect(seen.map((chunk) => chunk.text).join('')).toBe(`${SWITCHING}\x81\x02hi`.repeat(2));
  });

  /** Connects with `hint` set at `open`, waits for the 101 head, then has the server send `tail` and end; the chunks as they came. */
  async function readWithHint(hint: ReadHint, tail: string): Promise<Array<{ transient: boolean | undefined; chunk: Uint8Array }>> {
    server = await startRawServer();
    const chunks: Array<{ transient: boolean | undefined; chunk: Uint8Array }> = [];
    const done = new Promise<void>((resolve, reject) => {
      netStream(targetFor(`ws://127.0.0.1:${server.port}/`)).subscribe({
        next: (event) => {
          if (event.type === 'open') event.connection.readHint = hint;
          else if (event.type === 'data') chunks.push({ transient: event.transient, chunk: event.chunk });
        },
        error: reject,
        complete: resolve,
      });
    });
    const socket = await server.connection(0);
    await new Promise<void>((resolve) => {
      const check = (): void => (chunks.length > 0 ? resolve() : void setImmediate(check));
      check();
    });
    socket.end(Buffer.from(tail, 'latin1'));
    await done;
    return chunks;
  }

  it('reads into a buffer of its own once the session\'s read hint prefers owned chunks', async () => {
    const chunks = await readWithHint({ prefersOwnedChunks: true, readTarget: () => null }, '\x81\x03abc');

    // The first read's buffer was chosen before the hint; every later chunk is the chunk's own memory.
    expect(chunks.length).toBeGreaterThanOrEqual(2);
    expect(chunks.slice(1).every(({ transient }) => transient !== true)).toBe(true);
    expect(Buffer.from(chunks.at(-1)!.chunk).toString('latin1')).toBe('\x81\x03abc');
  });

  it('fills one slab with consecutive owned reads, each chunk its own part of it, none overwritten', async () => {
    server = await startRawServer();
    const chunks: Uint8Array[] = [];
    const done = new Promise<void>((resolve, reject) => {
      netStream(targetFor(`ws://127.0.0.1:${server.port}/`)).subscribe({
        next: (event) => {
          if (event.type === 'open') event.connection.readHint = { prefersOwnedChunks: true, readTarget: () => null };
          else if (event.type === 'data') chunks.push(event.chunk);
        },
        error: reject,
        complete: resolve,
      });
    });
    const socket = await server.connection(0);
    await waitFor(() => chunks.length > 0);
    const pieces = ['first', 'second', 'third', 'fourth'];
    for (const piece of pieces) {
      const before = chunks.length;
      socket.write(piece);
      await waitFor(() => chunks.length > before);
    }
    socket.end();
    await done;

    const owned = chunks.slice(1); // the first read's buffer was chosen before the hint
    expect(owned.map((chunk) => Buffer.from(chunk).toString()).join('')).toBe(pieces.join(''));
    expect(new Set(owned.map((chunk) => chunk.buffer)).size).toBe(1);
    for (let i = 1; i < owned.length; i++) expect(owned[i]!.byteOffset).toBe(owned[i - 1]!.byteOffset + owned[i - 1]!.length);
  });

  it('reads straight into the region the read hint offers as its target', async () => {
    const message = Buffer.alloc(1000);
    let offered = false;
    const chunks = await readWithHint({ prefersOwnedChunks: true, readTarget: () => ((offered = true), message.subarray(100, 110)) }, '0123456789');

    expect(offered).toBe(true);
    const last = chunks.at(-1)!;
    expect(last.transient).not.toBe(true);
    expect(last.chunk.buffer).toBe(message.buffer); // a view of the region offered, not a copy
    expect(Buffer.from(message.subarray(100, 110)).toString('latin1')).toBe('0123456789');
  });

  /** Connects to a raw server that answers the upgrade; the write side, and what the server received so far. */
  async function openWritable(): Promise<{ connection: TransportConnection; received: Buffer[]; recording: ReturnType<typeof record> }> {
    server = await startRawServer({ answer: SWITCHING });
    const received: Buffer[] = [];
    const recording = record(netStream(targetFor(`ws://127.0.0.1:${server.port}/`)));
    await recording.until((r) => r.types().includes('data'));
    const socket = await server.connection(0);
    socket.on('data', (chunk: Buffer) => received.push(chunk));
    const open = recording.events.find((event) => event.type === 'open');
    if (open?.type !== 'open') throw new Error('no open event');
    return { connection: open.connection, received, recording };
  }

  it('gathers a tick\'s small writes into one buffer, keeps the order with large ones, and counts them as buffered', async () => {
    const sizes = [10, 20_000, 30, 700, 40_000, 5];
    const expected = Buffer.concat(sizes.map((size, i) => Buffer.alloc(size, i + 1)));
    const { connection, received, recording } = await openWritable();
    let inTick = -1;
    let first = -1;
    for (const [i, size] of sizes.entries()) {
      if (i === 2) {
        // Written in place: the region given is filled now and leaves in its turn.
        const at = connection.writable!(size);
        connection.writableBuffer!.fill(i + 1, at, at + size);
      } else {
        connection.write(Buffer.alloc(size, i + 1));
      }
      if (i === 0) first = connection.bufferedAmount;
    }
    inTick = connection.bufferedAmount;
    await waitFor(() => Buffer.concat(received).length >= expected.length);
    recording.subscription.unsubscribe();

    expect(Buffer.concat(received).equals(expected)).toBe(true);
    expect(first).toBe(10); // gathered, not yet handed to the socket
    expect(inTick).toBeGreaterThanOrEqual(5); // the small write after the last large one is still gathered
  });

  it('builds large frames and gathers small ones in the frame pool, in order, and gives the pool back once written', async () => {
    const sizes = [10, 70_000, 30, 20_000, 5, 200_000];
    const expected = Buffer.concat(sizes.map((size, i) => Buffer.alloc(size, i + 1)));
    const { connection, received, recording } = await openWritable();
    const rooms = sizes.map((size, i) => {
      const at = connection.writable!(size);
      const room = connection.writableBuffer!;
      room.fill(i + 1, at, at + size);
      return room;
    });
    const pooled = framePoolInUse();
    await waitFor(() => Buffer.concat(received).length >= expected.length);
    await waitFor(() => framePoolInUse() === 0);
    recording.subscription.unsubscribe();

    expect(Buffer.concat(received).equals(expected)).toBe(true);
    // The large frames in the pool, and so each run of small ones before them, gathered in a 1 KiB pool buffer.
    expect(rooms.every((room) => room.buffer === rooms[1]!.buffer)).toBe(true);
    expect(pooled).toBe(reserved(70_000) + reserved(20_000) + reserved(200_000) + 3 * 1024);
  });

  it('gives the frame pool back when the socket is destroyed before its frames left', async () => {
    const { connection } = await openWritable();
    for (let i = 0; i < 3; i++) {
      const at = connection.writable!(100_000);
      connection.writableBuffer!.fill(i, at, at + 100_000);
    }
    expect(framePoolInUse()).toBe(3 * reserved(100_000));
    connection.destroy(); // still corked: nothing went to the OS

    await waitFor(() => framePoolInUse() === 0);
    expect(connection.writable!(100_000)).toBe(-1); // destroyed: no more rooms
  });

  it('takes no frame from the pool while its socket has a megabyte queued: a stalled peer leaves it to the others', async () => {
    const { connection, recording } = await openWritable();
    connection.write(Buffer.alloc(1024 * 1024)); // corked until the end of the tick: all of it queued

    expect(connection.writable!(100_000)).toBe(-1);
    expect(framePoolInUse()).toBe(0);
    recording.subscription.unsubscribe();
  });

  it('errors with node\'s message when the connection is refused', async () => {
    server = await startRawServer();
    const port = server.port;
    await server.close();
    const recording = record(netStream(targetFor(`ws://127.0.0.1:${port}/`)));

    const error = await recording.done;
    expect(error).toBeInstanceOf(Error);
    expect(error!.message).toBe(`connect ECONNREFUSED 127.0.0.1:${port}`);
    expect(recording.events).toEqual([]);
  });

  it('destroys the socket when unsubscribed after open, and the server sees the close', async () => {
    server = await startRawServer();
    const recording = record(netStream(targetFor(`ws://127.0.0.1:${server.port}/`)));
    await recording.until((r) => r.types().includes('data'));

    recording.subscription.unsubscribe();

    await expect(server.closed(0)).resolves.toBeUndefined();
  });

  it('can be unsubscribed while still connecting without any event or error', async () => {
    server = await startRawServer();
    const recording = record(netStream(targetFor(`ws://127.0.0.1:${server.port}/`)));

    recording.subscription.unsubscribe();
    // A second connection's full round trip: anything the first could still have done would have happened by then.
    const sentinel = record(netStream(targetFor(`ws://127.0.0.1:${server.port}/sentinel`)));
    await sentinel.until((r) => r.types().includes('data'));
    sentinel.subscription.unsubscribe();

    expect(recording.events).toEqual([]);
    expect(server.requests).toHaveLength(1);
    expect(server.requests[0]).toMatch(/^GET \/sentinel /);
  });
});
