/**
 * DeflateSender: the permessage-deflate send path (RFC 7692 §7.2.1), in call order through a real Outbox.
 */
import { constants, inflateRawSync } from 'node:zlib';
import { MessageDeflater } from '../../lib/compression/deflater.js';
import type { DeflateParams } from '../../lib/core/deflate-params.js';
import { WebSocketClosingError } from '../../lib/core/errors.js';
import { Opcode } from '../../lib/core/opcode.js';
import { COMPRESSION_THRESHOLD, DeflateSender, type FrameSink } from '../../lib/compression/deflate-sender.js';
import { Outbox, type Slot } from '../../lib/connection/outbox.js';
import type { TransportConnection } from '../../lib/transports/transport.js';

const TAIL = Buffer.from([0x00, 0x00, 0xff, 0xff]);
const inflateAlone = (payload: Uint8Array): Buffer =>
  inflateRawSync(Buffer.concat([payload, TAIL]), { finishFlush: constants.Z_SYNC_FLUSH });

/** What reached the transport: a frame in this spec's shorthand (first byte as on the wire, then the raw payload). */
interface Sent {
  readonly opcode: number;
  readonly rsv1: boolean;
  readonly payload: Buffer;
}
const kinds = (sent: readonly Sent[]): string[] =>
  sent.map(({ opcode, rsv1 }) => `${{ 1: 'text', 2: 'binary', 8: 'close', 9: 'ping', 10: 'pong' }[opcode]}${rsv1 ? '+rsv1' : ''}`);

/** A transport that records every frame handed to it. */
class RecordingTransport implements TransportConnection {
  readonly sent: Sent[] = [];
  readonly bufferedAmount = 0;
  write(frame: Uint8Array): void {
    this.sent.push({ opcode: frame[0]! & 0x0f, rsv1: (frame[0]! & 0x40) !== 0, payload: Buffer.from(frame.subarray(1)) });
  }
  destroy(): void {}
}

/** The protocol's part, in shorthand frames (copied, as the real encoder copies); `closing` makes it throw like a closing protocol. */
class ShorthandSink implements FrameSink {
  closing = false;
  constructor(private readonly out: Outbox) {}
  private check(): void {
    if (this.closing) throw new WebSocketClosingError('websocket is closing');
  }
  frame(opcode: number, payload: Uint8Array, rsv1 = false): Uint8Array {
    const frame = new Uint8Array(1 + payload.length);
    frame[0] = 0x80 | (rsv1 ? 0x40 : 0) | opcode;
    frame.set(payload, 1);
    return frame;
  }
  sendText(text: string): void {
    this.check();
    this.out.write(this.frame(Opcode.TEXT, Buffer.from(text)));
  }
  sendBinary(data: Uint8Array): void {
    this.check();
    this.out.write(this.frame(Opcode.BINARY, data));
  }
  encodeDataFrame(opcode: number, payload: Uint8Array, rsv1: boolean): Uint8Array {
    return this.frame(opcode, payload, rsv1);
  }
  control(opcode: number): void {
    this.out.write(this.frame(opcode, new Uint8Array(0)));
  }
}

const PARAMS: DeflateParams = { serverNoContextTakeover: false, clientNoContextTakeover: false, serverMaxWindowBits: 15, clientMaxWindowBits: 15 };
const big = (size: number, fill = 'a'): string => fill.repeat(size);
/** Resolves once every sender of the test has written all it queued (zlib is done), checked each turn of the event loop. */
const settle = (): Promise<void> =>
  new Promise((resolve) => {
    const check = (): void => {
      if (senders.every((sender) => sender.pending === 0)) resolve();
      else setImmediate(check);
    };
    check();
  });

const senders: DeflateSender<Slot>[] = [];
function setUp(
  params: Partial<DeflateParams> = {},
  threshold?: number,
): { wire: Sent[]; sink: ShorthandSink; sender: DeflateSender<Slot>; outbox: Outbox } {
  const transport = new RecordingTransport();
  const outbox = new Outbox(transport);
  const sink = new ShorthandSink(outbox);
  const sender = new DeflateSender(sink, outbox, { ...PARAMS, ...params }, threshold === undefined ? {} : { threshold });
  senders.push(sender);
  return { wire: transport.sent, sink, sender, outbox };
}
afterEach(() => {
  for (const sender of senders.splice(0)) sender.close();
  jest.restoreAllMocks();
});

