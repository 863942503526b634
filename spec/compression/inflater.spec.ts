/**
 * MessageInflater: RFC 7692 §7.2.2 decompression, bounded while inflating.
 */
import { constants, createDeflateRaw, deflateRawSync, type InflateRaw } from 'node:zlib';
import { PayloadTooLargeError, ProtocolError } from '../../lib/core/errors.js';
import { DEFLATE_TAIL, MessageInflater, type ChunkCheck, type InflaterOptions } from '../../lib/compression/inflater.js';
import { ZlibLimiter } from '../../lib/compression/zlib-limiter.js';

// A transparent wrapper around zlib that records every inflate stream and the bytes it produces.
const produced = new Map<InflateRaw, number>();
jest.mock('node:zlib', () => {
  const actual = jest.requireActual<typeof import('node:zlib')>('node:zlib');
  return {
    ...actual,
    createInflateRaw: (options: import('node:zlib').ZlibOptions) => {
      const stream = actual.createInflateRaw(options);
      produced.set(stream, 0);
      const push = stream.push.bind(stream);
      stream.push = (chunk: Buffer | null) => {
        if (chunk !== null) produced.set(stream, produced.get(stream)! + chunk.length);
        return push(chunk);
      };
      return stream;
    },
  };
});

const MiB = 1024 * 1024;
/** Resolves when a (destroyed) zlib stream has emitted 'close': no callback of it can come after. */
const closed = (stream: InflateRaw): Promise<void> => (stream.closed ? Promise.resolve() : new Promise((resolve) => stream.once('close', () => resolve())));
const utf8 = (text: string): Buffer => Buffer.from(text, 'utf8');

/** Compresses like a server: one sync-flushed raw deflate stream per call, tail removed. */
function deflateMessage(data: Uint8Array, windowBits = 15): Buffer {
  const all = deflateRawSync(data, { windowBits, finishFlush: constants.Z_SYNC_FLUSH });
  return all.subarray(0, all.length - 4);
}

/** Compresses several messages on one stream (context takeover), each sync-flushed, tails removed. */
async function deflateMessages(messages: Uint8Array[], windowBits = 15): Promise<Buffer[]> {
  const stream = createDeflateRaw({ windowBits });
  const chunks: Buffer[] = [];
  stream.on('data', (chunk: Buffer) => chunks.push(chunk));
  const out: Buffer[] = [];
  for (const message of messages) {
    stream.write(message);
    await new Promise<void>((resolve) => stream.flush(constants.Z_SYNC_FLUSH, () => resolve()));
    const all = Buffer.concat(chunks.splice(0));
    out.push(all.subarray(0, all.length - 4));
  }
  stream.close();
  return out;
}

/** Byte equality without jest's element-by-element diff (slow on big buffers). */
const same = (actual: Buffer | ProtocolError, expected: Uint8Array): boolean => Buffer.isBuffer(actual) && actual.equals(expected);

/** Inflates one message, resolving with the data or the error. */
function inflateOnce(inflater: MessageInflater, data: Uint8Array, check: ChunkCheck | null = null): Promise<Buffer | ProtocolError> {
  return new Promise((resolve) => inflater.inflate(data, check, (error, out) => resolve(error ?? out!)));
}

/** Words drawn by a fixed LCG: compressible, but not trivially, and with long-range repeats. */
function sampleText(size: number): Buffer {
  const words = ['lomond', 'websocket', 'deflate', 'window', 'rfc7692', 'éàü', '日本語', 'frame', 'inflate', 'zlib', 'mask', 'opcode'];
  const parts: string[] = [];
  let seed = 12345;
  let length = 0;
  while (length < size) {
    seed = (seed * 1103515245 + 12345) >>> 0;
    const word = words[seed % words.length]! + String(seed % 997) + ' ';
    parts.push(word);
    length += word.length;
  }
  return utf8(parts.join('')).subarray(0, size);
}

const inflaters: MessageInflater[] = [];
const create = (options: Partial<InflaterOptions> = {}): MessageInflater => {
  const inflater = new MessageInflater({ windowBits: 15, noContextTakeover: false, maxSize: 64 * MiB, ...options });
  inflaters.push(inflater);
  return inflater;
};
afterEach(() => {
  for (const inflater of inflaters.splice(0)) inflater.close();
  produced.clear();
});

