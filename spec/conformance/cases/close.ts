/**
 * 7.* close handling (RFC 6455 §5.5.1, §7.4): valid close codes are echoed,
 * invalid codes and payloads fail with 1002 (1007 for a bad reason),
 * nothing after the server's close frame is processed, and both close
 * directions end within closeTimeout.
 */
import type { ClientRun } from '../client-harness.js';
import { txt, type ConformanceCase } from '../case.js';
import { ascii, close, closeWith, cont, frame, hex, ping, send, text, untilFrames, untilMessages, wait } from '../steps.js';

const CLOSE = 0x8;

const closeFrames = (run: ClientRun): number => run.server.frames.filter((f) => f.opcode === CLOSE).length;
const event = (run: ClientRun, name: string): Record<string, unknown> | undefined =>
  run.events.find((e) => e.name === name) as unknown as Record<string, unknown> | undefined;

const basics: ConformanceCase[] = [
  {
    id: '7.1.1',
    title: 'echoes a text message, then answers the close frame with 1000',
    steps: [send(text('Hello World!')), untilMessages(1), closeWith()],
    expect: { echo: [txt('Hello World!')], close: 1000, check: (run) => expect(event(run, 'closing')).toMatchObject({ code: 1000, reason: '' }) },
  },
  {
    id: '7.1.2',
    title: 'answers only the first of two close frames',
    steps: [send(close(1000), close(1001))],
    expect: { close: 1000, check: (run) => expect(closeFrames(run)).toBe(1) },
  },
  {
    id: '7.1.3',
    title: 'does not answer a ping that follows the close frame',
    steps: [send(close(1000), ping('after close'))],
    expect: { close: 1000, check: (run) => expect(run.events.map((e) => e.name)).not.toContain('ping') },
  },
  {
    id: '7.1.4',
    title: 'does not deliver or echo a text message that follows the close frame',
    steps: [send(close(1000), text('after close'))],
    expect: { close: 1000, check: (run) => expect(run.events.map((e) => e.name)).not.toContain('text') },
  },
  {
    id: '7.1.5',
    title: 'drops a fragmented message whose last fragment follows the close frame',
    steps: [send(text('fragment1', { fin: false }), close(1000), cont('fragment2'))],
    expect: { close: 1000 },
  },
  {
    id: '7.1.6',
    title: 'echoes a 256 KiB message, then closes, ignoring the ping after the close frame',
    steps: [send(text(ascii(256 * 1024)), close(1000), ping('ignored'))],
    expect: { echo: [txt(ascii(256 * 1024))], close: 1000 },
  },
  {
    id: '7.1.7',
    title: 'does not echo a valid message that follows a protocol violation',
    steps: [send(frame(0x3), text('after violation')), wait(10), closeWith()],
    expect: { close: 1002, check: (run) => expect(run.events.map((e) => e.name)).not.toContain('text') },
  },
  {
    id: '7.2.1',
    title: 'answers a close frame without payload with an empty close frame (code 1005 reported)',
    steps: [send(close())],
    expect: { close: 'empty', check: (run) => expect(event(run, 'closing')).toMatchObject({ code: 1005 }) },
  },
  {
    id: '7.3.1',
    title: 'fails with 1002 on a close payload of 1 byte',
    steps: [send(frame(CLOSE, hex('03')))],
    expect: { close: 1002 },
  },
  {
    id: '7.3.2',
    title: 'answers a close frame with a reason, reporting the reason',
    steps: [send(close(1000, 'Hello World!'))],
    expect: { close: 1000, check: (run) => expect(event(run, 'closing')).toMatchObject({ code: 1000, reason: 'Hello World!' }) },
  },
  {
    id: '7.3.3',
    title: 'accepts a close reason of 123 bytes (the largest allowed)',
    steps: [send(close(1000, ascii(123, '*')))],
    expect: { close: 1000, check: (run) => expect(event(run, 'closing')).toMatchObject({ reason: '*'.repeat(123) }) },
  },
  {
    id: '7.3.4',
    title: 'accepts a 123-byte close reason made of 2-byte characters',
    steps: [send(close(1000, `${'é'.repeat(61)}!`))],
    expect: { close: 1000, check: (run) => expect(event(run, 'closing')).toMatchObject({ reason: `${'é'.repeat(61)}!` }) },
  },
  {
    id: '7.3.5',
    title: 'fails with 1002 on a close frame of 126 bytes (reason of 124 bytes)',
    steps: [send(close(1000, ascii(124, '*')))],
    expect: { close: 1002 },
  },
  {
    id: '7.5.1',
    title: 'fails with 1007 on a close reason that is not valid UTF-8',
    steps: [send(close(1000, hex('cebae1bdb9cf83cebcceb5 eda080 656469746564')))],
    expect: { close: 1007 },
  },
  {
    id: '7.5.2',
    title: 'fails with 1007 on a close reason that ends inside a UTF-8 sequence',
    steps: [send(close(1000, hex('61 62 e2 82')))],
    expect: { close: 1007 },
  },
];

const VALID_CODES = [1000, 1001, 1002, 1003, 1007, 1008, 1009, 1010, 1011, 1012, 1013, 1014, 3000, 3999, 4000, 4999];
const INVALID_CODES = [0, 999, 1004, 1005, 1006, 1015, 1016, 1100, 2000, 2999, 5000, 65535];

