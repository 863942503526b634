/**
 * Receiving permessage-deflate from the real `ws` server, sync and async
 * inflate mixed: small messages (at most 16 KiB of deflate) are inflated
 * synchronously, larger ones and small ones that inflate past the sync bound
 * asynchronously. Every message is compared byte for byte, in order, with
 * and without server_no_context_takeover, for server_max_window_bits 8–15;
 * then the failures (1009, 1007) on either path.
 */
import { lastValueFrom, toArray } from 'rxjs';
import { constants, deflateRawSync, type ZlibOptions } from 'node:zlib';
import type { WebSocket as WsSocket } from 'ws';
import { WebSocket } from '../../lib/websocket.js';
import type { WebSocketEvent } from '../../lib/events/events.js';
import { startWsServer, type LocalWsServer } from '../helpers/ws-server.js';

// A transparent wrapper around lib's zlib that counts which way each message went: synchronous inflates (and those
// that stopped at the sync bound or on bad data), and async streams (each made with or without a preset dictionary).
const ways = { sync: 0, syncTooLarge: 0, syncBad: 0, streams: 0, streamsWithDictionary: 0 };
// (ws gets the mock too, and uses zlib's legacy constants such as zlib.Z_SYNC_FLUSH: not enumerable, so copied apart.)
jest.mock('node:zlib', () => {
  const actual = jest.requireActual<typeof import('node:zlib')>('node:zlib');
  const legacy = Object.entries(Object.getOwnPropertyDescriptors(actual)).filter(([, descriptor]) => descriptor.enumerable !== true);
  return Object.defineProperties(
    {
      ...actual,
      inflateRawSync: (input: Buffer, options: ZlibOptions) => {
        try {
          const out = actual.inflateRawSync(input, options);
          ways.sync++;
          return out;
        } catch (error) {
          const code = (error as { code?: string }).code;
          if (code === 'ERR_BUFFER_TOO_LARGE') ways.syncTooLarge++;
          else if (code?.startsWith('Z_') === true) ways.syncBad++;
          throw error;
        }
      },
      createInflateRaw: (options: ZlibOptions) => {
        ways.streams++;
        if (options.dictionary !== undefined) ways.streamsWithDictionary++;
        return actual.createInflateRaw(options);
      },
    },
    Object.fromEntries(legacy),
  );
});

const KiB = 1024;
const MiB = 1024 * KiB;
const session = { pingRate: 0, poll: 600_000, closeTimeout: 5000, connectTimeout: 5000 };

/** One message the server sends. */
type Message = { readonly text: true; readonly data: string } | { readonly text: false; readonly data: Buffer };

/** A seeded generator (xorshift32), so that a failing mix replays. */
function generator(seed: number): (n: number) => number {
  let state = seed * 2654435761 || 1;
  return (n) => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    state >>>= 0;
    return state % n;
  };
}

/** `size` incompressible bytes. */
function noise(size: number, seed: number): Buffer {
  const random = generator(seed);
  const out = Buffer.allocUnsafe(size);
  for (let i = 0; i < size; i++) out[i] = random(256);
  return out;
}

const WORDS = ['lomond', 'websocket', 'deflate', 'window', 'rfc7692', 'éàü', '日本語', 'frame', 'inflate', 'zlib', '{"bid":', '"ask":'];

/**
 * A mix: small texts and binaries (inflated synchronously), incompressible binaries over 16 KiB of deflate
 * (async), highly compressible ones of 300+ KiB (a small payload past the sync bound: async), and repeats
 * of earlier messages (back-references across messages, across both ways, when the context is kept).
 */