describe('MessageInflater', () => {
  describe('RFC 7692 §7.2.2 decompression', () => {
    it('appends 00 00 FF FF and inflates a message', async () => {
      expect(Array.from(DEFLATE_TAIL)).toEqual([0x00, 0x00, 0xff, 0xff]);
      const text = sampleText(5000);
      await expect(inflateOnce(create(), deflateMessage(text))).resolves.toEqual(text);
    });

    it('inflates an empty payload (just the tail) to an empty message', async () => {
      const out = await inflateOnce(create(), new Uint8Array(0));
      expect(out).toEqual(Buffer.alloc(0));
    });

    it('inflates a message that ends with a final deflate block, then the next message on a fresh stream', async () => {
      const inflater = create();
      await expect(inflateOnce(inflater, deflateRawSync(utf8('final block')))).resolves.toEqual(utf8('final block'));
      await expect(inflateOnce(inflater, deflateMessage(utf8('after it')))).resolves.toEqual(utf8('after it'));
    });

    it('keeps the context between messages (context takeover)', async () => {
      const first = sampleText(4000);
      const [a, b] = await deflateMessages([first, first]);
      expect(b!.length).toBeLessThan(a!.length / 4); // the second message refers back to the first
      const inflater = create();
      await expect(inflateOnce(inflater, a!)).resolves.toEqual(first);
      await expect(inflateOnce(inflater, b!)).resolves.toEqual(first);
    });

    it('resets the context after each message with server_no_context_takeover', async () => {
      const first = sampleText(4000);
      const [a, b] = await deflateMessages([first, first]);
      const inflater = create({ noContextTakeover: true });
      await expect(inflateOnce(inflater, a!)).resolves.toEqual(first);
      // A message that refers to the previous one cannot be inflated from an empty window.
      const error = await inflateOnce(inflater, b!);
      expect(error).toBeInstanceOf(ProtocolError);
      expect(error).toMatchObject({ closeCode: 1007 });
      // Independent messages (what such a server sends) inflate one after the other.
      const fresh = create({ noContextTakeover: true });
      await expect(inflateOnce(fresh, deflateMessage(first))).resolves.toEqual(first);
      await expect(inflateOnce(fresh, deflateMessage(first))).resolves.toEqual(first);
    });

    it.each([9, 10, 11, 12, 13, 14, 15])('inflates with server_max_window_bits=%i', async (bits) => {
      const text = sampleText(100_000);
      const inflater = create({ windowBits: bits });
      const [a, b] = await deflateMessages([text, text], bits);
      expect(same(await inflateOnce(inflater, a!), text)).toBe(true);
      expect(same(await inflateOnce(inflater, b!), text)).toBe(true);
    });

    it('inflates with server_max_window_bits=8 (zlib window 9)', async () => {
      const text = sampleText(20_000);
      expect(same(await inflateOnce(create({ windowBits: 8 }), deflateMessage(text, 8)), text)).toBe(true);
    });

    it('fails with 1007 when the server uses a larger window than server_max_window_bits', async () => {
      const text = sampleText(100_000);
      const error = await inflateOnce(create({ windowBits: 9 }), deflateMessage(text, 15));
      expect(error).toBeInstanceOf(ProtocolError);
      expect(error).toMatchObject({ closeCode: 1007, message: 'invalid compressed data (invalid distance too far back)' });
    });

    it('rejects window bits outside 8-15', () => {
      expect(() => create({ windowBits: 16 })).toThrow(new RangeError('invalid window bits 16 (expected an integer 8-15)'));
    });
  });

  describe('failures', () => {
    it('fails with 1007 on invalid deflate data', async () => {
      const error = await inflateOnce(create(), Uint8Array.of(0xff, 0xff, 0xff));
      expect(error).toBeInstanceOf(ProtocolError);
      expect(error).toMatchObject({ closeCode: 1007, message: 'invalid compressed data (invalid block type)' });
    });

    it('fails with 1007 "invalid utf-8" when the chunk check refuses, before inflating the rest', async () => {
      const data = Buffer.concat([Buffer.alloc(4 * MiB, 0x61), Buffer.from([0xff])]);
      const inflater = create();
      let seen = 0;
      const error = await inflateOnce(inflater, deflateMessage(data), (chunk) => {
        seen += chunk.length;
        return seen < 64 * 1024;
      });
      expect(error).toBeInstanceOf(ProtocolError);
      expect(error).toMatchObject({ closeCode: 1007, message: 'invalid utf-8' });
      expect([...produced.values()][0]).toBeLessThan(MiB);
    });

    it('stops a decompression bomb at maxMessageSize: 1009, and never holds more than the bound', async () => {
      const bomb = deflateMessage(Buffer.alloc(100 * MiB));
      expect(bomb.length).toBeLessThan(120_000);
      const inflater = create({ maxSize: MiB });
      let held = 0;
      const error = await inflateOnce(inflater, bomb, (chunk) => {
        held += chunk.length;
        return true;
      });
      expect(error).toBeInstanceOf(PayloadTooLargeError);
      expect(error).toMatchObject({ closeCode: 1009, message: 'inflated message exceeds 1048576 bytes' });
      // Every chunk handed on stayed within the bound; zlib stopped one 64 KiB output chunk past it.
      expect(held).toBeLessThanOrEqual(MiB);
      // Whatever zlib still had in flight is out once the destroyed stream closed.
      await Promise.all([...produced.keys()].map(closed));
      const total = [...produced.values()].reduce((a, b) => a + b, 0);
      expect(total).toBeLessThanOrEqual(MiB + 64 * 1024);
    });

    it('accepts a message of exactly maxMessageSize bytes', async () => {
      const data = sampleText(50_000);
      expect(same(await inflateOnce(create({ maxSize: 50_000 }), deflateMessage(data)), data)).toBe(true);
      const error = await inflateOnce(create({ maxSize: 49_999 }), deflateMessage(data));
      expect(error).toBeInstanceOf(PayloadTooLargeError);
    });
  });

  describe('lifecycle', () => {
    it('refuses a second message while one is in progress, and any after close', () => {
      const inflater = create();
      inflater.inflate(deflateMessage(utf8('a')), null, () => {});
      expect(inflater.busy).toBe(true);
      expect(() => inflater.inflate(new Uint8Array(0), null, () => {})).toThrow('inflate already in progress');
      inflater.close();
      expect(inflater.closed).toBe(true);
      expect(() => inflater.inflate(new Uint8Array(0), null, () => {})).toThrow('inflater is closed');
    });

    it('never calls back after close, and frees its limiter slot', async () => {
      const limiter = new ZlibLimiter(1);
      const inflater = create({ limiter });
      const done = jest.fn();
      inflater.inflate(deflateMessage(Buffer.alloc(10 * MiB)), null, done);
      expect(limiter.running).toBe(1);
      const streams = [...produced.keys()];
      inflater.close();
      expect(limiter.running).toBe(0);
      // The stream was destroyed: once it closed, zlib can call nothing back any more.
      await Promise.all(streams.map(closed));
      expect(done).not.toHaveBeenCalled();
    });

    it('waits for a limiter slot before touching zlib', async () => {
      const limiter = new ZlibLimiter(1);
      let release: () => void = () => {};
      limiter.run((r) => (release = r));
      const inflater = create({ limiter });
      const result = inflateOnce(inflater, deflateMessage(utf8('queued')));
      expect(limiter.pending).toBe(1);
      expect(produced.size).toBe(0);
      release();
      await expect(result).resolves.toEqual(utf8('queued'));
      expect(limiter.running).toBe(0);
    });

    it('drops a waiting message from the limiter queue on close', () => {
      const limiter = new ZlibLimiter(1);
      limiter.run(() => {});
      const inflater = create({ limiter });
      inflater.inflate(deflateMessage(utf8('never')), null, () => {});
      expect(limiter.pending).toBe(1);
      inflater.close();
      expect(limiter.pending).toBe(0);
    });
  });
});