const validCodes: ConformanceCase[] = VALID_CODES.map((code, i) => ({
  id: `7.7.${i + 1}`,
  title: `echoes the valid close code ${code}`,
  steps: [send(close(code, 'bye'))],
  expect: {
    close: code,
    graceful: true,
    protocolError: false,
    check: (run) => expect(event(run, 'closed')).toMatchObject({ code, reason: 'bye' }),
  },
}));

const invalidCodes: ConformanceCase[] = INVALID_CODES.map((code, i) => ({
  id: `7.9.${i + 1}`,
  title: `fails with 1002 on the invalid close code ${code}`,
  steps: [send(close(code))],
  expect: { close: 1002 },
}));

const directions: ConformanceCase[] = [
  {
    id: '7.10.1',
    title: 'completes a client-initiated close gracefully when the server answers',
    steps: [untilFrames(CLOSE, 1)],
    client: { onReady: (ws) => ws.close(1000, 'bye'), echo: true },
    expect: {
      close: 1000,
      check: (run) => {
        expect(Buffer.from(run.closeFrame!.payload.subarray(2)).toString()).toBe('bye');
        expect(run.events.map((e) => e.name).slice(-2)).toEqual(['closed', 'disconnected']);
      },
    },
  },
  {
    id: '7.10.2',
    title: 'drops the connection after closeTimeout when the server never answers its close',
    steps: [untilFrames(CLOSE, 1)],
    server: { onClientClose: 'ignore' },
    client: { onReady: (ws) => ws.close(1000, 'bye') },
    expect: { close: 1000, graceful: false, notBefore: 950, within: 1600, check: (run) => expect(run.server.clientGoneAt).not.toBeNull() },
  },
  {
    id: '7.10.3',
    title: 'still reports data that arrives after its own close but refuses to send (closing)',
    steps: [untilFrames(CLOSE, 1), send(text('late data')), wait(10), closeWith(), (ctx) => ctx.end()],
    server: { onClientClose: 'ignore' },
    client: { onReady: (ws) => ws.close(1000, 'bye') },
    expect: {
      close: 1000,
      sendErrors: ['WebSocketClosingError: websocket is closing'],
      within: 300,
      check: (run) => expect(run.events.map((e) => e.name).slice(-3)).toEqual(['text', 'closed', 'disconnected']),
    },
  },
  {
    id: '7.10.4',
    title: 'completes gracefully when both sides send their close frames at the same time',
    steps: [closeWith(1000)],
    client: { onReady: (ws) => ws.close(1000, 'bye') },
    expect: { close: 1000 },
  },
  {
    id: '7.10.5',
    title: 'drops the connection after closeTimeout when the server keeps TCP open after the close handshake',
    steps: [closeWith(1000)],
    server: { onClientClose: 'ignore' },
    expect: {
      close: 1000,
      graceful: false,
      notBefore: 950,
      within: 1600,
      check: (run) => expect(run.events.map((e) => e.name)).toEqual(expect.arrayContaining(['closing', 'closed'])),
    },
  },
  {
    id: '7.10.6',
    title: 'reports disconnected(graceful=false) without a close frame when the server ends TCP without closing',
    steps: [send(text('last')), untilMessages(1), (ctx) => ctx.end()],
    expect: { echo: [txt('last')], close: 'none', graceful: false, protocolError: false, within: 300 },
  },
  {
    id: '7.10.7',
    title: 'reports disconnected(graceful=false) when the server resets TCP in the middle of a frame',
    steps: [send(text(ascii(1000)).subarray(0, 500)), wait(10), (ctx) => ctx.destroy()],
    expect: { close: 'none', graceful: false, protocolError: false, within: 300 },
  },
  {
    id: '7.10.8',
    title: 'answers a ping that arrives after its own close frame, before the server closes (RFC 6455 §5.5.2)',
    steps: [untilFrames(CLOSE, 1), send(ping('still there?')), untilFrames(0xa, 1, 200), closeWith(), (ctx) => ctx.end()],
    server: { onClientClose: 'ignore' },
    client: { onReady: (ws) => ws.close(1000, 'bye') },
    expect: { pongs: ['still there?'], close: 1000, within: 500 },
  },
  {
    id: '7.10.9',
    title: 'drops the connection after closeTimeout when the server ignores its 1002 close',
    steps: [send(frame(0x3))],
    server: { onClientClose: 'ignore' },
    expect: { close: 1002, notBefore: 950, within: 1600, check: (run) => expect(run.server.clientGoneAt).not.toBeNull() },
  },
  {
    id: '7.10.10',
    title: 'lets the application send from its closing handler before the close is echoed',
    steps: [closeWith(1000)],
    client: { onEvent: (event, ws) => (event.name === 'closing' ? ws.sendText('last words') : undefined) },
    expect: {
      echo: [txt('last words')],
      close: 1000,
      check: (run) => expect(run.server.frames.map((f) => f.opcode)).toEqual([0x1, CLOSE]),
    },
  },
];

/** All 7.* cases. */
export const closeCases: ConformanceCase[] = [...basics, ...validCodes, ...invalidCodes, ...directions];
