/**
 * Property tests of ClientProtocol against random and mutated server byte
 * streams, split at random offsets: peer input never makes `receive()` throw
 * (faults become `onProtocolError`), the memory held for frames and messages
 * in flight stays within twice the bytes pushed plus a constant, and what the
 * protocol reports does not depend on where the stream was split. Fixed seeds.
 */
import fc from 'fast-check';
import { buildClosePayload } from '../../lib/core/close.js';
import { encodeFrame } from '../helpers/frames.js';
import { Opcode } from '../../lib/core/opcode.js';
import { harness, hexOf, type Seen } from '../helpers/protocol-harness.js';

const concat = (parts: Uint8Array[]): Uint8Array => {
  const out = new Uint8Array(parts.reduce((sum, part) => sum + part.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
};
/** `bytes` cut at the given offsets, each chunk in a buffer of its own (as a socket delivers them). */
const cut = (bytes: Uint8Array, offsets: number[]): Uint8Array[] => {
  const points = [0, ...offsets.map((offset) => offset % (bytes.length + 1)).sort((a, b) => a - b), bytes.length];
  return points.slice(1).map((end, i) => bytes.slice(points[i], end));
};

/** Limits of one run: small, so that the limits themselves are exercised by mutations. */
const limitsArb = fc.record({ maxPayload: fc.constantFrom(125, 300, 5000), maxMessageSize: fc.constantFrom(600, 20_000), compression: fc.boolean() });
type Limits = { maxPayload: number; maxMessageSize: number; compression: boolean };

type Item =
  | { kind: 'control'; opcode: number; payload: Uint8Array }
  | { kind: 'text'; text: string; cuts: number[]; pings: number[] }
  | { kind: 'binary'; size: number; seed: number; cuts: number[]; pings: number[] };

const itemArb: fc.Arbitrary<Item> = fc.oneof(
  fc.record({ kind: fc.constant('control' as const), opcode: fc.constantFrom(Opcode.PING, Opcode.PONG), payload: fc.uint8Array({ maxLength: 125 }) }),
  fc.record({ kind: fc.constant('text' as const), text: fc.string({ unit: 'binary', maxLength: 120 }), cuts: fc.array(fc.nat(), { maxLength: 4 }), pings: fc.array(fc.nat(), { maxLength: 2 }) }),
  fc.record({ kind: fc.constant('binary' as const), size: fc.nat(9000), seed: fc.nat(255), cuts: fc.array(fc.nat(), { maxLength: 4 }), pings: fc.array(fc.nat(), { maxLength: 2 }) }),
);
const streamArb = fc.record({
  items: fc.array(itemArb, { maxLength: 8 }),
  close: fc.option(fc.string({ maxLength: 20 }), { nil: undefined }),
  /** Bytes after the Close frame: RFC 6455 §1.4, "a peer discards any further data received". */
  trailer: fc.uint8Array({ maxLength: 24 }),
});

/** Fragment boundaries of a `size`-byte payload: the random cuts plus every multiple of maxPayload. */
function fragments(bytes: Uint8Array, cuts: number[], maxPayload: number): Uint8Array[] {
  const points = new Set([0, bytes.length, ...cuts.map((cut) => cut % (bytes.length + 1))]);
  for (let at = maxPayload; at < bytes.length; at += maxPayload) points.add(at);
  const sorted = [...points].sort((a, b) => a - b);
  return sorted.length === 1 ? [bytes] : sorted.slice(1).map((end, i) => bytes.subarray(sorted[i], end));
}

/** A valid stream for `limits` and the events it must produce. */
function build(stream: { items: Item[]; close?: string; trailer: Uint8Array }, limits: Limits): { bytes: Uint8Array; expected: Seen[] } {
  const frames: Uint8Array[] = [];
  const expected: Seen[] = [];
  for (const item of stream.items) {
    if (item.kind === 'control') {
      frames.push(encodeFrame(item.opcode, item.payload, null));
      expected.push([item.opcode === Opcode.PING ? 'ping' : 'pong', hexOf(item.payload)]);
      continue;
    }
    const data = item.kind === 'text' ? new TextEncoder().encode(item.text) : Uint8Array.from({ length: Math.min(item.size, limits.maxMessageSize) }, (_, i) => (i * 7 + item.seed) & 0xff);
    const parts = fragments(data, item.cuts, limits.maxPayload);
    parts.forEach((payload, i) => {
      // A ping between fragments (RFC 6455 §5.4: control frames may be injected in the middle of a fragmented message).
      if (i > 0 && item.pings.includes(i)) {
        frames.push(encodeFrame(Opcode.PING, Uint8Array.of(i), null));
        expected.push(['ping', hexOf(Uint8Array.of(i))]);
      }
      frames.push(encodeFrame(i === 0 ? (item.kind === 'text' ? Opcode.TEXT : Opcode.BINARY) : Opcode.CONTINUATION, payload, null, { fin: i === parts.length - 1 }));
    });
    expected.push(item.kind === 'text' ? ['text', item.text] : ['binary', hexOf(data)]);
  }
  if (stream.close !== undefined) {
    frames.push(encodeFrame(Opcode.CLOSE, buildClosePayload(1000, stream.close), null));
    expected.push(['close', 1000, stream.close, true]);
    frames.push(stream.trailer);
  }
  return { bytes: concat(frames), expected };
}

/** Feeds `chunks` and checks the invariants after each; returns what was reported and the pongs written. */
function run(chunks: Uint8Array[], limits: Limits): { seen: Seen[]; pongs: string[]; held: number } {
  const { protocol, seen, sink } = harness(limits);
  let pushed = 0;
  for (const chunk of chunks) {
    protocol.receive(chunk); // a throw fails the property
    pushed += chunk.length;
    const held = protocol.bufferedBytes;
    // The documented bound: twice the bytes pushed, plus one socket read of slack, a tail, a control payload, a split header.
    // Parts under 4 KiB are always copied into the geometric tail: then the bound is tight.
    const bound = 2 * pushed + (limits.maxPayload < 4096 ? 0 : 64 * 1024) + 256 + 125 + 8;
    if (held > bound) throw new Error(`holds ${held} bytes after ${pushed} pushed (bound ${bound})`);
  }
  const pongs = sink.frames.filter((frame) => frame.opcode === Opcode.PONG).map((frame) => hexOf(frame.payload));
  return { seen, pongs, held: protocol.bufferedBytes };
}

describe('ClientProtocol under random and hostile streams', () => {
  const offsets = fc.array(fc.nat(), { maxLength: 12 });

  it('reports exactly the messages of a valid stream and nothing after its Close frame, whatever the chunking, and holds nothing after them', () => {
    fc.assert(
      fc.property(streamArb, limitsArb, offsets, (stream, limits, points) => {
        const { bytes, expected } = build(stream, limits);
        const whole = run([bytes], limits);
        expect(whole.seen).toEqual(expected);
        const split = run(cut(bytes, points), limits);
        expect(split.seen).toEqual(expected);
        expect(split.pongs).toEqual(whole.pongs);
        expect(split.held).toBeLessThanOrEqual(8);
      }),
      { numRuns: 150, seed: 6455 },
    );
  });

  it('never throws on mutated streams, stays within the memory bound, and reports the same whatever the chunking', () => {
    const mutations = fc.array(fc.record({ at: fc.nat(), value: fc.nat(255), insert: fc.boolean() }), { minLength: 1, maxLength: 6 });
    fc.assert(
      fc.property(streamArb, limitsArb, mutations, offsets, (stream, limits, changes, points) => {
        const bytes = [...build(stream, limits).bytes];
        for (const { at, value, insert } of changes) {
          if (insert || bytes.length === 0) bytes.splice(at % (bytes.length + 1), 0, value);
          else bytes[at % bytes.length] = value;
        }
        const mutated = Uint8Array.from(bytes);
        const whole = run([mutated], limits);
        const split = run(cut(mutated, points), limits);
        expect(split.seen).toEqual(whole.seen);
        expect(split.pongs).toEqual(whole.pongs);
        // At most one fault is reported, and it is the last event.
        const faults = whole.seen.filter((event) => event[0] === 'protocol_error');
        expect(faults.length).toBeLessThanOrEqual(1);
        if (faults.length === 1) expect(whole.seen.at(-1)![0]).toBe('protocol_error');
      }),
      { numRuns: 300, seed: 7692 },
    );
  });

  it('never throws on random bytes fed one at a time', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), limitsArb, (bytes, limits) => {
        const whole = run([bytes], limits);
        const single = run(
          Array.from(bytes, (byte) => Uint8Array.of(byte)),
          limits,
        );
        expect(single.seen).toEqual(whole.seen);
      }),
      { numRuns: 300, seed: 1 },
    );
  });
});
