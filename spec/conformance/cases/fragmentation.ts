/**
 * 5.* fragmentation (RFC 6455 §5.4): messages in 2 and many fragments,
 * control frames interleaved between fragments (answered at once), empty
 * fragments, and every continuation-rule violation (1002).
 */
import { bin, txt, type ConformanceCase } from '../case.js';
import { ascii, binary, bytes, close, closeWith, concat, cont, cut, fragments, ping, pieces, pong, send, text, untilFrames, untilMessages, wait } from '../steps.js';

const PONG = 0xa;
const TEXT = 0x1;
const BINARY = 0x2;

const fragmentCases: ConformanceCase[] = [
  {
    id: '5.1',
    title: 'fails with 1002 when a ping is fragmented into two frames',
    steps: [send(ping('fragment1', { fin: false }), cont('fragment2')), wait(10), closeWith()],
    expect: { close: 1002 },
  },
  {
    id: '5.2',
    title: 'fails with 1002 when a pong is fragmented into two frames',
    steps: [send(pong('fragment1', { fin: false }), cont('fragment2')), wait(10), closeWith()],
    expect: { close: 1002 },
  },
  {
    id: '5.3',
    title: 'echoes a text message sent in two fragments in one write',
    steps: [send(...fragments(TEXT, [Buffer.from('fragment1'), Buffer.from('fragment2')])), untilMessages(1), closeWith()],
    expect: { echo: [txt('fragment1fragment2')], close: 1000 },
  },
  {
    id: '5.4',
    title: 'echoes a text message whose two fragments arrive 20 ms apart',
    steps: [pieces(fragments(TEXT, [Buffer.from('fragment1'), Buffer.from('fragment2')]), 20), untilMessages(1), closeWith()],
    expect: { echo: [txt('fragment1fragment2')], close: 1000 },
  },
  {
    id: '5.5',
    title: 'echoes a text message sent one byte per fragment, frames delivered 1 ms apart',
    steps: [pieces(fragments(TEXT, cut(Buffer.from('Hello-µ@ßöäüàá-UTF-8!!'), 1)), 1), untilMessages(1), closeWith()],
    expect: { echo: [txt('Hello-µ@ßöäüàá-UTF-8!!')], close: 1000 },
  },
  {
    id: '5.6',
    title: 'answers a ping between two text fragments, then echoes the message',
    steps: [send(text('fragment1', { fin: false }), ping('ping payload'), cont('fragment2')), untilMessages(1), closeWith()],
    expect: {
      echo: [txt('fragment1fragment2')],
      pongs: ['ping payload'],
      close: 1000,
      check: (run) => expect(run.server.frames.map((f) => f.opcode)).toEqual([PONG, TEXT, 0x8]),
    },
  },
  {
    id: '5.7',
    title: 'answers a ping between two text fragments before the second fragment arrives (20 ms later)',
    steps: [pieces([text('fragment1', { fin: false }), ping('ping payload'), cont('fragment2')], 20), untilMessages(1), closeWith()],
    expect: {
      echo: [txt('fragment1fragment2')],
      pongs: ['ping payload'],
      close: 1000,
      check: (run) => expect(run.server.frames[0]!.at).toBeLessThan(run.server.marks['piece:2']!),
    },
  },
  {
    id: '5.8',
    title: 'ignores a pong between two text fragments and echoes the message',
    steps: [send(text('fragment1', { fin: false }), pong('pong payload'), cont('fragment2')), untilMessages(1), closeWith()],
    expect: { echo: [txt('fragment1fragment2')], close: 1000 },
  },
  {
    id: '5.9',
    title: 'fails with 1002 on a final continuation frame with nothing to continue',
    steps: [send(cont('fragment without start')), wait(10), closeWith()],
    expect: { close: 1002 },
  },
  {
    id: '5.10',
    title: 'fails with 1002 on a non-final continuation frame with nothing to continue',
    steps: [send(cont('fragment1', { fin: false }), cont('fragment2')), wait(10), closeWith()],
    expect: { close: 1002 },
  },
  {
    id: '5.11',
    title: 'fails with 1002 on a continuation after a complete message (the valid one is echoed first)',
    steps: [send(text('complete')), untilMessages(1), send(cont('fragment')), wait(10), closeWith()],
    expect: { echo: [txt('complete')], close: 1002 },
  },
  {
    id: '5.12',
    title: 'fails with 1002 when a new text frame starts while a message is fragmented',
    steps: [send(text('fragment1', { fin: false }), text('fragment2')), wait(10), closeWith()],
    expect: { close: 1002 },
  },
  {
    id: '5.13',
    title: 'fails with 1002 when a new binary frame starts while a text message is fragmented',
    steps: [send(text('fragment1', { fin: false }), binary('fragment2', { fin: false }), cont('fragment3')), wait(10), closeWith()],
    expect: { close: 1002 },
  },
  {
    id: '5.14',
    title: 'fails with 1002 when a close frame is fragmented',
    steps: [send(close(1000, 'frag', { fin: false }), cont('mented')), wait(10), closeWith()],
    expect: { close: 1002 },
  },
  {
    id: '5.15',
    title: 'echoes a text message in 5 fragments with a ping after each but the last, answering every ping first',
    steps: [
      send(...fragments(TEXT, cut(Buffer.from('fragment1fragment2fragment3fragment4fragment5'), 9)).flatMap((f, i) => (i < 4 ? [f, ping(`ping${i}`)] : [f]))),
      untilMessages(1),
      closeWith(),
    ],
    expect: {
      echo: [txt('fragment1fragment2fragment3fragment4fragment5')],
      pongs: ['ping0', 'ping1', 'ping2', 'ping3'],
      close: 1000,
    },
  },
  {
    id: '5.16',
    title: 'answers each ping between 5 fragments as it arrives when the frames come 5 ms apart',
    steps: [
      pieces(fragments(TEXT, cut(Buffer.from('fragment1fragment2fragment3fragment4fragment5'), 9)).flatMap((f, i) => (i < 4 ? [f, ping(`ping${i}`)] : [f])), 5),
      untilMessages(1),
      closeWith(),
    ],
    expect: {
      echo: [txt('fragment1fragment2fragment3fragment4fragment5')],
      pongs: ['ping0', 'ping1', 'ping2', 'ping3'],
      close: 1000,
      check: (run) => {
        // Answered as they arrive, not once the message is complete: the first pong comes before the last fragment is
        // written, 35 ms after its ping (a bound of one 5 ms gap per pong missed by 0.2 ms on a loaded 2-core machine).
        const pongs = run.server.frames.filter((f) => f.opcode === PONG);
        expect(pongs[0]!.at).toBeLessThan(run.server.marks['piece:8']!);
      },
    },
  },
  {
    id: '5.17',
    title: 'echoes a binary message in 100 fragments of 7 bytes',
    steps: [send(...fragments(BINARY, cut(bytes(700), 7))), untilMessages(1), closeWith()],
    expect: { echo: [bin(bytes(700))], close: 1000 },
  },
  {
    id: '5.18',
    title: 'echoes a text message in 1000 fragments',
    steps: [send(...fragments(TEXT, cut(ascii(10_000), 10))), untilMessages(1), closeWith()],
    expect: { echo: [txt(ascii(10_000))], close: 1000 },
  },
  {
    id: '5.19',
    title: 'echoes a text message whose first and middle fragments are empty',
    steps: [send(text('', { fin: false }), cont('', { fin: false }), cont('abc', { fin: false }), cont('', { fin: false }), cont('def')), untilMessages(1), closeWith()],
    expect: { echo: [txt('abcdef')], close: 1000 },
  },
  {
    id: '5.20',
    title: 'echoes an empty text message made of three empty fragments',
    steps: [send(text('', { fin: false }), cont('', { fin: false }), cont('')), untilMessages(1), closeWith()],
    expect: { echo: [txt('')], close: 1000 },
  },
  {
    id: '5.21',
    title: 'echoes an empty binary message whose last fragment is empty',
    steps: [send(binary('', { fin: false }), cont('')), untilMessages(1), closeWith()],
    expect: { echo: [bin('')], close: 1000 },
  },
  {
    id: '5.22',
    title: 'echoes two fragmented messages back to back in one write',
    steps: [send(...fragments(TEXT, cut(Buffer.from('first message'), 5)), ...fragments(BINARY, cut(bytes(20), 6))), untilMessages(2), closeWith()],
    expect: { echo: [txt('first message'), bin(bytes(20))], close: 1000 },
  },
  {
    id: '5.23',
    title: 'fails with 1002 on a continuation with nothing to continue even after a ping',
    steps: [send(ping('p'), cont('orphan')), untilFrames(PONG, 1), wait(10), closeWith()],
    expect: { pongs: ['p'], close: 1002 },
  },
  {
    id: '5.24',
    title: 'echoes a fragmented text whose bytes arrive in 3-byte TCP chunks across frame boundaries',
    steps: [pieces(cut(concat(...fragments(TEXT, cut(Buffer.from('fragmented across chunks'), 5))), 3), 1), untilMessages(1), closeWith()],
    expect: { echo: [txt('fragmented across chunks')], close: 1000 },
  },
];

/** All 5.* cases. */
export const fragmentationCases: ConformanceCase[] = fragmentCases;
