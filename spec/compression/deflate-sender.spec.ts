/**
 * DeflateSender: the permessage-deflate send path (RFC 7692 §7.2.1), in call order.
 */
import { constants, inflateRawSync } from 'node:zlib';
import { MessageDeflater } from '../../lib/compression/deflater.js';
import type { DeflateParams } from '../../lib/core/deflate-params.js';
import { WebSocketClosingError } from '../../lib/core/errors.js';
import { Opcode } from '../../lib/core/opcode.js';
import { COMPRESSION_THRESHOLD, DeflateSender, type FrameSink } from '../../lib/compression/deflate-sender.js';

const TAIL = Buffer.from([0x00, 0x00, 0xff, 0xff]);
const inflateAlone = (payload: Uint8Array): Buffer =>
  inflateRawSync(Buffer.concat([payload, TAIL]), { finishFlush: constants.Z_SYNC_FLUSH });

type Sent =
  | { kind: 'text'; text: string }
  | { kind: 'binary'; data: Uint8Array }
  | { kind: 'frame'; opcode: number; payload: Uint8Array; rsv1: boolean }
  | { kind: 'action'; label: string };

/** A sink that records what would go on the wire; `closing` makes it throw like a closing protocol. */
class RecordingSink implements FrameSink {
  readonly sent: Sent[] = [];
  closing = false;
  private check(): void {
    if (this.closing) throw new WebSocketClosingError('websocket is closing');
  }
  sendText(text: string): void {
    this.check();
    this.sent.push({ kind: 'text', text });
  }
  sendBinary(data: Uint8Array): void {
    this.check();
    this.sent.push({ kind: 'binary', data });
  }
  sendDataFrame(opcode: number, payload: Uint8Array, rsv1: boolean): void {
    this.check();
    this.sent.push({ kind: 'frame', opcode, payload: Buffer.from(payload), rsv1 });
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

const senders: DeflateSender[] = [];
function setUp(params: Partial<DeflateParams> = {}, threshold?: number): { sink: RecordingSink; sender: DeflateSender } {
  const sink = new RecordingSink();
  const sender = new DeflateSender(sink, { ...PARAMS, ...params }, threshold === undefined ? {} : { threshold });
  senders.push(sender);
  return { sink, sender };
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
    const { sink, sender } = setUp();
    sender.sendText(big(1023));
    sender.sendBinary(new Uint8Array(1023));
    expect(sink.sent.map((s) => s.kind)).toEqual(['text', 'binary']);
    expect(sender.pending).toBe(0);
  });

  it('compresses a text message at the threshold into one RSV1 frame without the tail', async () => {
    const { sink, sender } = setUp();
    const text = big(1024);
    sender.sendText(text);
    expect(sink.sent).toEqual([]);
    expect(sender.pending).toBe(1);
    await settle();
    expect(sink.sent).toHaveLength(1);
    const frame = sink.sent[0] as Extract<Sent, { kind: 'frame' }>;
    expect(frame).toMatchObject({ kind: 'frame', opcode: Opcode.TEXT, rsv1: true });
    expect(frame.payload.length).toBeLessThan(100);
    expect(inflateAlone(frame.payload).toString()).toBe(text);
  });

  it('counts UTF-8 bytes, not characters, against the threshold', async () => {
    const { sink, sender } = setUp();
    sender.sendText(big(400, '€')); // 400 characters, 1200 bytes
    await settle();
    expect(sink.sent[0]).toMatchObject({ kind: 'frame', rsv1: true });
  });

  it('compresses binary messages, reading a copy so the caller may reuse its buffer', async () => {
    const { sink, sender } = setUp();
    const data = new Uint8Array(4096).fill(9);
    sender.sendBinary(data);
    data.fill(1);
    await settle();
    const frame = sink.sent[0] as Extract<Sent, { kind: 'frame' }>;
    expect(frame).toMatchObject({ opcode: Opcode.BINARY, rsv1: true });
    expect(inflateAlone(frame.payload).equals(Buffer.alloc(4096, 9))).toBe(true);
  });

