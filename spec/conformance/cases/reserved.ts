/**
 * 3.* reserved bits and 4.* reserved opcodes: without a negotiated extension
 * any RSV bit and any opcode 3–7 or 0xB–0xF fails the connection with 1002;
 * the offending message is never echoed, a ping after it is never answered,
 * and a valid message before it is echoed first.
 */
import { txt, type ConformanceCase } from '../case.js';
import type { ServerFrameOptions } from '../../../lib/testing/server-frames.js';
import { binary, close, closeWith, cont, frame, ping, pong, send, text, untilMessages, wait } from '../steps.js';

type Rsv = Pick<ServerFrameOptions, 'rsv1' | 'rsv2' | 'rsv3'>;

/** RSV bits from the 3-bit value Autobahn uses (4 = RSV1, 2 = RSV2, 1 = RSV3). */
const rsvOf = (value: number): Rsv => ({ rsv1: (value & 4) !== 0, rsv2: (value & 2) !== 0, rsv3: (value & 1) !== 0 });
const rsvName = (value: number): string =>
  Object.entries(rsvOf(value))
    .filter(([, on]) => on)
    .map(([name]) => name.toUpperCase())
    .join('+');

const KINDS: Array<[string, (rsv: Rsv) => Uint8Array[]]> = [
  ['text', (rsv) => [text('Hello, world!', rsv)]],
  ['binary', (rsv) => [binary('Hello, world!', rsv)]],
  ['ping', (rsv) => [ping('Hello, world!', rsv)]],
  ['pong', (rsv) => [pong('Hello, world!', rsv)]],
  ['close', (rsv) => [close(1000, '', rsv)]],
  ['continuation', (rsv) => [text('Hello, ', { fin: false }), cont('world!', rsv)]],
];

/** Each RSV bit alone on each frame kind. */
const rsvMatrix: ConformanceCase[] = [4, 2, 1].flatMap((value, bit) =>
  KINDS.map(([kind, build], k) => ({
    id: `3.8.${bit * KINDS.length + k + 1}`,
    title: `fails with 1002 when ${rsvName(value)} is set on a ${kind} frame`,
    steps: [send(...build(rsvOf(value))), wait(10), closeWith()],
    expect: { close: 1002 },
  })),
);

/** Every RSV value 1–7 on a text frame that follows a valid one, with a ping after it. */
const rsvValues: ConformanceCase[] = [1, 2, 3, 4, 5, 6, 7].map((value) => ({
  id: `3.9.${value}`,
  title: `echoes a valid text, then fails with 1002 on a text frame with RSV ${value} (${rsvName(value)}) and ignores the ping after it`,
  steps: [send(text('valid')), untilMessages(1), send(text('reserved', rsvOf(value)), ping('no answer')), wait(10), closeWith()],
  expect: { echo: [txt('valid')], close: 1002 },
}));

const autobahnRsv: ConformanceCase[] = [
  {
    id: '3.1',
    title: 'fails with 1002 when a text frame has RSV1 set and no extension was negotiated',
    steps: [send(text('Hello, world!', rsvOf(4))), wait(10), closeWith()],
    expect: { close: 1002 },
  },
  {
    id: '3.2',
    title: 'echoes a valid text, then fails with 1002 on an RSV2 text frame sent in the same write, without answering the ping after it',
    steps: [send(text('Hello, world!'), text('Hello, world!', rsvOf(2)), ping('no answer')), wait(10), closeWith()],
    expect: { echo: [txt('Hello, world!')], close: 1002 },
  },
  {
    id: '3.3',
    title: 'echoes a valid text, then fails with 1002 on an RSV3 binary frame sent 10 ms later',
    steps: [send(text('Hello, world!')), wait(10), send(binary('Hello, world!', rsvOf(1))), wait(10), send(ping('no answer')), wait(10), closeWith()],
    expect: { echo: [txt('Hello, world!')], close: 1002 },
  },
];

const RESERVED_OPCODES = [0x3, 0x4, 0x5, 0x6, 0x7, 0xb, 0xc, 0xd, 0xe, 0xf];
const hexOf = (opcode: number): string => `0x${opcode.toString(16)}`;

const opcodeAlone: ConformanceCase[] = RESERVED_OPCODES.map((opcode, i) => ({
  id: `4.1.${i + 1}`,
  title: `fails with 1002 on a frame with reserved opcode ${hexOf(opcode)} and no payload`,
  steps: [send(frame(opcode)), wait(10), closeWith()],
  expect: { close: 1002 },
}));

const opcodeAfterValid: ConformanceCase[] = RESERVED_OPCODES.map((opcode, i) => ({
  id: `4.2.${i + 1}`,
  title: `echoes a valid text, then fails with 1002 on reserved opcode ${hexOf(opcode)} with a payload and ignores the ping after it`,
  steps: [send(text('Hello, world!')), untilMessages(1), send(frame(opcode, 'reserved opcode payload'), ping('no answer')), wait(10), closeWith()],
  expect: { echo: [txt('Hello, world!')], close: 1002 },
}));

const opcodeSameWrite: ConformanceCase[] = RESERVED_OPCODES.map((opcode, i) => ({
  id: `4.3.${i + 1}`,
  title: `echoes a valid text sent in the same write as a reserved opcode ${hexOf(opcode)} frame, then fails with 1002`,
  steps: [send(text('Hello, world!'), frame(opcode, 'reserved'), ping('no answer')), wait(10), closeWith()],
  expect: { echo: [txt('Hello, world!')], close: 1002 },
}));

/** All 3.* and 4.* cases. */
export const reservedBitCases: ConformanceCase[] = [...autobahnRsv, ...rsvMatrix, ...rsvValues];
/** All 4.* cases. */
export const reservedOpcodeCases: ConformanceCase[] = [...opcodeAlone, ...opcodeAfterValid, ...opcodeSameWrite];
