/**
 * 9.* large messages and many small ones (Autobahn's performance cases,
 * timed in the summary) and 10.* messages fragmented at odd boundaries,
 * which the client reassembles and echoes whole.
 */
import { bin, txt, type ConformanceCase, type Echo } from '../case.js';
import type { Step } from '../scripted-server.js';
import { ascii, binary, bytes, chunked, closeWith, concat, cut, fragments, ping, send, text, untilFrames, untilMessages } from '../steps.js';

const KiB = 1024;
const MiB = 1024 * KiB;
const TEXT = 0x1;
const BINARY = 0x2;
const BIG = { guard: 20_000 };

const big = (id: string, kind: 'text' | 'binary', size: number, fragment: number | null): ConformanceCase => {
  const data = kind === 'text' ? ascii(size) : bytes(size);
  const opcode = kind === 'text' ? TEXT : BINARY;
  const wire = fragment === null ? [opcode === TEXT ? text(data) : binary(data)] : fragments(opcode, cut(data, fragment));
  const how = fragment === null ? 'in one frame' : `in ${size / fragment} fragments of ${fragment / KiB} KiB`;
  return {
    id,
    title: `echoes a ${size / MiB} MiB ${kind} message sent ${how}`,
    steps: [send(...wire), untilMessages(1, 15_000), closeWith()],
    client: BIG,
    expect: { echo: [kind === 'text' ? txt(data) : bin(data)], close: 1000, within: 15_000 },
  };
};

const SIZES = [MiB, 4 * MiB, 16 * MiB];

const largeCases: ConformanceCase[] = [
  ...SIZES.map((size, i) => big(`9.1.${i + 1}`, 'text', size, null)),
  ...SIZES.map((size, i) => big(`9.2.${i + 1}`, 'binary', size, null)),
  ...SIZES.map((size, i) => big(`9.3.${i + 1}`, 'text', size, 64 * KiB)),
  ...SIZES.map((size, i) => big(`9.4.${i + 1}`, 'binary', size, 64 * KiB)),
];

const many = (count: number, make: (i: number) => Echo): Echo[] => Array.from({ length: count }, (_, i) => make(i));
const smallTexts = many(1000, (i) => txt(`message ${i}`));
const smallBinaries = many(1000, (i) => bin(Uint8Array.of(i & 0xff, i >> 8, 0xff, 0x00)));
const mediumBinaries = many(100, (i) => bin(Buffer.alloc(64 * KiB, i)));

/** Send one message, wait for its echo, 1000 times: the client's round-trip latency. */
const roundTrips: Step[] = smallTexts.flatMap((m, i) => [send(text(m.data)), untilMessages(i + 1)]);

const manyCases: ConformanceCase[] = [
  {
    id: '9.5.1',
    title: 'echoes 1000 small text messages sent in one write, in order',
    steps: [send(...smallTexts.map((m) => text(m.data))), untilMessages(1000), closeWith()],
    expect: { echo: smallTexts, close: 1000 },
  },
  {
    id: '9.5.2',
    title: 'echoes 1000 small binary messages sent in one write, in order',
    steps: [send(...smallBinaries.map((m) => binary(m.data))), untilMessages(1000), closeWith()],
    expect: { echo: smallBinaries, close: 1000 },
  },
  {
    id: '9.6.1',
    title: 'echoes 1000 small text messages one round trip at a time',
    steps: [...roundTrips, closeWith()],
    expect: { echo: smallTexts, close: 1000, within: 10_000 },
  },
  {
    id: '9.7.1',
    title: 'echoes 100 binary messages of 64 KiB sent in one write, in order',
    steps: [send(...mediumBinaries.map((m) => binary(m.data))), untilMessages(100), closeWith()],
    expect: { echo: mediumBinaries, close: 1000, within: 10_000 },
  },
  {
    id: '9.8.1',
    title: 'echoes a 1 MiB binary message sent in 4096 fragments of 256 bytes',
    steps: [send(...fragments(BINARY, cut(bytes(MiB), 256))), untilMessages(1), closeWith()],
    expect: { echo: [bin(bytes(MiB))], close: 1000, within: 10_000 },
  },
  {
    id: '9.8.2',
    title: 'echoes a 4 MiB text message delivered in TCP chunks of 65533 bytes (boundaries off the 64 KiB grid)',
    steps: [chunked(text(ascii(4 * MiB)), 65533, 0), untilMessages(1, 15_000), closeWith()],
    client: BIG,
    expect: { echo: [txt(ascii(4 * MiB))], close: 1000, within: 15_000 },
  },
];

/** Fragment sizes that cycle through small primes: boundaries never line up with anything. */
function oddCut(data: Uint8Array, sizes: readonly number[]): Uint8Array[] {
  const offsets: number[] = [];
  for (let at = 0, i = 0; ; i++) {
    at += sizes[i % sizes.length]!;
    if (at >= data.length) break;
    offsets.push(at);
  }
  return cut(data, offsets);
}

const PRIMES = [1, 2, 3, 5, 7, 11, 13, 17, 19, 23, 29, 31, 37, 41, 43, 47, 53, 59, 61, 67, 71, 73, 79, 83, 89, 97, 101, 127, 251, 509, 1021];
const multibyte = Buffer.from('aé€😀'.repeat(2000));
const largeBinary = bytes(MiB);

const autoFragmentation: ConformanceCase[] = [
  {
    id: '10.1.1',
    title: 'echoes a 64 KiB text message fragmented at odd boundaries as one message',
    steps: [send(...fragments(TEXT, oddCut(ascii(64 * KiB), PRIMES))), untilMessages(1), closeWith()],
    expect: { echo: [txt(ascii(64 * KiB))], close: 1000 },
  },
  {
    id: '10.1.2',
    title: 'echoes a multi-byte text message whose odd fragment boundaries fall inside characters',
    steps: [send(...fragments(TEXT, oddCut(multibyte, PRIMES))), untilMessages(1), closeWith()],
    expect: { echo: [txt(multibyte)], close: 1000 },
  },
  {
    id: '10.1.3',
    title: 'echoes a binary message fragmented at odd boundaries and delivered in TCP chunks that cut across frames',
    steps: [chunked(concat(...fragments(BINARY, oddCut(bytes(20_000), PRIMES))), 1000, 1), untilMessages(1), closeWith()],
    expect: { echo: [bin(bytes(20_000))], close: 1000 },
  },
  {
    id: '10.1.4',
    title: 'echoes a 1 MiB binary message in 65521-byte fragments with pings between them, answering each ping',
    steps: [
      send(...fragments(BINARY, cut(largeBinary, 65521)).flatMap((f, i, all) => (i < all.length - 1 ? [f, ping(`p${i}`)] : [f]))),
      untilMessages(1),
      untilFrames(0xa, 16),
      closeWith(),
    ],
    expect: { echo: [bin(largeBinary)], pongs: Array.from({ length: 16 }, (_, i) => `p${i}`), close: 1000 },
  },
];

/** All 9.* cases. */
export const limitCases: ConformanceCase[] = [...largeCases, ...manyCases];
/** All 10.* cases. */
export const autoFragmentationCases: ConformanceCase[] = autoFragmentation;
