/**
 * 2.* pings and pongs: every ping is answered with a pong echoing its
 * payload, in order, at once; pongs are ignored; a ping that breaks the
 * control frame rules fails the connection without being answered.
 */
import type { ConformanceCase } from '../case.js';
import { chunked, close, closeWith, concat, cont, hex, ping, pong, send, untilFrames, wait } from '../steps.js';

const PONG = 0xa;
const binary8 = hex('00 ff fe fd fc fb 00 ff');
const payload125 = Buffer.alloc(125, 0xfe);
const payload126 = Buffer.alloc(126, 0xfe);
const tenPings = Array.from({ length: 10 }, (_, i) => `payload-${i}`);

/** All 2.* cases. */
export const pingCases: ConformanceCase[] = [
  {
    id: '2.1',
    title: 'answers a ping without payload with an empty pong',
    steps: [send(ping()), untilFrames(PONG, 1), closeWith()],
    expect: { pongs: [''], close: 1000 },
  },
  {
    id: '2.2',
    title: 'answers a ping with a text payload with a pong echoing it',
    steps: [send(ping('Hello, world!')), untilFrames(PONG, 1), closeWith()],
    expect: { pongs: ['Hello, world!'], close: 1000 },
  },
  {
    id: '2.3',
    title: 'answers a ping with a binary payload with a pong echoing it',
    steps: [send(ping(binary8)), untilFrames(PONG, 1), closeWith()],
    expect: { pongs: [binary8], close: 1000 },
  },
  {
    id: '2.4',
    title: 'answers a ping with a 125-byte payload with a pong echoing all of it',
    steps: [send(ping(payload125)), untilFrames(PONG, 1), closeWith()],
    expect: { pongs: [payload125], close: 1000 },
  },
  {
    id: '2.5',
    title: 'fails with 1002 and no pong when a ping carries 126 bytes',
    steps: [send(ping(payload126)), wait(20), closeWith()],
    expect: { close: 1002 },
  },
  {
    id: '2.6',
    title: 'answers a 125-byte ping delivered one byte at a time',
    steps: [chunked(ping(payload125), 1, 1), untilFrames(PONG, 1), closeWith()],
    expect: { pongs: [payload125], close: 1000 },
  },
  {
    id: '2.7',
    title: 'ignores an unsolicited pong without payload',
    steps: [send(pong()), wait(10), closeWith()],
    expect: { close: 1000 },
  },
  {
    id: '2.8',
    title: 'ignores an unsolicited pong with a payload',
    steps: [send(pong('unsolicited pong payload')), wait(10), closeWith()],
    expect: { close: 1000 },
  },
  {
    id: '2.9',
    title: 'ignores an unsolicited pong and answers the ping that follows it',
    steps: [send(pong('unsolicited pong payload'), ping('ping payload')), untilFrames(PONG, 1), closeWith()],
    expect: { pongs: ['ping payload'], close: 1000 },
  },
  {
    id: '2.10',
    title: 'answers 10 pings sent in one write with 10 pongs in order',
    steps: [send(...tenPings.map((p) => ping(p))), untilFrames(PONG, 10), closeWith()],
    expect: { pongs: tenPings, close: 1000 },
  },
  {
    id: '2.11',
    title: 'answers 10 pings delivered in 3-byte chunks with 10 pongs in order',
    steps: [chunked(concat(...tenPings.map((p) => ping(p))), 3, 1), untilFrames(PONG, 10), closeWith()],
    expect: { pongs: tenPings, close: 1000 },
  },
  {
    id: '2.12',
    title: 'fails with 1002 and no pong when a ping is fragmented',
    steps: [send(ping('frag', { fin: false }), cont('mented')), wait(20), closeWith()],
    expect: { close: 1002 },
  },
  {
    id: '2.13',
    title: 'answers a ping before echoing the close frame that follows it in the same write',
    steps: [send(ping('last words'), close(1000))],
    expect: {
      pongs: ['last words'],
      close: 1000,
      check: (run) => expect(run.server.frames.map((f) => f.opcode)).toEqual([PONG, 0x8]),
    },
  },
];