  it('sends uncompressed when the caller passes compress: false', () => {
    const { sink, sender } = setUp();
    sender.sendText(big(5000), false);
    sender.sendBinary(new Uint8Array(5000), false);
    expect(sink.sent.map((s) => s.kind)).toEqual(['text', 'binary']);
  });

  it('honours a custom threshold', async () => {
    const { sink, sender } = setUp({}, 0);
    sender.sendText('');
    await settle();
    expect(sink.sent[0]).toMatchObject({ kind: 'frame', rsv1: true });
    expect(inflateAlone((sink.sent[0] as Extract<Sent, { kind: 'frame' }>).payload).length).toBe(0);
  });

  it('keeps call order: small messages and flushThen actions wait for compressed ones', async () => {
    const { sink, sender } = setUp();
    const record = (label: string) => () => void sink.sent.push({ kind: 'action', label });
    sender.sendText(big(100_000, 'x'));
    sender.sendText('small');
    sender.flushThen(record('ping'));
    sender.sendBinary(new Uint8Array(2000).fill(3));
    sender.sendBinary(Uint8Array.of(1, 2));
    sender.flushThen(record('close'));
    expect(sink.sent).toEqual([]);
    expect(sender.pending).toBe(6);
    await settle();
    expect(sink.sent.map((s) => (s.kind === 'action' ? s.label : s.kind))).toEqual(['frame', 'text', 'ping', 'frame', 'binary', 'close']);
    expect(sender.pending).toBe(0);
  });

  it('runs flushThen at once when nothing is queued', () => {
    const { sender } = setUp();
    const action = jest.fn();
    sender.flushThen(action);
    expect(action).toHaveBeenCalledTimes(1);
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
    const sizes = (sink: RecordingSink) => sink.sent.map((s) => (s as Extract<Sent, { kind: 'frame' }>).payload.length);
    const [a, b] = sizes(shared.sink);
    expect(b).toBeLessThan(a!);
    const [c, d] = sizes(fresh.sink);
    expect(d).toBe(c);
    expect(inflateAlone((fresh.sink.sent[1] as Extract<Sent, { kind: 'frame' }>).payload).toString()).toBe(text);
  });

  it('throws to the caller when an immediate send fails', () => {
    const { sink, sender } = setUp();
    sink.closing = true;
    expect(() => sender.sendText('hi')).toThrow(WebSocketClosingError);
  });

  it('drops queued sends silently when the connection started closing meanwhile', async () => {
    const { sink, sender } = setUp();
    const action = jest.fn();
    sender.sendText(big(2000));
    sender.sendText('after');
    sender.flushThen(action);
    sink.closing = true;
    await settle();
    expect(sink.sent).toEqual([]);
    expect(action).toHaveBeenCalledTimes(1); // actions check the state themselves (e.g. close)
  });

  it('drops everything once closed, even a message zlib is working on', async () => {
    const { sink, sender } = setUp();
    sender.sendText(big(50_000));
    sender.sendText('queued');
    sender.close();
    sender.close();
    sender.sendText('after close');
    await settle();
    expect(sink.sent).toEqual([]);
    expect(sender.pending).toBe(0);
  });

  it('falls back to an uncompressed frame when deflate fails', async () => {
    jest.spyOn(MessageDeflater.prototype, 'deflate').mockImplementation((_data, done) => void setImmediate(() => done(new Error('out of memory'), null)));
    const { sink, sender } = setUp();
    const text = big(2000);
    sender.sendText(text);
    await settle();
    const frame = sink.sent[0] as Extract<Sent, { kind: 'frame' }>;
    expect(frame).toMatchObject({ opcode: Opcode.TEXT, rsv1: false });
    expect(Buffer.from(frame.payload).toString()).toBe(text);
  });
});