function mix(count: number, seed: number): Message[] {
  const random = generator(seed);
  const words = (n: number): string => {
    const parts: string[] = [];
    for (let i = 0; i < n; i++) parts.push(WORDS[random(WORDS.length)]! + String(random(1000)));
    return parts.join(' ');
  };
  const bytes = (n: number): Buffer => {
    const out = Buffer.allocUnsafe(n);
    for (let i = 0; i < n; i++) out[i] = random(256);
    return out;
  };
  const out: Message[] = [];
  for (let i = 0; i < count; i++) {
    const kind = random(20);
    const previous = out[out.length - 1];
    const tail = previous === undefined ? '' : previous.text ? previous.data.slice(-300) : previous.data.subarray(-300).toString('latin1');
    if (kind < 8) out.push({ text: true, data: words(1 + random(400)) });
    else if (kind < 11) out.push({ text: true, data: tail + words(random(50)) });
    else if (kind < 14) out.push({ text: false, data: Buffer.concat([Buffer.from(tail, 'latin1'), bytes(random(3000))]) });
    else if (kind < 17) out.push({ text: false, data: Buffer.concat([Buffer.from(tail, 'latin1'), bytes(17 * KiB + random(40 * KiB))]) });
    else if (kind < 19) out.push({ text: true, data: tail + ' '.repeat(300 * KiB + random(200 * KiB)) + tail });
    else out.push({ text: false, data: Buffer.alloc(0) });
  }
  return out;
}

/** A ws server that sends `messages` (all at once, compressed: threshold 0) then closes with 1000. */
async function sender(deflate: { serverNoContextTakeover: boolean; serverMaxWindowBits: number }, send: (socket: WsSocket) => void): Promise<LocalWsServer> {
  return startWsServer({ perMessageDeflate: { ...deflate, threshold: 0 }, maxPayload: 64 * MiB }, (socket) => send(socket));
}

function sendAll(socket: WsSocket, messages: readonly Message[], close = true): void {
  for (const message of messages) socket.send(message.data, { binary: !message.text, compress: true });
  if (close) socket.close(1000, 'done');
}

/** Connects with permessage-deflate and collects every event until the session ends. */
function receive(server: LocalWsServer, compress: object | boolean, maxMessageSize = 64 * MiB): Promise<WebSocketEvent[]> {
  const ws = new WebSocket(server.url, { compress, maxMessageSize, maxPayload: 64 * MiB });
  return lastValueFrom(ws.connect$(session).pipe(toArray()));
}

/** The messages among `events`, as the server sent them. */
function received(events: readonly WebSocketEvent[]): Message[] {
  const out: Message[] = [];
  for (const event of events) {
    if (event.name === 'text') out.push({ text: true, data: event.text });
    else if (event.name === 'binary') out.push({ text: false, data: Buffer.from(event.data) });
  }
  return out;
}

/** Byte-for-byte comparison that names the first difference (jest's diff of 500 KiB strings helps no one). */
function expectSame(actual: readonly Message[], expected: readonly Message[]): void {
  for (let i = 0; i < Math.max(actual.length, expected.length); i++) {
    const a = actual[i];
    const e = expected[i];
    const same = a !== undefined && e !== undefined && a.text === e.text && (a.text ? a.data === e.data : Buffer.compare(a.data, e.data as Buffer) === 0);
    if (!same) throw new Error(`message ${i} of ${expected.length}: expected ${summary(e)}, got ${summary(a)}`);
  }
}
const summary = (m: Message | undefined): string => (m === undefined ? 'nothing' : `${m.text ? 'text' : 'binary'} of ${m.data.length}`);

let server: LocalWsServer | null = null;
beforeEach(() => {
  ways.sync = ways.syncTooLarge = ways.syncBad = ways.streams = ways.streamsWithDictionary = 0;
});
afterEach(async () => {
  await server?.close();
  server = null;
});

const BITS = [8, 9, 10, 11, 12, 13, 14, 15];

