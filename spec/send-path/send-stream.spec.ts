/**
 * ws.sendStream(): one fragmented message (RFC 6455 §5.4) from a producer,
 * against a server that keeps nothing (1 GiB with the client's memory
 * measured) and against the `ws` server (what it receives).
 */
import { firstValueFrom, lastValueFrom } from 'rxjs';
import { WebSocket } from '../../lib/websocket.js';
import { WebSocket as BrowserWebSocket } from '../../lib/browser/websocket.js';
import { WebSocketClosingError, WebSocketError, WebSocketUnavailableError } from '../../lib/core/errors.js';
import { startCountingServer, type CountingServer } from '../helpers/counting-server.js';
import { startWsServer, type LocalWsServer } from '../helpers/ws-server.js';
import { waitFor } from '../helpers/wait-for.js';

const session = { pingRate: 0, poll: 60_000, closeTimeout: 5000, connectTimeout: 5000 };
const MiB = 1024 * 1024;

/** Connects and resolves once `ready` (the subscription stays open; `end()` closes it). */
async function open(url: string): Promise<{ ws: WebSocket; end: () => void }> {
  const ws = new WebSocket(url, { maxMessageSize: 64 * MiB });
  const subscription = ws.connect$(session).subscribe();
  await waitFor(() => ws.isActive);
  return { ws, end: () => subscription.unsubscribe() };
}

describe('sendStream against a server that keeps nothing', () => {
  let server: CountingServer;
  beforeEach(async () => {
    server = await startCountingServer();
  });
  afterEach(async () => {
    await server.close();
  });

  it('sends 1 GiB from a generator as one message with heap and array buffers bounded', async () => {
    const { ws, end } = await open(server.url);
    const CHUNK = 256 * 1024;
    const TOTAL = 1024 * MiB;
    const chunk = new Uint8Array(CHUNK).fill(0x5a); // the same buffer every time: sendStream copies it
    const base = process.memoryUsage();
    let peakHeap = 0;
    let peakBuffers = 0;
    let peakBuffered = 0;
    function* produce(): Generator<Uint8Array> {
      for (let sent = 0; sent < TOTAL; sent += CHUNK) {
        peakBuffered = Math.max(peakBuffered, ws.bufferedAmount);
        if ((sent / CHUNK) % 64 === 0) {
          const now = process.memoryUsage();
          peakHeap = Math.max(peakHeap, now.heapUsed - base.heapUsed);
          peakBuffers = Math.max(peakBuffers, now.arrayBuffers - base.arrayBuffers);
        }
        yield chunk;
      }
    }
    await lastValueFrom(ws.sendStream(produce(), { highWaterMark: MiB }), { defaultValue: undefined });
    await waitFor(() => server.payloadBytes() === TOTAL && server.frames.at(-1)?.fin === true);
    end();
    const data = server.frames.filter((frame) => frame.opcode < 8);
    expect(data[0]).toMatchObject({ opcode: 2, fin: false });
    expect(data.slice(1).every((frame) => frame.opcode === 0)).toBe(true);
    expect(data.filter((frame) => frame.fin)).toHaveLength(1);
    expect(data).toHaveLength(TOTAL / CHUNK + 1); // the last, empty fragment carries FIN
    // What is held is the high-water mark plus one chunk; the process's memory adds frames written but not yet
    // collected (how many depends on the GC of each Node version), far from the 1 GiB sent either way.
    expect(peakBuffered).toBeLessThanOrEqual(MiB + CHUNK + 14);
    expect(peakBuffers).toBeLessThan(256 * MiB);
    expect(peakHeap).toBeLessThan(64 * MiB);
  }, 120_000);

  it('lets pings through between fragments and puts other messages after the last one', async () => {
    const { ws, end } = await open(server.url);
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    async function* produce(): AsyncGenerator<string> {
      yield 'one ';
      await gate;
      yield 'two';
    }
    const done = lastValueFrom(ws.sendStream(produce()), { defaultValue: undefined });
    await waitFor(() => server.frames.length === 1);
    ws.sendText('behind the stream');
    ws.sendPing('p');
    await waitFor(() => server.frames.length === 2);
    release();
    await done;
    await waitFor(() => server.frames.length === 5);
    end();
    expect(server.frames.map(({ opcode, fin }) => `${opcode}${fin ? '!' : ''}`)).toEqual(['1', '9!', '0', '0!', '1!']);
  });
});

