/**
 * 12.* and 13.* permessage-deflate (RFC 7692): compressed messages of many
 * sizes under every parameter combination the server can answer with
 * (context takeover on/off on both sides, window bits 9–15), echoed intact
 * (compressed or not); and the compression-specific violations.
 */
import { bin, txt, type ConformanceCase, type Echo } from '../case.js';
import { deflateMessage, releaseCompressor, sendCompressed, type ServerDeflate } from '../deflate.js';
import { closeWith, cont, cut, frame, ping, send, text, untilMessages, wait } from '../steps.js';

const TEXT = 0x1;
const BINARY = 0x2;
const SIZES = [16, 64, 256, 1024, 4096, 16384, 65536, 131072];
const COMPRESS = { ws: { compress: true } };

/** Compressible text: JSON-like records. */
function prose(size: number, seed: number): Buffer {
  const unit = `{"id":${seed},"name":"lomond","tags":["rx","ws","deflate"],"ok":true},`;
  return Buffer.alloc(size, unit);
}

/** Incompressible bytes from a fixed linear congruential generator. */
function noise(size: number, seed: number): Buffer {
  const data = Buffer.allocUnsafe(size);
  let x = seed * 2654435761;
  for (let i = 0; i < size; i++) {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0;
    data[i] = x >>> 24;
  }
  return data;
}

/** Server parameters from a response header. */
function paramsOf(header: string): { server: ServerDeflate; client: { noContextTakeover: boolean; windowBits: number } } {
  const bits = (name: string): number => Number(new RegExp(`${name}=(\\d+)`).exec(header)?.[1] ?? 15);
  return {
    server: { windowBits: bits('server_max_window_bits'), noContextTakeover: header.includes('server_no_context_takeover') },
    client: { windowBits: bits('client_max_window_bits'), noContextTakeover: header.includes('client_no_context_takeover') },
  };
}

function deflateCase(id: string, title: string, header: string, messages: Echo[]): ConformanceCase {
  const { server, client } = paramsOf(header);
  const wire = messages.map((m) => ({ opcode: m.type === 'text' ? TEXT : BINARY, data: m.data }));
  return {
    id,
    title,
    steps: [sendCompressed(server, wire), untilMessages(messages.length), closeWith(), releaseCompressor],
    server: { extensions: header },
    client: COMPRESS,
    expect: {
      echo: messages,
      close: 1000,
      inflate: client,
      check: (run) => {
        expect([...(run.events.find((e) => e.name === 'ready') as { extensions: Set<string> }).extensions]).toEqual(['permessage-deflate']);
        // The client's own deflate path must be exercised: no echo of 4 KiB or more goes out uncompressed.
        for (const m of run.messages) if (m.data.length >= 4096) expect(m.compressed).toBe(true);
        if (messages.some((m) => m.data.length >= 4096)) expect(run.messages.some((m) => m.compressed)).toBe(true);
      },
    },
  };
}

const DEFAULT = 'permessage-deflate';

const sizeCases: ConformanceCase[] = SIZES.flatMap((size, i) => [
  deflateCase(`12.1.${i + 1}`, `echoes 10 compressed text messages of ${size} bytes`, DEFAULT, Array.from({ length: 10 }, (_, k) => txt(prose(size, k)))),
  deflateCase(`12.2.${i + 1}`, `echoes 10 compressed binary messages of ${size} incompressible bytes`, DEFAULT, Array.from({ length: 10 }, (_, k) => bin(noise(size, k)))),
]);

const BITS = [9, 10, 11, 12, 13, 14, 15];
const COMBOS = [
  DEFAULT,
  `${DEFAULT}; server_no_context_takeover`,
  `${DEFAULT}; client_no_context_takeover`,
  `${DEFAULT}; server_no_context_takeover; client_no_context_takeover`,
  ...BITS.map((n) => `${DEFAULT}; server_max_window_bits=${n}`),
  ...BITS.map((n) => `${DEFAULT}; client_max_window_bits=${n}`),
  ...BITS.map((n) => `${DEFAULT}; server_no_context_takeover; client_no_context_takeover; server_max_window_bits=${n}; client_max_window_bits=${n}`),
];

/** 2 KiB of noise repeated: matches lie 2 KiB back, so only a window of 2^12 or more can use them. */
const farRepeats = bin(Buffer.concat(Array.from({ length: 8 }, () => noise(2048, 99))));

/**
 * Every size twice in a row (with context takeover the repeat compresses to almost nothing), then a message whose
 * matches are 2 KiB apart: an echo compressed with a larger window than client_max_window_bits fails to inflate.
 */
const twice = [...SIZES.flatMap((size, k) => [txt(prose(size, k)), txt(prose(size, k))]), farRepeats];

const comboCases: ConformanceCase[] = COMBOS.map((header, i) =>
  deflateCase(`13.${i + 1}`, `echoes compressed messages of 16 B to 128 KiB, each twice, and far repeats under "${header}"`, header, twice),
);

const params = paramsOf(DEFAULT).server;
const framed = (payload: Uint8Array, rsv1 = true): Uint8Array => frame(TEXT, payload, { rsv1 });

