/**
 * Arbitraries for what the server sends after its 101: data messages (text,
 * binary, fragmented, with pings between the fragments, compressed when
 * permessage-deflate was negotiated), pings, pongs, close frames with valid
 * and invalid codes and reasons, decompression bombs, broken deflate data,
 * hand-built frames with any header (reserved opcodes and bits, masks, huge
 * announced lengths) and plain garbage. Frames are built with lib/testing's
 * `serverFrame`, which never validates; compression is raw deflate from
 * node:zlib, done here, apart from lib/compression.
 */
import { constants, deflateRawSync } from 'node:zlib';
import fc from 'fast-check';
import { serverFrame } from '../../lib/testing/server-frames.js';
import { concat, pattern, utf8 } from './bytes.js';

/** Byte sequences that no valid UTF-8 text contains. */
export const INVALID_UTF8: readonly (readonly number[])[] = [[0xff], [0xc0, 0x80], [0xed, 0xa0, 0x80], [0xf4, 0x90, 0x80, 0x80], [0x80], [0xe2, 0x82], [0xf0, 0x9f, 0x98]];

/** A data message, split into fragments by `cuts`, with pings sent between fragments. */
export interface MessageSpec {
  readonly kind: 'message';
  readonly opcode: 1 | 2;
  /** The message (for text: UTF-8, invalid when `invalidAt` is set). */
  readonly payload: Uint8Array;
  /** Index into INVALID_UTF8 and position of an invalid sequence inserted into a text message, or null. */
  readonly invalid: { readonly sequence: number; readonly at: number } | null;
  /** Fragment boundaries (taken modulo the payload size plus one; duplicates make empty fragments). */
  readonly cuts: readonly number[];
  /**
   * Instead of `cuts`: fragments of this many bytes each (the last one shorter), for messages of thousands of tiny
   * fragments (RFC 6455 §10.4: "a long stream of small frames that are a part of a fragmented message").
   */
  readonly every?: number | null;
  /** Send it compressed (RSV1) when permessage-deflate was negotiated; plain otherwise. */
  readonly compress: boolean;
  /** Pings sent after fragment `after` (modulo the fragment count). */
  readonly pings: ReadonlyArray<{ readonly after: number; readonly payload: Uint8Array }>;
}

/** One item of the server's frame script. */
export type FrameSpec =
  | MessageSpec
  | { readonly kind: 'control'; readonly opcode: 9 | 10; readonly payload: Uint8Array }
  | { readonly kind: 'close'; readonly code: number | null; readonly reason: Uint8Array }
  | { readonly kind: 'bomb'; readonly size: number }
  | { readonly kind: 'bad-deflate'; readonly tail: Uint8Array }
  | {
      readonly kind: 'raw';
      readonly opcode: number;
      readonly fin: boolean;
      readonly rsv: number;
      readonly mask: boolean;
      readonly declared: bigint | null;
      readonly payload: Uint8Array;
    }
  | { readonly kind: 'garbage'; readonly bytes: Uint8Array }
  /** A data frame header announcing `declared` bytes, then only a few of them: memory must follow what arrives. */
  | { readonly kind: 'announce'; readonly opcode: 1 | 2; readonly declared: bigint; readonly payload: Uint8Array };

/** Negotiated permessage-deflate as far as the server's compressor needs it. */
export interface ServerDeflate {
  readonly serverWindowBits: number;
}

// --- arbitraries --------------------------------------------------------------

/** Payload sizes around the limits the client is given (125, 1 KiB, 64 KiB) and beyond. */
const largeSize = fc.oneof(fc.constantFrom(125, 126, 1023, 1024, 1025, 65_535, 65_536, 65_537), fc.integer({ min: 126, max: 140_000 }));

const textPayload = fc.oneof(
  { arbitrary: fc.string({ maxLength: 40 }).map(utf8), weight: 6 },
  { arbitrary: fc.string({ unit: 'binary', maxLength: 20 }).map(utf8), weight: 3 },
  { arbitrary: fc.tuple(fc.nat(255), largeSize).map(([seed, size]) => pattern(seed, size, true)), weight: 1 },
);

const binaryPayload = fc.oneof(
  { arbitrary: fc.uint8Array({ maxLength: 200 }), weight: 9 },
  { arbitrary: fc.tuple(fc.nat(255), largeSize).map(([seed, size]) => pattern(seed, size, false)), weight: 1 },
);

const controlPayload = fc.oneof({ arbitrary: fc.uint8Array({ maxLength: 125 }), weight: 9 }, fc.uint8Array({ minLength: 126, maxLength: 130 }));