describe('receiving compressed messages from ws, inflated sync and async', () => {
  describe.each([false, true])('server_no_context_takeover=%s', (serverNoContextTakeover) => {
    it.each(BITS)('delivers a random mix byte for byte and in order, server_max_window_bits=%i', async (bits) => {
      const messages = mix(80, bits + (serverNoContextTakeover ? 100 : 0));
      server = await sender({ serverNoContextTakeover, serverMaxWindowBits: bits }, (socket) => sendAll(socket, messages));
      const events = await receive(server, { serverMaxWindowBits: bits, serverNoContextTakeover });
      const ready = events.find((e) => e.name === 'ready');
      const answer = ready?.name === 'ready' ? ready.response.get('sec-websocket-extensions') : undefined;
      expect(answer).toContain(`server_max_window_bits=${bits}`);
      expect(answer?.includes('server_no_context_takeover')).toBe(serverNoContextTakeover);
      expectSame(received(events), messages);
      expect(events.at(-2)).toMatchObject({ name: 'closed', code: 1000, reason: 'done' });
      // Both ways were taken, and a small payload past the sync bound went async.
      expect(ways.sync).toBeGreaterThan(20);
      expect(ways.syncTooLarge).toBeGreaterThan(0);
      expect(ways.streams).toBeGreaterThan(0);
      // With context takeover an async message after synchronous ones starts from the window; without, never.
      if (serverNoContextTakeover) expect(ways.streamsWithDictionary).toBe(0);
      else expect(ways.streamsWithDictionary).toBeGreaterThan(0);
    });
  });

  it('keeps wire order: small synchronous messages wait behind a large one inflating asynchronously', async () => {
    // 256 KiB that deflate cannot shrink below 16 KiB: inflated asynchronously.
    const big: Message = { text: false, data: noise(256 * KiB, 1) };
    const messages: Message[] = [big];
    for (let i = 0; i < 50; i++) messages.push({ text: true, data: `small ${i}` });
    messages.push(big, { text: true, data: 'small again' }, big, { text: true, data: 'last' });
    server = await sender({ serverNoContextTakeover: false, serverMaxWindowBits: 15 }, (socket) => sendAll(socket, messages));
    const events = await receive(server, true);
    expectSame(received(events), messages);
    expect(ways.streams).toBeGreaterThan(0);
    expect(ways.sync).toBeGreaterThanOrEqual(51);
  });
});

describe('a turn\'s budget of synchronous inflate', () => {
  it('sends the messages of one read past 1 MiB of synchronous output to zlib, and delivers all in order', async () => {
    // 12 payloads of ≈ 220 bytes that inflate to 200 KiB each, written in one piece (one read on loopback).
    const messages: Message[] = [];
    const frames: Buffer[] = [];
    for (let i = 0; i < 12; i++) {
      const data = Buffer.alloc(200 * KiB, 0x30 + i);
      messages.push({ text: false, data });
      const payload = deflateRawSync(data, { finishFlush: constants.Z_SYNC_FLUSH }).subarray(0, -4);
      expect(payload.length).toBeLessThan(1024);
      frames.push(Buffer.from([0xc2, 126, payload.length >> 8, payload.length & 0xff]), payload);
    }
    server = await sender({ serverNoContextTakeover: false, serverMaxWindowBits: 15 }, (socket) => {
      (socket as unknown as { _socket: import('node:net').Socket })._socket.write(Buffer.concat(frames));
      socket.close(1000, 'done');
    });
    const events = await receive(server, true);
    expectSame(received(events), messages);
    // Six synchronously (the sixth crosses 1 MiB), the seventh asynchronously; the other five in the next turn.
    expect(ways.sync).toBe(11);
    expect(ways.streams).toBe(1);
  });
});