describe('DeflateSender', () => {
  it('compresses messages of 1024 bytes and more (COMPRESSION_THRESHOLD, as ws)', () => {
    expect(COMPRESSION_THRESHOLD).toBe(1024);
  });

  it('sends a message under the threshold at once and uncompressed', () => {
    const { wire, sender } = setUp();
    sender.sendText(big(1023));
    sender.sendBinary(new Uint8Array(1023));
    expect(kinds(wire)).toEqual(['text', 'binary']);
    expect(sender.pending).toBe(0);
  });

  it('compresses a text message at the threshold into one RSV1 frame without the tail', async () => {
    const { wire, sender, outbox } = setUp();
    const text = big(1024);
    sender.sendText(text);
    expect(wire).toEqual([]);
    expect(sender.pending).toBe(1);
    expect(outbox.bufferedAmount).toBe(1024); // the raw size counts while zlib works
    await settle();
    expect(wire).toHaveLength(1);
    expect(outbox.bufferedAmount).toBe(0);
    const frame = wire[0]!;
    expect(frame).toMatchObject({ opcode: Opcode.TEXT, rsv1: true });
    expect(frame.payload.length).toBeLessThan(100);
    expect(inflateAlone(frame.payload).toString()).toBe(text);
  });

  it('counts UTF-8 bytes, not characters, against the threshold', async () => {
    const { wire, sender } = setUp();
    sender.sendText(big(400, '€')); // 400 characters, 1200 bytes
    await settle();
    expect(wire[0]).toMatchObject({ rsv1: true });
  });

  it('compresses binary messages, reading a copy so the caller may reuse its buffer', async () => {
    const { wire, sender } = setUp();
    const data = new Uint8Array(4096).fill(9);
    sender.sendBinary(data);
    data.fill(1);
    await settle();
    const frame = wire[0]!;
    expect(frame).toMatchObject({ opcode: Opcode.BINARY, rsv1: true });
    expect(inflateAlone(frame.payload).equals(Buffer.alloc(4096, 9))).toBe(true);
  });

  it('sends uncompressed when the caller passes compress: false', () => {
    const { wire, sender } = setUp();
    sender.sendText(big(5000), false);
    sender.sendBinary(new Uint8Array(5000), false);
    expect(kinds(wire)).toEqual(['text', 'binary']);
  });

  it('honours a custom threshold', async () => {
    const { wire, sender } = setUp({}, 0);
    sender.sendText('');
    await settle();
    expect(wire[0]).toMatchObject({ rsv1: true });
    expect(inflateAlone(wire[0]!.payload).length).toBe(0);
  });

  it('keeps call order: small messages and the close wait for compressed ones; pings go ahead', async () => {
    const { wire, sink, sender, outbox } = setUp();
    sender.sendText(big(100_000, 'x'));
    sender.sendText('small');
    sink.control(Opcode.PING);
    sender.sendBinary(new Uint8Array(2000).fill(3));
    const reused = Uint8Array.of(1, 2);
    sender.sendBinary(reused);
    reused.fill(9); // the caller reuses its buffer at once: the queued message keeps its own bytes
    sink.control(Opcode.CLOSE);
    expect(kinds(wire)).toEqual(['ping']);
    expect(sender.pending).toBe(2);
    expect(outbox.bufferedAmount).toBe(100_000 + 6 + 2000 + 3 + 1);
    await settle();
    expect(kinds(wire)).toEqual(['ping', 'text+rsv1', 'text', 'binary+rsv1', 'binary', 'close']);
    expect([...wire[4]!.payload]).toEqual([1, 2]);
    expect(sender.pending).toBe(0);
    expect(outbox.bufferedAmount).toBe(0);
  });

  it('shares the context between messages, or resets it with client_no_context_takeover', async () => {
    const text = big(3000, 'lomond ');
    const shared = setUp();
    const fresh = setUp({ clientNoContextTakeover: true });
    for (const { sender } of [shared, fresh]) {
      sender.sendText(text);
      sender.sendText(text);
    }
    await settle();
    const sizes = (wire: Sent[]) => wire.map((s) => s.payload.length);
    const [a, b] = sizes(shared.wire);
    expect(b).toBeLessThan(a!);
    const [c, d] = sizes(fresh.wire);
    expect(d).toBe(c);
    expect(inflateAlone(fresh.wire[1]!.payload).toString()).toBe(text);
  });

  it('throws to the caller when an immediate send fails', () => {
    const { sink, sender } = setUp();
    sink.closing = true;
    expect(() => sender.sendText('hi')).toThrow(WebSocketClosingError);
  });

  it('sends what was accepted before the connection started closing, then the close', async () => {
    const { wire, sink, sender } = setUp();
    sender.sendText(big(2000));
    sender.sendText('after');
    sink.control(Opcode.CLOSE);
    sink.closing = true;
    expect(() => sender.sendText('too late')).toThrow(WebSocketClosingError);
    await settle();
    expect(kinds(wire)).toEqual(['text+rsv1', 'text', 'close']);
  });

  it('drops everything once closed, even a message zlib is working on', async () => {
    const { wire, sender, outbox } = setUp();
    sender.sendText(big(50_000));
    sender.sendText(big(50_000));
    sender.close();
    outbox.clear();
    sender.close();
    sender.sendText(big(50_000));
    await settle();
    await new Promise((resolve) => setImmediate(resolve));
    expect(wire).toEqual([]);
    expect(sender.pending).toBe(0);
  });

  it('falls back to an uncompressed frame when deflate fails', async () => {
    jest.spyOn(MessageDeflater.prototype, 'deflate').mockImplementation((_data, done) => void setImmediate(() => done(new Error('out of memory'), null)));
    const { wire, sender } = setUp();
    const text = big(2000);
    sender.sendText(text);
    await settle();
    const frame = wire[0]!;
    expect(frame).toMatchObject({ opcode: Opcode.TEXT, rsv1: false });
    expect(Buffer.from(frame.payload).toString()).toBe(text);
  });
});