const message = (opcode: 1 | 2): fc.Arbitrary<MessageSpec> =>
  fc.record({
    kind: fc.constant('message' as const),
    opcode: fc.constant(opcode),
    payload: opcode === 1 ? textPayload : binaryPayload,
    invalid:
      opcode === 1
        ? fc.oneof({ arbitrary: fc.constant(null), weight: 6 }, fc.record({ sequence: fc.nat(INVALID_UTF8.length - 1), at: fc.nat() }))
        : fc.constant(null),
    cuts: fc.oneof({ arbitrary: fc.constant([]), weight: 3 }, fc.array(fc.nat(), { maxLength: 4 })),
    every: fc.oneof({ arbitrary: fc.constant(null), weight: 12 }, fc.constantFrom(1, 3, 64)),
    compress: fc.boolean(),
    pings: fc.oneof({ arbitrary: fc.constant([]), weight: 4 }, fc.array(fc.record({ after: fc.nat(), payload: fc.uint8Array({ maxLength: 8 }) }), { maxLength: 2 })),
  });

/** Close codes: valid on the wire, reserved or unassigned, anything. */
const closeCode = fc.oneof(
  { arbitrary: fc.constantFrom(1000, 1001, 1002, 1003, 1007, 1008, 1009, 1010, 1011, 1012, 1013, 1014, 3000, 3999, 4000, 4999), weight: 4 },
  { arbitrary: fc.constantFrom(0, 999, 1004, 1005, 1006, 1015, 1016, 2000, 2999, 5000, 65535), weight: 2 },
  { arbitrary: fc.integer({ min: 0, max: 65535 }), weight: 1 },
);

const closeReason = fc.oneof(
  { arbitrary: fc.string({ maxLength: 30 }).map(utf8), weight: 6 },
  fc.constant(utf8('x'.repeat(123))),
  fc.constant(utf8('x'.repeat(124))),
  fc.constantFrom(...INVALID_UTF8).map((bytes) => Uint8Array.from(bytes)),
);

const closeFrame = fc.oneof(
  { arbitrary: fc.record({ kind: fc.constant('close' as const), code: closeCode, reason: closeReason }), weight: 8 },
  fc.constant({ kind: 'close' as const, code: null, reason: new Uint8Array(0) }),
);

const rawFrame = fc.record({
  kind: fc.constant('raw' as const),
  opcode: fc.oneof({ arbitrary: fc.constantFrom(1, 2), weight: 2 }, fc.integer({ min: 0, max: 15 })),
  fin: fc.boolean(),
  rsv: fc.oneof({ arbitrary: fc.constant(0), weight: 3 }, fc.integer({ min: 0, max: 7 })),
  mask: fc.oneof({ arbitrary: fc.constant(false), weight: 4 }, fc.constant(true)),
  declared: fc.oneof(
    { arbitrary: fc.constant(null), weight: 6 },
    { arbitrary: fc.constantFrom(0n, 125n, 126n, 65_535n, 65_536n, 50n << 20n, 100n << 20n, (100n << 20n) + 1n, 2n ** 31n, 2n ** 32n, 2n ** 53n, 2n ** 63n, 2n ** 64n - 1n), weight: 3 },
    // Around what a Buffer can hold (2^32 on Node 20, 2^53 - 1 on Node 22+): the largest limits a client accepts.
    fc.constantFrom(2n ** 32n, 2n ** 32n + 1n, 2n ** 40n, 2n ** 53n - 1n),
    fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }),
  ),
  payload: fc.uint8Array({ maxLength: 40 }),
});

/** One item of a frame script. */
export const frameSpec: fc.Arbitrary<FrameSpec> = fc.oneof(
  { arbitrary: message(1), weight: 8 },
  { arbitrary: message(2), weight: 5 },
  { arbitrary: fc.record({ kind: fc.constant('control' as const), opcode: fc.constantFrom(9 as const, 10 as const), payload: controlPayload }), weight: 3 },
  { arbitrary: closeFrame, weight: 3 },
  { arbitrary: fc.record({ kind: fc.constant('bomb' as const), size: fc.constantFrom(70_000, 1 << 20, 8 << 20) }), weight: 1 },
  { arbitrary: fc.record({ kind: fc.constant('bad-deflate' as const), tail: fc.uint8Array({ maxLength: 16 }) }), weight: 1 },
  { arbitrary: rawFrame, weight: 3 },
  { arbitrary: fc.record({ kind: fc.constant('garbage' as const), bytes: fc.uint8Array({ minLength: 1, maxLength: 24 }) }), weight: 1 },
  {
    arbitrary: fc.record({
      kind: fc.constant('announce' as const),
      opcode: fc.constantFrom(1 as const, 2 as const),
      declared: fc.constantFrom(1n << 20n, 100n << 20n, 2n ** 31n, 2n ** 32n + 1n, 2n ** 40n),
      payload: fc.uint8Array({ maxLength: 16 }),
    }),
    weight: 1,
  },
);

/** A frame script: up to a dozen items, empty now and then. */
export const frameScript: fc.Arbitrary<FrameSpec[]> = fc.array(frameSpec, { maxLength: 12 });

// --- rendering -----------------------------------------------------------------

/** RFC 7692 §7.2.1: the tail removed from each compressed message. */
const TAIL = [0x00, 0x00, 0xff, 0xff];

