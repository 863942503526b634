/**
 * MessageDeflater: RFC 7692 §7.2.1 compression on a persistent raw deflate stream.
 */
import { constants, createInflateRaw, inflateRawSync } from 'node:zlib';
import { MessageDeflater, type DeflaterOptions } from '../../lib/compression/deflater.js';
import { ZlibLimiter } from '../../lib/compression/zlib-limiter.js';

const TAIL = Buffer.from([0x00, 0x00, 0xff, 0xff]);
const MiB = 1024 * 1024;

/** What a peer does (RFC 7692 §7.2.2): append the tail and inflate, one message on its own. */
const inflateAlone = (payload: Uint8Array, windowBits = 15): Buffer =>
  inflateRawSync(Buffer.concat([payload, TAIL]), { windowBits, finishFlush: constants.Z_SYNC_FLUSH });

/** Inflates messages in order on one stream (the peer keeps the context). */
async function inflateInOrder(payloads: Uint8Array[], windowBits = 15): Promise<Buffer[]> {
  const stream = createInflateRaw({ windowBits });
  const chunks: Buffer[] = [];
  stream.on('data', (chunk: Buffer) => chunks.push(chunk));
  const out: Buffer[] = [];
  for (const payload of payloads) {
    stream.write(payload);
    stream.write(TAIL);
    await new Promise<void>((resolve) => stream.flush(constants.Z_SYNC_FLUSH, () => resolve()));
    out.push(Buffer.concat(chunks.splice(0)));
  }
  stream.close();
  return out;
}

/** Words drawn by a fixed LCG: compressible, with long-range repeats. */
function sampleText(size: number): Buffer {
  const words = ['lomond', 'websocket', 'deflate', 'window', 'rfc7692', 'éàü', 'frame', 'inflate', 'zlib', 'mask'];
  const parts: string[] = [];
  let seed = 99;
  let length = 0;
  while (length < size) {
    seed = (seed * 1103515245 + 12345) >>> 0;
    const word = words[seed % words.length]! + String(seed % 997) + ' ';
    parts.push(word);
    length += word.length;
  }
  return Buffer.from(parts.join('')).subarray(0, size);
}

const deflaters: MessageDeflater[] = [];
const create = (options: Partial<DeflaterOptions> = {}): MessageDeflater => {
  const deflater = new MessageDeflater({ windowBits: 15, noContextTakeover: false, ...options });
  deflaters.push(deflater);
  return deflater;
};
afterEach(() => {
  for (const deflater of deflaters.splice(0)) deflater.close();
});

const deflateOnce = (deflater: MessageDeflater, data: Uint8Array): Promise<Buffer> =>
  new Promise((resolve, reject) => deflater.deflate(data, (error, payload) => (error ? reject(error) : resolve(payload!))));

describe('MessageDeflater', () => {
  describe('RFC 7692 §7.2.1 compression', () => {
    it('removes the 00 00 FF FF tail of the sync flush', async () => {
      const text = sampleText(4000);
      const payload = await deflateOnce(create(), text);
      expect(payload.subarray(-4).equals(TAIL)).toBe(false);
      expect(payload.length).toBeLessThan(text.length);
      expect(inflateAlone(payload).equals(text)).toBe(true);
    });

    it('compresses an empty message to a payload that inflates to nothing', async () => {
      const deflater = create();
      const first = await deflateOnce(deflater, new Uint8Array(0));
      expect(inflateAlone(first).length).toBe(0);
      await deflateOnce(deflater, sampleText(100));
      const later = await deflateOnce(deflater, new Uint8Array(0));
      expect(later.length).toBeLessThanOrEqual(1);
    });

    it('keeps the context between messages (context takeover)', async () => {
      const text = sampleText(4000);
      const deflater = create();
      const a = await deflateOnce(deflater, text);
      const b = await deflateOnce(deflater, text);
      expect(b.length).toBeLessThan(a.length / 4);
      const [x, y] = await inflateInOrder([a, b]);
      expect(x!.equals(text) && y!.equals(text)).toBe(true);
    });

    it('starts every message with an empty window with client_no_context_takeover', async () => {
      const text = sampleText(4000);
      const deflater = create({ noContextTakeover: true });
      const a = await deflateOnce(deflater, text);
      const b = await deflateOnce(deflater, text);
      expect(b.equals(a)).toBe(true);
      expect(inflateAlone(b).equals(text)).toBe(true);
    });

    it.each([8, 9, 10, 11, 12, 13, 14, 15])('compresses within client_max_window_bits=%i', async (bits) => {
      const text = sampleText(200_000);
      const deflater = create({ windowBits: bits });
      const payloads = [await deflateOnce(deflater, text), await deflateOnce(deflater, text)];
      const out = await inflateInOrder(payloads, Math.max(bits, 9));
      expect(out.every((message) => message.equals(text))).toBe(true);
    });

    it('uses the compression level it is given', async () => {
      const text = sampleText(50_000);
      const stored = await deflateOnce(create({ level: 0 }), text);
      const best = await deflateOnce(create({ level: 9 }), text);
      expect(stored.length).toBeGreaterThan(text.length);
      expect(best.length).toBeLessThan(text.length / 2);
    });
  });

  describe('lifecycle', () => {
    it('refuses a second message while one is in progress, and any after close', () => {
      const deflater = create();
      deflater.deflate(sampleText(10), () => {});
      expect(deflater.busy).toBe(true);
      expect(() => deflater.deflate(new Uint8Array(0), () => {})).toThrow('deflate already in progress');
      deflater.close();
      expect(deflater.closed).toBe(true);
      expect(() => deflater.deflate(new Uint8Array(0), () => {})).toThrow('deflater is closed');
    });

    it('never calls back after close, and frees its limiter slot', async () => {
      const limiter = new ZlibLimiter(1);
      const deflater = create({ limiter });
      const done = jest.fn();
      deflater.deflate(Buffer.alloc(8 * MiB, 7), done);
      expect(limiter.running).toBe(1);
      const stream = (deflater as unknown as { stream: import('node:zlib').DeflateRaw }).stream;
      deflater.close();
      deflater.close();
      expect(limiter.running).toBe(0);
      // The stream was destroyed: once it closed, zlib can call nothing back any more.
      if (!stream.closed) await new Promise((resolve) => stream.once('close', resolve));
      expect(done).not.toHaveBeenCalled();
    });

    it('waits for a limiter slot, and drops a waiting message on close', async () => {
      const limiter = new ZlibLimiter(1);
      const a = create({ limiter });
      const b = create({ limiter });
      const c = create({ limiter });
      const first = deflateOnce(a, sampleText(2000));
      const second = deflateOnce(b, sampleText(2000));
      c.deflate(sampleText(10), () => {});
      expect([limiter.running, limiter.pending]).toEqual([1, 2]);
      c.close();
      expect(limiter.pending).toBe(1);
      await first;
      await second;
      expect([limiter.running, limiter.pending]).toEqual([0, 0]);
    });
  });
});