describe('failures, either way', () => {
  /** Resolves with the close code the ws server received. */
  const closeCode = (socket: WsSocket): Promise<number> => new Promise((resolve) => socket.once('close', (code) => resolve(code)));

  it('fails with 1009 when a small payload inflates past maxMessageSize (sync bound = maxMessageSize)', async () => {
    let code: Promise<number> = Promise.resolve(0);
    server = await sender({ serverNoContextTakeover: false, serverMaxWindowBits: 15 }, (socket) => {
      code = closeCode(socket);
      sendAll(socket, [{ text: true, data: 'before' }, { text: false, data: Buffer.alloc(4 * MiB) }, { text: true, data: 'never' }], false);
    });
    const events = await receive(server, true, 100 * KiB);
    expect(received(events)).toEqual([{ text: true, data: 'before' }]);
    expect(events.find((e) => e.name === 'protocol_error')).toMatchObject({ error: 'inflated message exceeds 102400 bytes' });
    await expect(code).resolves.toBe(1009);
    expect(ways.streams).toBe(0); // stopped synchronously, at the bound
  });

  it('fails with 1009 when a small payload inflates past maxMessageSize above the sync bound (async)', async () => {
    let code: Promise<number> = Promise.resolve(0);
    server = await sender({ serverNoContextTakeover: false, serverMaxWindowBits: 15 }, (socket) => {
      code = closeCode(socket);
      sendAll(socket, [{ text: false, data: Buffer.alloc(4 * MiB) }], false);
    });
    const events = await receive(server, true, MiB);
    expect(received(events)).toEqual([]);
    expect(events.find((e) => e.name === 'protocol_error')).toMatchObject({ error: 'inflated message exceeds 1048576 bytes' });
    await expect(code).resolves.toBe(1009);
    expect(ways.syncTooLarge).toBe(1);
    expect(ways.streams).toBe(1);
  });

  it('delivers a small payload past the sync bound but within maxMessageSize (exactly maxMessageSize)', async () => {
    const data = Buffer.alloc(MiB, 0x61);
    server = await sender({ serverNoContextTakeover: false, serverMaxWindowBits: 15 }, (socket) => sendAll(socket, [{ text: false, data }, { text: true, data: 'after' }]));
    const events = await receive(server, true, MiB);
    expectSame(received(events), [{ text: false, data }, { text: true, data: 'after' }]);
    expect(ways.syncTooLarge).toBe(1);
    expect(ways.sync).toBe(1); // 'after'
  });

  it('fails with 1007 on invalid UTF-8 in a small compressed text, after the messages before it', async () => {
    let code: Promise<number> = Promise.resolve(0);
    server = await sender({ serverNoContextTakeover: false, serverMaxWindowBits: 15 }, (socket) => {
      code = closeCode(socket);
      socket.send('fine', { compress: true });
      socket.send(Buffer.from([0x61, 0xed, 0xa0, 0x80]), { binary: false, compress: true }); // a UTF-16 surrogate
      socket.send('never', { compress: true });
    });
    const events = await receive(server, true);
    expect(received(events)).toEqual([{ text: true, data: 'fine' }]);
    expect(events.find((e) => e.name === 'protocol_error')).toMatchObject({ error: 'invalid utf-8' });
    await expect(code).resolves.toBe(1007);
    expect(ways.streams).toBe(0);
  });

  it('fails with 1007 on invalid deflate data that waited behind an async message', async () => {
    let code: Promise<number> = Promise.resolve(0);
    const big = noise(200 * KiB, 2); // inflated asynchronously
    server = await sender({ serverNoContextTakeover: false, serverMaxWindowBits: 15 }, (socket) => {
      code = closeCode(socket);
      socket.send(big, { binary: true, compress: true });
      // Once ws has sent that one: a frame with RSV1 whose payload is not deflate (BTYPE 11), written raw.
      socket.send('', { compress: false }, () => (socket as unknown as { _socket: import('node:net').Socket })._socket.write(Buffer.from([0xc2, 0x03, 0xff, 0xff, 0xff])));
    });
    const events = await receive(server, true);
    expectSame(received(events), [{ text: false, data: big }, { text: true, data: '' }]);
    expect(events.find((e) => e.name === 'protocol_error')).toMatchObject({ error: 'invalid compressed data (invalid block type)' });
    await expect(code).resolves.toBe(1007);
    expect(ways.streams).toBe(1);
    expect(ways.syncBad).toBe(1); // inflated synchronously once its turn came (the empty text is not compressed)
  });

  it('fails with the first fault in wire order: invalid deflate data, then a text and a reserved opcode in the same write', async () => {
    let code: Promise<number> = Promise.resolve(0);
    server = await sender({ serverNoContextTakeover: false, serverMaxWindowBits: 15 }, (socket) => {
      code = closeCode(socket);
      // One write, so one read: the parser meets the reserved opcode before the compressed message is inflated.
      const raw = Buffer.concat([Buffer.from([0xc2, 0x01, 0x07]), Buffer.from([0x81, 0x05]), Buffer.from('after'), Buffer.from([0x83, 0x00])]);
      (socket as unknown as { _socket: import('node:net').Socket })._socket.write(raw);
    });
    const events = await receive(server, true);
    expect(received(events)).toEqual([]); // "after" follows the fault: never delivered
    expect(events.filter((e) => e.name === 'protocol_error')).toEqual([expect.objectContaining({ error: expect.stringContaining('invalid compressed data') })]);
    await expect(code).resolves.toBe(1007);
  });
});