describe('sendStream against the ws server', () => {
  let server: LocalWsServer;
  let messages: Array<{ data: Buffer; isBinary: boolean }>;
  let closes: number[];
  beforeEach(async () => {
    messages = [];
    closes = [];
    server = await startWsServer({ maxPayload: 64 * MiB }, (socket) => {
      socket.on('message', (data: Buffer, isBinary) => messages.push({ data, isBinary }));
      socket.on('close', (code) => closes.push(code));
    });
  });
  afterEach(async () => {
    await server.close();
  });

  it('sends a text stream whose chunks split a surrogate pair and a UTF-8 sequence', async () => {
    const { ws, end } = await open(server.url);
    const euro = Buffer.from('€');
    const chunks: Array<string | Uint8Array> = ['a😀'.slice(0, 2), '😀'.slice(1) + 'b', euro.subarray(0, 1), euro.subarray(1), 'c'];
    await lastValueFrom(ws.sendStream(chunks), { defaultValue: undefined });
    await waitFor(() => messages.length === 1);
    end();
    expect(messages[0]).toEqual({ data: Buffer.from('a😀b€c'), isBinary: false });
  });

  it('sends an empty source as one empty message, binary when asked', async () => {
    const { ws, end } = await open(server.url);
    await lastValueFrom(ws.sendStream([], { binary: true }), { defaultValue: undefined });
    await waitFor(() => messages.length === 1);
    end();
    expect(messages[0]).toEqual({ data: Buffer.alloc(0), isBinary: true });
  });

  it('closes with 1011 when the source throws: the peer discards the unfinished message', async () => {
    const { ws } = await open(server.url);
    function* produce(): Generator<Uint8Array> {
      yield new Uint8Array(10);
      throw new Error('producer failed');
    }
    await expect(lastValueFrom(ws.sendStream(produce()))).rejects.toThrow('producer failed');
    await waitFor(() => closes.length === 1);
    expect(closes).toEqual([1011]);
    expect(messages).toEqual([]);
  });

  it('closes with 1011 for a text chunk that is not UTF-8, and errors with a TypeError', async () => {
    const { ws } = await open(server.url);
    await expect(lastValueFrom(ws.sendStream(['ok', Uint8Array.of(0xff)]))).rejects.toThrow(TypeError);
    await waitFor(() => closes.length === 1);
    expect(closes).toEqual([1011]);
  });

  it('closes with 1011 when the subscriber unsubscribes mid-stream', async () => {
    const { ws } = await open(server.url);
    let firstSent = false;
    async function* produce(): AsyncGenerator<Uint8Array> {
      yield new Uint8Array(10);
      firstSent = true; // pulled again: the first fragment went out
      await new Promise(() => undefined); // never produces again
    }
    const subscription = ws.sendStream(produce()).subscribe();
    await waitFor(() => firstSent);
    subscription.unsubscribe();
    await waitFor(() => closes.length === 1);
    expect(closes).toEqual([1011]);
    expect(messages).toEqual([]);
  });

  it('steps aside without a trace when unsubscribed before its first fragment: what waited behind it leaves', async () => {
    const { ws, end } = await open(server.url);
    const subscription = ws.sendStream((async function* () { await new Promise(() => undefined); yield 'never'; })()).subscribe();
    ws.sendText('behind');
    subscription.unsubscribe();
    await waitFor(() => messages.length === 1);
    expect(ws.isActive).toBe(true);
    end();
    expect(messages[0]!.data.toString()).toBe('behind');
  });

  it('is cut short by close(): the stream errors, saying what behind it was abandoned; the close keeps its code', async () => {
    const { ws } = await open(server.url);
    async function* produce(): AsyncGenerator<string> {
      yield 'part';
      await new Promise((resolve) => setImmediate(resolve));
      yield 'never sent';
    }
    const result = lastValueFrom(ws.sendStream(produce()));
    ws.sendText('behind');
    ws.close(4001, 'bye');
    await expect(result).rejects.toBeInstanceOf(WebSocketClosingError);
    await expect(result).rejects.toThrow('1 message(s) sent behind it were abandoned');
    await waitFor(() => closes.length === 1);
    expect(closes).toEqual([4001]);
    expect(messages).toEqual([]);
  });

  it('refuses a second stream at once on the same connection, and checks its arguments at the call', async () => {
    const { ws, end } = await open(server.url);
    const first = ws.sendStream((async function* () { yield 'a'; await new Promise((resolve) => setImmediate(resolve)); yield 'b'; })()).subscribe();
    await expect(lastValueFrom(ws.sendStream(['x']))).rejects.toBeInstanceOf(WebSocketError);
    expect(() => ws.sendStream(42 as never)).toThrow(TypeError);
    expect(() => ws.sendStream('text' as never)).toThrow(TypeError);
    expect(() => ws.sendStream([], { highWaterMark: -1 })).toThrow(RangeError);
    expect(() => ws.sendStream([], { binary: 'yes' as never })).toThrow(TypeError);
    await waitFor(() => messages.length === 1);
    first.unsubscribe();
    end();
    expect(messages[0]!.data.toString()).toBe('ab');
  });

  it('errors with WebSocketUnavailableError when no connection is open, and is not in browsers', async () => {
    const ws = new WebSocket(server.url);
    await expect(firstValueFrom(ws.sendStream(['x']))).rejects.toBeInstanceOf(WebSocketUnavailableError);
    const browser = new BrowserWebSocket(server.url);
    expect(() => browser.sendStream(['x'])).toThrow(/sendStream is not available in browsers/);
  });

  it('drain$ between fragments keeps the buffered amount near the mark', async () => {
    const { ws, end } = await open(server.url);
    let peak = 0;
    function* produce(): Generator<Uint8Array> {
      for (let i = 0; i < 64; i++) {
        peak = Math.max(peak, ws.bufferedAmount);
        yield new Uint8Array(512 * 1024);
      }
    }
    await lastValueFrom(ws.sendStream(produce(), { highWaterMark: 2 * MiB }), { defaultValue: undefined });
    await waitFor(() => messages.length === 1);
    end();
    expect(messages[0]!.data.length).toBe(32 * MiB);
    expect(peak).toBeLessThanOrEqual(2 * MiB);
  });
});