/** Raw deflate of one message with a fresh context, sync-flushed and without its tail (RFC 7692 §7.2.1). */
export function deflateMessage(data: Uint8Array, windowBits: number): Uint8Array {
  const out = new Uint8Array(deflateRawSync(data, { windowBits: Math.max(9, windowBits), finishFlush: constants.Z_SYNC_FLUSH }));
  const hasTail = out.length >= 4 && TAIL.every((byte, i) => out[out.length - 4 + i] === byte);
  return hasTail ? out.subarray(0, out.length - 4) : out;
}

const bombs = new Map<string, Uint8Array>();

/** The compressed form of `size` zero bytes (cached: the same few sizes come up again and again). */
export function bombBytes(size: number, windowBits: number): Uint8Array {
  const key = `${size}/${windowBits}`;
  let bytes = bombs.get(key);
  if (bytes === undefined) {
    bytes = deflateMessage(new Uint8Array(size), windowBits);
    bombs.set(key, bytes);
  }
  return bytes;
}

/** The message as sent: the payload with the invalid sequence inserted. */
export function messageBytes(spec: MessageSpec): Uint8Array {
  if (spec.invalid === null) return spec.payload;
  const at = spec.invalid.at % (spec.payload.length + 1);
  return concat([spec.payload.subarray(0, at), Uint8Array.from(INVALID_UTF8[spec.invalid.sequence]!), spec.payload.subarray(at)]);
}

/** Fragment sizes of a `size`-byte payload cut at `cuts`. */
export function fragmentSizes(size: number, cuts: readonly number[]): number[] {
  const points = cuts.map((cut) => cut % (size + 1)).sort((a, b) => a - b);
  const out: number[] = [];
  let from = 0;
  for (const point of points) {
    out.push(point - from);
    from = point;
  }
  out.push(size - from);
  return out;
}

/** Fragment sizes of a message whose payload on the wire is `size` bytes: by `every`, else by `cuts`. */
export function messageFragments(spec: MessageSpec, size: number): number[] {
  const every = spec.every ?? null;
  if (every === null) return fragmentSizes(size, spec.cuts);
  const out: number[] = [];
  for (let from = 0; from < size; from += every) out.push(Math.min(every, size - from));
  return out.length > 0 ? out : [0];
}

function renderMessage(spec: MessageSpec, deflate: ServerDeflate | null): Uint8Array[] {
  const plain = messageBytes(spec);
  const compressed = spec.compress && deflate !== null;
  const wire = compressed ? deflateMessage(plain, deflate.serverWindowBits) : plain;
  const sizes = messageFragments(spec, wire.length);
  const frames: Uint8Array[] = [];
  let offset = 0;
  sizes.forEach((size, i) => {
    const last = i === sizes.length - 1;
    frames.push(serverFrame(i === 0 ? spec.opcode : 0, wire.subarray(offset, offset + size), { fin: last, rsv1: compressed && i === 0 }));
    offset += size;
    for (const ping of spec.pings) if (!last && ping.after % Math.max(1, sizes.length - 1) === i) frames.push(serverFrame(9, ping.payload));
  });
  return frames;
}

function closePayload(code: number | null, reason: Uint8Array): Uint8Array {
  if (code === null) return new Uint8Array(0);
  return concat([Uint8Array.from([(code >> 8) & 0xff, code & 0xff]), reason]);
}

/** The bytes of one item, given what was negotiated. */
export function renderFrame(spec: FrameSpec, deflate: ServerDeflate | null): Uint8Array {
  switch (spec.kind) {
    case 'message':
      return concat(renderMessage(spec, deflate));
    case 'control':
      return serverFrame(spec.opcode, spec.payload);
    case 'close':
      return serverFrame(8, closePayload(spec.code, spec.reason));
    case 'bomb':
      return serverFrame(2, bombBytes(spec.size, deflate?.serverWindowBits ?? 15), { rsv1: true });
    case 'bad-deflate':
      // BFINAL=1, BTYPE=11: a reserved block type, invalid whatever follows (RFC 1951 §3.2.3).
      return serverFrame(2, concat([Uint8Array.of(0x07), spec.tail]), { rsv1: true });
    case 'raw':
      return serverFrame(spec.opcode, spec.payload, {
        fin: spec.fin,
        rsv1: (spec.rsv & 4) !== 0,
        rsv2: (spec.rsv & 2) !== 0,
        rsv3: (spec.rsv & 1) !== 0,
        maskKey: spec.mask ? Uint8Array.of(0x12, 0x34, 0x56, 0x78) : undefined,
        declaredLength: spec.declared ?? undefined,
      });
    case 'garbage':
      return spec.bytes;
    case 'announce':
      return serverFrame(spec.opcode, spec.payload, { declaredLength: spec.declared });
  }
}

/** The bytes of a whole frame script. */
export const renderFrames = (specs: readonly FrameSpec[], deflate: ServerDeflate | null): Uint8Array => concat(specs.map((spec) => renderFrame(spec, deflate)));
