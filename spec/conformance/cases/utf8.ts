/**
 * 6.* UTF-8 handling (RFC 6455 §8.1, Autobahn 6.*): valid text in one frame,
 * split into fragments at every byte and delivered byte by byte is echoed
 * intact; invalid text fails with 1007, also across fragments; and the
 * failure is fail-fast: the close frame leaves before the rest of the frame
 * (delayed 200 ms) is even sent.
 */
import { txt, type ConformanceCase } from '../case.js';
import type { Step } from '../scripted-server.js';
import { chunked, closeWith, concat, cont, cut, fragments, hex, pieces, send, text, untilMessages, wait } from '../steps.js';

const TEXT = 0x1;

/** Valid UTF-8: Autobahn's samples and the first/last code points of each sequence length. */
const VALID: Array<[string, Buffer]> = [
  ['κόσμε', Buffer.from('κόσμε')],
  ['Hello-µ@ßöäüàá-UTF-8!!', Buffer.from('Hello-µ@ßöäüàá-UTF-8!!')],
  ['U+0000', hex('00')],
  ['U+007F', hex('7f')],
  ['U+0080', hex('c2 80')],
  ['U+07FF', hex('df bf')],
  ['U+0800', hex('e0 a0 80')],
  ['U+D7FF', hex('ed 9f bf')],
  ['U+E000', hex('ee 80 80')],
  ['U+FFFD', hex('ef bf bd')],
  ['U+FFFF', hex('ef bf bf')],
  ['U+10000', hex('f0 90 80 80')],
  ['U+10FFFF', hex('f4 8f bf bf')],
  ['non-characters U+FDD0 U+FFFE U+1FFFE', hex('ef b7 90 ef bf be f0 9f bf be')],
  ['one of each length', Buffer.from('a\u00e9\u20ac\u{1F600}z')],
];

/** Invalid UTF-8, each failing with 1007. */
const INVALID: Array<[string, Buffer]> = [
  ['κόσμε-edited with a surrogate (Autobahn 6.3.1)', hex('cebae1bdb9cf83cebcceb5 eda080 656469746564')],
  ['overlong U+0000 in 2 bytes', hex('c0 80')],
  ['overlong U+007F in 2 bytes', hex('c1 bf')],
  ['overlong U+0000 in 3 bytes', hex('e0 80 80')],
  ['overlong U+07FF in 3 bytes', hex('e0 9f bf')],
  ['overlong U+0000 in 4 bytes', hex('f0 80 80 80')],
  ['overlong U+FFFF in 4 bytes', hex('f0 8f bf bf')],
  ['overlong slash in 2 bytes', hex('c0 af')],
  ['overlong slash in 3 bytes', hex('e0 80 af')],
  ['overlong slash in 4 bytes', hex('f0 80 80 af')],
  ['a 5-byte sequence', hex('f8 88 80 80 80')],
  ['a 6-byte sequence', hex('fc 84 80 80 80 80')],
  ['surrogate U+D800', hex('ed a0 80')],
  ['surrogate U+DB7F', hex('ed ad bf')],
  ['surrogate U+DB80', hex('ed ae 80')],
  ['surrogate U+DBFF', hex('ed af bf')],
  ['surrogate U+DC00', hex('ed b0 80')],
  ['surrogate U+DF80', hex('ed be 80')],
  ['surrogate U+DFFF', hex('ed bf bf')],
  ['a surrogate pair U+D800 U+DC00', hex('ed a0 80 ed b0 80')],
  ['a surrogate pair U+DBFF U+DFFF', hex('ed af bf ed bf bf')],
  ['U+110000', hex('f4 90 80 80')],
  ['U+1FFFFF', hex('f7 bf bf bf')],
  ...[0xf5, 0xf6, 0xf7, 0xf8, 0xf9, 0xfa, 0xfb, 0xfc, 0xfd, 0xfe, 0xff].map((b): [string, Buffer] => [`the byte 0x${b.toString(16)}`, Buffer.from([0x61, b, 0x62])]),
  ['a lone continuation byte 0x80', hex('80')],
  ['a lone continuation byte 0xbf', hex('bf')],
  ['two continuation bytes', hex('80 bf')],
  ['continuation bytes after ASCII', hex('61 80 bf 80')],
  ['a 2-byte start followed by a space', hex('c2 20')],
  ['a 3-byte start followed by a space', hex('e0 a0 20')],
  ['a 4-byte start followed by a space', hex('f0 90 80 20')],
  ['a message ending in a 2-byte start', hex('61 c2')],
  ['a message ending in 2 of 3 bytes', hex('61 e0 a0')],
  ['a message ending in 3 of 4 bytes', hex('61 f0 90 80')],
  ['κόσμε truncated inside ό', hex('ce ba e1 bd')],
];

