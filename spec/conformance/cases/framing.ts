/**
 * 1.* framing: text and binary messages at every payload-length encoding
 * boundary, one frame delivered in chunks of every size and split at every
 * byte, and the hostile frames that must drop or fail the connection.
 */
import { bin, txt, type ConformanceCase } from '../case.js';
import type { Step } from '../scripted-server.js';
import { ascii, binary, bytes, chunked, closeWith, concat, cut, frame, pieces, send, text, untilMessages } from '../steps.js';

const MiB = 1024 * 1024;
const SIZES = [0, 125, 126, 127, 128, 65535, 65536, 65537, MiB, 16 * MiB];

const sizeCases = (kind: 'text' | 'binary', group: number): ConformanceCase[] =>
  SIZES.map((size, i) => {
    const payload = kind === 'text' ? ascii(size) : bytes(size);
    return {
      id: `1.${group}.${i + 1}`,
      title: `echoes a ${size}-byte ${kind} message sent in one frame`,
      steps: [send(kind === 'text' ? text(payload) : binary(payload)), untilMessages(1), closeWith()],
      client: size >= MiB ? { guard: 15_000 } : undefined,
      expect: { echo: [kind === 'text' ? txt(payload) : bin(payload)], close: 1000, within: size >= MiB ? 10_000 : undefined },
    };
  });

/** One frame of 130 bytes (16-bit extended length) in chunks of 1..8 bytes, 1 ms apart. */
const chunkCases: ConformanceCase[] = [1, 2, 3, 4, 5, 6, 7, 8].map((size) => {
  const payload = ascii(126, 'chunk me ');
  return {
    id: `1.3.${size}`,
    title: `echoes a 126-byte text frame delivered in ${size}-byte chunks`,
    steps: [chunked(text(payload), size, 1), closeWith()],
    expect: { echo: [txt(payload)], close: 1000 },
  };
});

/** Splits one frame at every offset in `offsets`, one message per split, each echoed before the next. */
function splitEverywhere(id: string, title: string, wire: Uint8Array, offsets: number[], echo: ReturnType<typeof txt>): ConformanceCase {
  const steps: Step[] = [];
  offsets.forEach((offset, i) => steps.push(pieces(cut(wire, [offset]), 3), untilMessages(i + 1)));
  steps.push(closeWith());
  return { id, title, steps, expect: { echo: offsets.map(() => echo), close: 1000 } };
}

const range = (from: number, to: number): number[] => Array.from({ length: to - from + 1 }, (_, i) => from + i);

const short = ascii(20, 'split!');
const medium = bytes(200);
const long = bytes(65539);

const splitCases: ConformanceCase[] = [
  splitEverywhere('1.4.1', 'echoes a 20-byte text frame split in two at each of its 21 inner offsets', text(short), range(1, 21), txt(short)),
  splitEverywhere('1.4.2', 'echoes a 200-byte binary frame split inside its 16-bit length header and first payload bytes', binary(medium), range(1, 8), bin(medium)),
  splitEverywhere('1.4.3', 'echoes a 65539-byte binary frame split inside its 64-bit length header and first payload bytes', binary(long), range(1, 14), bin(long)),
];

const hostileCases: ConformanceCase[] = [
  {
    id: '1.5.1',
    title: 'drops the connection without a close frame when a server frame is masked',
    steps: [send(text('masked', { maskKey: Uint8Array.of(1, 2, 3, 4) })), closeWith()],
    expect: { close: 'none', within: 300, check: (run) => expect(run.server.clientGoneAt).not.toBeNull() },
  },
  {
    id: '1.5.2',
    title: 'drops the connection without a close frame when a 64-bit length has its most significant bit set',
    steps: [send(frame(0x2, new Uint8Array(0), { declaredLength: 2n ** 63n }))],
    expect: { close: 'none', within: 300 },
  },
  {
    id: '1.5.3',
    title: 'fails with 1009 when a frame exceeds maxPayload, before its payload arrives',
    steps: [send(binary(bytes(2048)).subarray(0, 4)), closeWith()],
    client: { ws: { maxPayload: 1024 } },
    expect: { close: 1009 },
  },
  {
    id: '1.5.4',
    title: 'fails with 1009 when fragments add up beyond maxMessageSize',
    steps: [send(binary(bytes(600), { fin: false }), frame(0x0, bytes(600))), closeWith()],
    client: { ws: { maxMessageSize: 1024 } },
    expect: { close: 1009 },
  },
  {
    id: '1.5.6',
    title: 'echoes a frame of exactly maxPayload bytes',
    steps: [send(binary(bytes(1024))), untilMessages(1), closeWith()],
    client: { ws: { maxPayload: 1024 } },
    expect: { echo: [bin(bytes(1024))], close: 1000 },
  },
  {
    id: '1.5.7',
    title: 'echoes fragments that add up to exactly maxMessageSize',
    steps: [send(binary(bytes(512), { fin: false }), frame(0x0, bytes(512))), untilMessages(1), closeWith()],
    client: { ws: { maxMessageSize: 1024 } },
    expect: { echo: [bin(concat(bytes(512), bytes(512)))], close: 1000 },
  },
  {
    id: '1.5.5',
    title: 'echoes three messages that arrive in one TCP chunk, in order',
    steps: [send(text('one'), binary(bytes(3)), text('two')), closeWith()],
    expect: { echo: [txt('one'), bin(bytes(3)), txt('two')], close: 1000 },
  },
];

/** All 1.* cases. */
export const framingCases: ConformanceCase[] = [...sizeCases('text', 1), ...sizeCases('binary', 2), ...chunkCases, ...splitCases, ...hostileCases];