const edgeCases: ConformanceCase[] = [
  {
    id: '12.9.1',
    title: 'echoes a compressed message split into 7-byte frames (RSV1 on the first only)',
    steps: [sendCompressed(params, [{ opcode: TEXT, data: prose(4096, 1) }], { fragment: 7 }), untilMessages(1), closeWith(), releaseCompressor],
    server: { extensions: DEFAULT },
    client: COMPRESS,
    expect: { echo: [txt(prose(4096, 1))], close: 1000, inflate: { noContextTakeover: false } },
  },
  {
    id: '12.9.2',
    title: 'echoes an uncompressed message (RSV1 clear) on a connection that negotiated compression',
    steps: [send(text('plain')), untilMessages(1), closeWith()],
    server: { extensions: DEFAULT },
    client: COMPRESS,
    expect: { echo: [txt('plain')], close: 1000, inflate: { noContextTakeover: false } },
  },
  {
    id: '12.9.3',
    title: 'fails with 1002 when RSV1 is set on a continuation frame',
    steps: [send(text('abc', { fin: false, rsv1: true }), cont('def', { rsv1: true })), wait(10), closeWith()],
    server: { extensions: DEFAULT },
    client: COMPRESS,
    expect: { close: 1002 },
  },
  {
    id: '12.9.4',
    title: 'fails with 1002 when RSV1 is set on a ping',
    steps: [send(ping('compressed?', { rsv1: true })), wait(10), closeWith()],
    server: { extensions: DEFAULT },
    client: COMPRESS,
    expect: { close: 1002 },
  },
  {
    id: '12.9.5',
    title: 'fails with 1002 when RSV2 is set on a compressed message',
    steps: [send(frame(TEXT, Buffer.from([0x02, 0x00]), { rsv1: true, rsv2: true })), wait(10), closeWith()],
    server: { extensions: DEFAULT },
    client: COMPRESS,
    expect: { close: 1002 },
  },
  {
    id: '12.9.6',
    title: 'fails with 1007 when a compressed payload is not valid deflate data',
    steps: [send(framed(Buffer.from([0xff, 0xff, 0xff, 0xff, 0x00]))), wait(10), closeWith()],
    server: { extensions: DEFAULT },
    client: COMPRESS,
    expect: { close: 1007 },
  },
  {
    id: '12.9.7',
    title: 'fails with 1007 when a compressed text message inflates to invalid UTF-8',
    steps: [sendCompressed(params, [{ opcode: TEXT, data: Buffer.from([0x61, 0xed, 0xa0, 0x80]) }]), wait(10), closeWith(), releaseCompressor],
    server: { extensions: DEFAULT },
    client: COMPRESS,
    expect: { close: 1007 },
  },
  {
    id: '12.9.8',
    title: 'fails with 1009 when a small compressed message inflates beyond maxMessageSize',
    steps: [sendCompressed(params, [{ opcode: BINARY, data: Buffer.alloc(1024 * 1024) }]), wait(20), closeWith(), releaseCompressor],
    server: { extensions: DEFAULT },
    client: { ws: { compress: true, maxMessageSize: 64 * 1024 } },
    expect: { close: 1009 },
  },
  {
    id: '12.9.9',
    title: 'echoes an empty compressed text message',
    steps: [send(framed(deflateMessage(new Uint8Array(0)))), untilMessages(1), closeWith()],
    server: { extensions: DEFAULT },
    client: COMPRESS,
    expect: { echo: [txt('')], close: 1000, inflate: { noContextTakeover: false } },
  },
  {
    id: '12.9.10',
    title: 'answers a ping between the fragments of a compressed message, then echoes the message',
    steps: [
      send(...cut(deflateMessage(prose(8192, 3)), 3).flatMap((piece, i, all) => [
        frame(i === 0 ? TEXT : 0x0, piece, { fin: i === all.length - 1, rsv1: i === 0 }),
        ...(i === 0 ? [ping('between')] : []),
      ])),
      untilMessages(1),
      closeWith(),
    ],
    server: { extensions: DEFAULT },
    client: COMPRESS,
    expect: { echo: [txt(prose(8192, 3))], pongs: ['between'], close: 1000, inflate: { noContextTakeover: false } },
  },
  {
    id: '12.9.11',
    title: 'keeps the inflate context across an uncompressed message under context takeover',
    steps: [
      sendCompressed(params, [{ opcode: TEXT, data: prose(2048, 4) }]),
      send(text('plain in between')),
      sendCompressed(params, [{ opcode: TEXT, data: prose(2048, 4) }]),
      untilMessages(3),
      closeWith(),
      releaseCompressor,
    ],
    server: { extensions: DEFAULT },
    client: COMPRESS,
    expect: { echo: [txt(prose(2048, 4)), txt('plain in between'), txt(prose(2048, 4))], close: 1000, inflate: { noContextTakeover: false } },
  },
];

/** All 12.* cases. */
export const deflateSizeCases: ConformanceCase[] = [...sizeCases, ...edgeCases];
/** All 13.* cases. */
export const deflateParameterCases: ConformanceCase[] = comboCases;