const validCases: ConformanceCase[] = VALID.flatMap(([name, data], i): ConformanceCase[] => {
  const splits = Array.from({ length: Math.max(data.length - 1, 0) }, (_, k) => k + 1);
  const splitSteps: Step[] = splits.flatMap((at, k) => [send(...fragments(TEXT, cut(data, [at]))), untilMessages(k + 1)]);
  const cases: ConformanceCase[] = [
    {
      id: `6.1.${i + 1}`,
      title: `echoes valid text "${name}" sent in one frame and in one frame delivered byte by byte`,
      steps: [send(text(data)), untilMessages(1), chunked(text(data), 1, 1), untilMessages(2), closeWith()],
      expect: { echo: [txt(data), txt(data)], close: 1000 },
    },
    {
      id: `6.2.${i + 1}`,
      title: `echoes valid text "${name}" split into two fragments at each of its ${splits.length} inner byte offsets`,
      steps: [...splitSteps, closeWith()],
      expect: { echo: splits.map(() => txt(data)), close: 1000 },
    },
    {
      id: `6.3.${i + 1}`,
      title: `echoes valid text "${name}" sent one byte per fragment`,
      steps: [send(...fragments(TEXT, data.length === 0 ? [data] : cut(data, 1))), untilMessages(1), closeWith()],
      expect: { echo: [txt(data)], close: 1000 },
    },
  ];
  return splits.length > 0 ? cases : cases.filter((c) => !c.id.startsWith('6.2.'));
});

const invalidCases: ConformanceCase[] = INVALID.flatMap(([name, data], i): ConformanceCase[] => [
  {
    id: `6.4.${i + 1}`,
    title: `fails with 1007 on ${name} in one text frame`,
    steps: [send(text(data)), wait(10), closeWith()],
    expect: { close: 1007 },
  },
  {
    id: `6.5.${i + 1}`,
    title: `fails with 1007 on ${name} sent one byte per fragment`,
    steps: [send(...fragments(TEXT, cut(data, 1))), wait(10), closeWith()],
    expect: { close: 1007 },
  },
]);

const acrossFragments: ConformanceCase[] = [
  {
    id: '6.6.1',
    title: 'fails with 1007 when a sequence started in one fragment is broken in the next',
    steps: [send(text(hex('ce ba ce'), { fin: false }), cont(' ')), wait(10), closeWith()],
    expect: { close: 1007 },
  },
  {
    id: '6.6.2',
    title: 'fails with 1007 when the last fragment ends inside a sequence',
    steps: [send(text('κόσμε', { fin: false }), cont(hex('f0 90 80'))), wait(10), closeWith()],
    expect: { close: 1007 },
  },
  {
    id: '6.6.3',
    title: 'fails with 1007 when a truncated sequence is followed by an empty final fragment',
    steps: [send(text(hex('61 e2 82'), { fin: false }), cont('')), wait(10), closeWith()],
    expect: { close: 1007 },
  },
  {
    id: '6.6.4',
    title: 'echoes a valid message after a binary message with the same invalid bytes (binary is never validated)',
    steps: [send(...fragments(0x2, [hex('ed a0'), hex('80')])), untilMessages(1), send(text('after')), untilMessages(2), closeWith()],
    expect: { echo: [{ type: 'binary', data: hex('ed a0 80') }, txt('after')], close: 1000 },
  },
];

