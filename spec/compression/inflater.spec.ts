/**
 * MessageInflater: RFC 7692 §7.2.2 decompression, bounded while inflating.
 */
import { constants, createDeflateRaw, deflateRawSync, type InflateRaw } from 'node:zlib';
import { PayloadTooLargeError, ProtocolError } from '../../lib/core/errors.js';
import {
  DEFLATE_TAIL,
  MessageInflater,
  SYNC_INFLATE_MAX_INPUT,
  SYNC_INFLATE_MAX_OUTPUT,
  type ChunkCheck,
  type InflaterOptions,
} from '../../lib/compression/inflater.js';
import { ZlibLimiter } from '../../lib/compression/zlib-limiter.js';

// A transparent wrapper around zlib that records every inflate stream and the bytes it produces, and every
// synchronous inflate: its options and how it ended (the output's length, or the error's code).
const produced = new Map<InflateRaw, number>();
const syncCalls: Array<{ options: import('node:zlib').ZlibOptions; out: number | string }> = [];
const streamOptions: import('node:zlib').ZlibOptions[] = [];
jest.mock('node:zlib', () => {
  const actual = jest.requireActual<typeof import('node:zlib')>('node:zlib');
  return {
    ...actual,
    inflateRawSync: (input: Buffer, options: import('node:zlib').ZlibOptions & { info?: boolean }) => {
      const call: { options: import('node:zlib').ZlibOptions; out: number | string } = { options, out: 'threw' };
      syncCalls.push(call);
      try {
        const result = actual.inflateRawSync(input, options) as unknown as Buffer | { buffer: Buffer };
        call.out = Buffer.isBuffer(result) ? result.length : result.buffer.length;
        return result;
      } catch (error) {
        call.out = String((error as { code?: string }).code);
        throw error;
      }
    },
    createInflateRaw: (options: import('node:zlib').ZlibOptions) => {
      // The dictionary copied, as zlib does at the stream's creation (the inflater's window is a view it reuses).
      streamOptions.push({ ...options, dictionary: options.dictionary && Buffer.from(options.dictionary as Uint8Array) });
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

/** Inflates one message asynchronously, resolving with the data or the error. */
function inflateOnce(inflater: MessageInflater, data: Uint8Array, check: ChunkCheck | null = null): Promise<Buffer | ProtocolError> {
  return new Promise((resolve) => inflater.inflate(data, check, (error, out) => resolve(error ?? out!)));
}

/** Inflates one message as the pipeline does: synchronously when the inflater can, else asynchronously; says which. */
async function inflateEither(inflater: MessageInflater, data: Uint8Array, check: ChunkCheck | null = null): Promise<{ out: Buffer | ProtocolError; sync: boolean }> {
  const out = inflater.inflateSync(data, check);
  if (out !== null) return { out, sync: true };
  return { out: await inflateOnce(inflater, data, check), sync: false };
}

/** Bytes from a fixed xorshift32: incompressible (deflate makes them a little larger). */
function noise(size: number, seed = 1): Buffer {
  const out = Buffer.allocUnsafe(size);
  let state = seed;
  for (let i = 0; i < size; i++) {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    out[i] = state & 0xff;
  }
  return out;
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
  syncCalls.length = 0;
  streamOptions.length = 0;
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

  describe('synchronous inflate (small messages)', () => {
    const isError = (out: Buffer | ProtocolError): out is ProtocolError => out instanceof ProtocolError;

    it('inflates a small message in the call, its output bounded by maxOutputLength = min(maxSize, 256 KiB)', () => {
      const text = sampleText(5000);
      const out = create().inflateSync(deflateMessage(text), null);
      expect(Buffer.isBuffer(out) && out.equals(text)).toBe(true);
      expect(produced.size).toBe(0); // no zlib stream, no threadpool
      expect(syncCalls).toHaveLength(1);
      expect(syncCalls[0]!.options).toMatchObject({ maxOutputLength: SYNC_INFLATE_MAX_OUTPUT, finishFlush: constants.Z_SYNC_FLUSH });
      create({ maxSize: 1000 }).inflateSync(deflateMessage(utf8('short')), null);
      expect(syncCalls[1]!.options).toMatchObject({ maxOutputLength: 1000 });
    });

    it('inflates an empty payload (just the tail) to an empty message', () => {
      const out = create().inflateSync(new Uint8Array(0), null);
      expect(out).toEqual(Buffer.alloc(0));
    });

    it(`leaves a payload of more than ${SYNC_INFLATE_MAX_INPUT} compressed bytes to the async way, untouched`, async () => {
      const data = noise(20_000);
      const payload = deflateMessage(data);
      expect(payload.length).toBeGreaterThan(SYNC_INFLATE_MAX_INPUT);
      const inflater = create();
      expect(inflater.inflateSync(payload, null)).toBeNull();
      expect(syncCalls).toHaveLength(0);
      expect(same(await inflateOnce(inflater, payload), data)).toBe(true);
      // A smaller limit (an option) moves the line.
      const strict = create({ syncMaxInput: 10 });
      expect(strict.inflateSync(deflateMessage(utf8('more than ten bytes of deflate, surely')), null)).toBeNull();
    });

    it('sends a small payload that inflates past the sync bound (within maxSize) the async way, from the same context', async () => {
      const text = sampleText(4000);
      const big = Buffer.concat([Buffer.alloc(MiB), text]); // ≈ 1 KiB of deflate
      const messages = await deflateMessages([text, big, text]);
      expect(messages[1]!.length).toBeLessThan(SYNC_INFLATE_MAX_INPUT);
      const inflater = create({ maxSize: 2 * MiB });
      const first = await inflateEither(inflater, messages[0]!);
      expect(first.sync).toBe(true);
      expect(same(first.out, text)).toBe(true);
      // The synchronous try stopped at 256 KiB (plus at most one output chunk), and kept nothing.
      const second = await inflateEither(inflater, messages[1]!);
      expect(second.sync).toBe(false);
      expect(syncCalls[1]).toMatchObject({ options: { maxOutputLength: SYNC_INFLATE_MAX_OUTPUT }, out: 'ERR_BUFFER_TOO_LARGE' });
      expect(same(second.out, big)).toBe(true);
      // The async stream started from the window: the first message's output, as its preset dictionary.
      expect(streamOptions).toHaveLength(1);
      expect(Buffer.from(streamOptions[0]!.dictionary as Uint8Array).equals(text)).toBe(true);
      // And the third message, which refers back into the second one's end, inflates from the window again.
      const third = await inflateEither(inflater, messages[2]!);
      expect(third.sync).toBe(true);
      expect(messages[2]!.length).toBeLessThan(100);
      expect(same(third.out, text)).toBe(true);
    });

    it('fails with 1009 at once when the sync bound is maxSize, and never makes more than it plus one chunk', () => {
      const bomb = deflateMessage(Buffer.alloc(100 * MiB));
      expect(bomb.length).toBeLessThan(120_000);
      const small = deflateMessage(Buffer.alloc(10 * MiB)); // ≈ 10 KiB of deflate: synchronous
      expect(small.length).toBeLessThan(SYNC_INFLATE_MAX_INPUT);
      const inflater = create({ maxSize: 100 * 1024 });
      const error = inflater.inflateSync(small, null);
      expect(error).toBeInstanceOf(PayloadTooLargeError);
      expect(error).toMatchObject({ closeCode: 1009, message: 'inflated message exceeds 102400 bytes' });
      expect(syncCalls[0]).toMatchObject({ options: { maxOutputLength: 100 * 1024 }, out: 'ERR_BUFFER_TOO_LARGE' });
      expect(syncCalls[0]!.options.chunkSize).toBeLessThanOrEqual(64 * 1024);
      expect(produced.size).toBe(0);
    });

    it('fails with 1009 when a small payload inflates past maxSize above the sync bound (the async way bounds it)', async () => {
      const small = deflateMessage(Buffer.alloc(10 * MiB));
      const inflater = create({ maxSize: MiB });
      const { out, sync } = await inflateEither(inflater, small);
      expect(sync).toBe(false);
      expect(out).toBeInstanceOf(PayloadTooLargeError);
      expect(out).toMatchObject({ closeCode: 1009, message: 'inflated message exceeds 1048576 bytes' });
      await Promise.all([...produced.keys()].map(closed));
      expect([...produced.values()].reduce((a, b) => a + b, 0)).toBeLessThanOrEqual(MiB + 64 * 1024);
    });

    it('accepts a message of exactly maxMessageSize bytes', () => {
      const data = sampleText(50_000);
      const out = create({ maxSize: 50_000 }).inflateSync(deflateMessage(data), null);
      expect(Buffer.isBuffer(out) && out.equals(data)).toBe(true);
      expect(create({ maxSize: 49_999 }).inflateSync(deflateMessage(data), null)).toBeInstanceOf(PayloadTooLargeError);
    });

    it('fails with 1007 on invalid deflate data', () => {
      const error = create().inflateSync(Uint8Array.of(0xff, 0xff, 0xff), null);
      expect(error).toBeInstanceOf(ProtocolError);
      expect(error).toMatchObject({ closeCode: 1007, message: 'invalid compressed data (invalid block type)' });
    });

    it('fails with 1007 "invalid utf-8" when the check refuses the output (seen once, whole)', () => {
      const seen: number[] = [];
      const error = create().inflateSync(deflateMessage(Buffer.from([0x61, 0x62, 0xff, 0x63])), (chunk) => {
        seen.push(chunk.length);
        return false;
      });
      expect(error).toBeInstanceOf(ProtocolError);
      expect(error).toMatchObject({ closeCode: 1007, message: 'invalid utf-8' });
      expect(seen).toEqual([4]);
    });

    it('starts the message after a final deflate block from an empty window, as the async way does', async () => {
      const first = utf8('final block: lomond websocket deflate');
      // A message that refers back into the first one: valid only if the context were kept across the final block.
      const referring = deflateRawSync(utf8('lomond websocket deflate'), { dictionary: first, finishFlush: constants.Z_SYNC_FLUSH }).subarray(0, -4);
      const sync = create();
      expect(sync.inflateSync(deflateRawSync(first), null)).toEqual(first);
      const async = create();
      await expect(inflateOnce(async, deflateRawSync(first))).resolves.toEqual(first);
      // Both ways: "invalid distance too far back" (nothing before the message), 1007.
      const viaSync = sync.inflateSync(referring, null);
      const viaAsync = await inflateOnce(async, referring);
      expect(viaSync).toMatchObject({ closeCode: 1007, message: 'invalid compressed data (invalid distance too far back)' });
      expect(viaAsync).toMatchObject({ closeCode: 1007, message: 'invalid compressed data (invalid distance too far back)' });
      // And an ordinary message after a final block inflates either way.
      const again = create();
      expect(again.inflateSync(deflateRawSync(first), null)).toEqual(first);
      expect(again.inflateSync(deflateMessage(utf8('after it')), null)).toEqual(utf8('after it'));
    });

    /**
     * A seeded mix: small messages (sync), incompressible ones over 16 KiB of deflate (async), small payloads of
     * 300+ KiB (past the sync bound: async), and repeats of recent output (references across messages, both ways).
     */
    function mix(count: number, seed: number): Buffer[] {
      let state = seed;
      const random = (n: number): number => {
        state = (state * 1103515245 + 12345) >>> 0;
        return (state >>> 8) % n;
      };
      const messages: Buffer[] = [];
      for (let i = 0; i < count; i++) {
        const kind = random(10);
        const previous = messages[messages.length - 1] ?? sampleText(100);
        let message: Buffer;
        if (kind < 5) message = sampleText(1 + random(3000)).subarray(random(50));
        else if (kind < 7) message = Buffer.concat([previous.subarray(-random(2000)), sampleText(random(500))]);
        // These two start with a repeat of the previous message's end: the async stream needs the window.
        else if (kind < 9) message = Buffer.concat([previous.subarray(-1 - random(2000)), noise(17_000 + random(8000), i + 1)]);
        else message = Buffer.concat([previous.subarray(-200), Buffer.alloc(300_000 + random(100_000), 0x20), previous.subarray(-200)]);
        messages.push(message);
      }
      return messages;
    }

    it.each([8, 9, 10, 11, 12, 13, 14, 15])('inflates a mix of sync and async messages with context takeover, server_max_window_bits=%i', async (bits) => {
      const messages = mix(60, bits);
      const payloads = await deflateMessages(messages, bits);
      const inflater = create({ windowBits: bits });
      const ways = { sync: 0, async: 0 };
      for (let i = 0; i < messages.length; i++) {
        const { out, sync } = await inflateEither(inflater, payloads[i]!);
        if (isError(out) || !out.equals(messages[i]!)) throw new Error(`message ${i} of ${messages[i]!.length} bytes (${sync ? 'sync' : 'async'}): ${isError(out) ? out.message : 'different bytes'}`);
        ways[sync ? 'sync' : 'async']++;
      }
      expect(ways.sync).toBeGreaterThan(10);
      expect(ways.async).toBeGreaterThan(5);
    });

    it.each([8, 12, 15])('inflates a mix of sync and async messages with server_no_context_takeover, server_max_window_bits=%i', async (bits) => {
      const messages = mix(40, 100 + bits);
      const inflater = create({ windowBits: bits, noContextTakeover: true });
      const ways = { sync: 0, async: 0 };
      for (const message of messages) {
        const { out, sync } = await inflateEither(inflater, deflateMessage(message, bits));
        expect(Buffer.isBuffer(out) && out.equals(message)).toBe(true);
        ways[sync ? 'sync' : 'async']++;
      }
      expect(ways.sync).toBeGreaterThan(5);
      expect(ways.async).toBeGreaterThan(5);
      // Without context takeover the async stream is kept (reset after each message), never handed a dictionary.
      expect(streamOptions).toHaveLength(1);
      expect(streamOptions[0]!.dictionary).toBeUndefined();
    });

    it('refuses while an async message is in progress, and after close', () => {
      const inflater = create();
      inflater.inflate(deflateMessage(utf8('a')), null, () => {});
      expect(() => inflater.inflateSync(deflateMessage(utf8('b')), null)).toThrow('inflate already in progress');
      inflater.close();
      expect(() => inflater.inflateSync(deflateMessage(utf8('b')), null)).toThrow('inflater is closed');
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