const DELAY = 200;
const κόσμε = Buffer.from('κόσμε');
const edited = Buffer.from('edited');
const F4_90_80_80 = hex('f4 90 80 80');

/** A fail-fast case: `parts` are written `DELAY` ms apart; the client must fail right after part `failAt`, before part `failAt + 1` goes out. */
function failFast(id: string, title: string, parts: Uint8Array[], failAt: number): ConformanceCase {
  return {
    id,
    title,
    steps: [pieces(parts, DELAY, 'part'), wait(20), closeWith()],
    expect: {
      close: 1007,
      within: (failAt + 1) * DELAY + 300,
      check: (run) => {
        const marks = run.server.marks;
        const at = run.closeFrame!.at;
        expect(at).toBeGreaterThan(marks[`part:${failAt}`]!);
        expect(at - marks[`part:${failAt}`]!).toBeLessThan(DELAY / 2);
        const next = marks[`part:${failAt + 1}`];
        if (next !== undefined) expect(at).toBeLessThan(next);
      },
    },
  };
}

const frameOf = (payload: Uint8Array): Buffer => Buffer.from(text(payload));
const whole = frameOf(concat(κόσμε, F4_90_80_80, edited));
const header = whole.length - (κόσμε.length + 4 + edited.length);

const failFastCases: ConformanceCase[] = [
  failFast(
    '6.7.1',
    'fails fast with 1007 on an invalid fragment, before the next fragment is sent',
    [concat(text(κόσμε, { fin: false }), cont(F4_90_80_80, { fin: false })), cont(edited)],
    0,
  ),
  failFast(
    '6.7.2',
    'fails fast with 1007 on an invalid sequence in the middle of a fragment',
    [concat(text(κόσμε, { fin: false }), cont(concat(κόσμε, F4_90_80_80, edited), { fin: false })), cont(edited)],
    0,
  ),
  failFast('6.7.3', 'fails fast with 1007 when the invalid bytes arrive in the middle of a frame whose rest is delayed', cut(whole, [header + κόσμε.length, header + κόσμε.length + 4]), 1),
  failFast(
    '6.7.4',
    'fails fast with 1007 at the byte that makes F4 invalid, not at the F4 before it',
    cut(whole, [header + κόσμε.length + 1, header + κόσμε.length + 2]),
    1,
  ),
  failFast('6.7.5', 'fails fast with 1007 at the second byte of a surrogate', cut(frameOf(hex('61 62 63 ed a0 80 64 65 66')), [2 + 4, 2 + 5]), 1),
  failFast('6.7.6', 'fails fast with 1007 at the second byte of an overlong 3-byte form', cut(frameOf(hex('61 e0 80 80 62')), [2 + 2, 2 + 3]), 1),
  failFast('6.7.7', 'fails fast with 1007 at a 0xF5 byte in the first chunk of a frame', cut(frameOf(hex('61 62 f5 63 64')), [2 + 3]), 0),
  failFast('6.7.8', 'fails fast with 1007 at a lone continuation byte in the first chunk of a frame', cut(frameOf(hex('61 80 63 64 65 66')), [2 + 2]), 0),
  failFast(
    '6.7.9',
    'fails fast with 1007 on a 1 MiB text frame whose first 64 KiB end in an invalid byte, before the rest arrives',
    cut(frameOf(concat(Buffer.alloc(65535, 'a'), hex('ff'), Buffer.alloc(1024 * 1024 - 65536, 'b'))), [10 + 65536]),
    0,
  ),
];

/** All 6.* cases. */
export const utf8Cases: ConformanceCase[] = [...validCases, ...invalidCases, ...acrossFragments, ...failFastCases];
