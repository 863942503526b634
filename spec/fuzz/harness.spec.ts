/**
 * The fuzz suite's own pieces, checked apart from lomond: the generators
 * render what they claim (a valid 101 is one, chunks add up to the stream,
 * compressed payloads inflate back), and the reference model reads scripts
 * as the RFCs do.
 */
import { constants, inflateRawSync } from 'node:zlib';
import fc from 'fast-check';
import { checkResponse } from '../../lib/core/handshake.js';
import { HttpResponseReader } from '../../lib/core/http-response-reader.js';
import { acceptFor } from '../../lib/connection/handshake-keys.js';
import { concat, utf8 } from './bytes.js';
import { deflateMessage, fragmentSizes, INVALID_UTF8, messageFragments, renderFrames, type FrameSpec } from './frame-arbitraries.js';
import { acceptOf, renderResponse, renderSwitch, validSwitch, type SwitchHead } from './handshake-arbitraries.js';
import { verdictOf } from './handshake-verdict.js';
import { expectFrames, firstInvalid } from './model.js';
import { mutate, split } from './mutations.js';
import { BASE_CLIENT } from './scenario.js';

const KEY = 'dGhlIHNhbXBsZSBub25jZQ==';
const text = (t: string, extra: Partial<Extract<FrameSpec, { kind: 'message' }>> = {}): FrameSpec => ({
  kind: 'message',
  opcode: 1,
  payload: utf8(t),
  invalid: null,
  cuts: [],
  compress: false,
  pings: [],
  ...extra,
});

describe('the fuzz generators', () => {
  it('compute Sec-WebSocket-Accept as RFC 6455 §1.3 does, apart from lib/', () => {
    expect(acceptOf(KEY)).toBe('s3pPLMBiTxaQ9kYGzzhZRbK+xOo=');
    expect(acceptOf(KEY)).toBe(acceptFor(KEY));
  });

  it('render a valid 101 that lomond reads and accepts', () => {
    const head = renderResponse(validSwitch({ protocol: 'chat' }), KEY);
    const parsed = new HttpResponseReader().push(head);
    expect(parsed?.rest.length).toBe(0);
    expect(checkResponse(parsed!.response, { accept: acceptOf(KEY), protocols: ['chat'], extensionsOffered: false })).toEqual({ protocol: 'chat', extensions: null });
    expect(verdictOf(validSwitch({ protocol: 'chat' }), { compress: false, protocols: ['chat'] }, KEY)).toEqual({ expect: 'ready', deflate: null });
  });

  it('pad heads to the size asked, right at the 16 KiB cap', () => {
    const head = (validSwitch() as { head: SwitchHead }).head;
    for (const shape of ['many', 'one'] as const) {
      expect(renderSwitch({ ...head, padTo: { size: 16_384, shape } }, KEY).length).toBe(16_384);
      expect(verdictOf(validSwitch({ padTo: { size: 16_385, shape } }), { compress: false, protocols: [] }, KEY)).toEqual({ expect: 'not-ready' });
    }
    // Long header lines count too, and so do the interim heads before the 101.
    expect(verdictOf(validSwitch({ extra: [{ name: 'X-Spaces', value: ' '.repeat(16_300) }] }), { compress: false, protocols: [] }, KEY)).toEqual({ expect: 'not-ready' });
    const interim = { ...(validSwitch({ padTo: { size: 16_370, shape: 'one' } }) as Extract<ReturnType<typeof validSwitch>, { kind: 'switch' }>), interim: [{ status: 103 as const, headers: [] }] };
    expect(verdictOf(interim, { compress: false, protocols: [] }, KEY)).toEqual({ expect: 'not-ready' });
  });

  it('say which answers must fail the handshake', () => {
    const offer = { compress: false, protocols: ['chat'] };
    expect(verdictOf(validSwitch({ accept: 'wrong' }), offer, KEY).expect).toBe('not-ready');
    expect(verdictOf(validSwitch({ accept: 'padded' }), offer, KEY).expect).toBe('ready');
    expect(verdictOf(validSwitch({ upgrade: null }), offer, KEY).expect).toBe('not-ready');
    expect(verdictOf(validSwitch({ protocol: 'superchat' }), offer, KEY).expect).toBe('not-ready');
    expect(verdictOf(validSwitch({ extensions: { value: 'permessage-deflate', verdict: 'valid', serverWindowBits: 15 } }), offer, KEY).expect).toBe('not-ready');
    expect(verdictOf(validSwitch({ version: 'HTTP/1.0' }), offer, KEY).expect).toBe('not-ready');
    expect(verdictOf(validSwitch({ version: 'HTTP/1.2' }), offer, KEY).expect).toBe('either');
    expect(verdictOf(validSwitch({ protocol: '' }), offer, KEY).expect).toBe('not-ready');
  });

  it('cut a stream into chunks that add up to it, one byte at a time up to the cap', () => {
    const plans = fc.oneof(
      fc.constant({ kind: 'whole' as const }),
      fc.constant({ kind: 'bytes' as const }),
      fc.record({ kind: fc.constant('cuts' as const), cuts: fc.array(fc.nat(), { maxLength: 8 }) }),
      fc.record({ kind: fc.constant('fixed' as const), size: fc.integer({ min: 1, max: 50 }) }),
    );
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), plans, fc.integer({ min: 1, max: 400 }), (stream, plan, cap) => {
        const chunks = split(stream, plan, cap);
        expect(concat(chunks)).toEqual(stream);
        expect(chunks.every((chunk) => chunk.length > 0)).toBe(true);
        if (plan.kind === 'bytes') expect(chunks.length).toBe(Math.min(stream.length, cap) + (stream.length > cap ? 1 : 0));
        if (plan.kind === 'fixed') expect(chunks.length).toBeLessThanOrEqual(cap);
      }),
      { seed: 1, numRuns: 200 },
    );
  });

  it('apply edits at offsets taken modulo the length', () => {
    const bytes = Uint8Array.of(1, 2, 3, 4);
    expect(mutate(bytes, [{ kind: 'flip', at: 6, bit: 7 }])).toEqual(Uint8Array.of(1, 0x82, 3, 4));
    expect(mutate(bytes, [{ kind: 'insert', at: 6, bytes: Uint8Array.of(9) }])).toEqual(Uint8Array.of(1, 9, 2, 3, 4));
    expect(mutate(bytes, [{ kind: 'delete', at: 1, count: 2 }])).toEqual(Uint8Array.of(1, 4));
    expect(mutate(bytes, [{ kind: 'overwrite', at: 3, bytes: Uint8Array.of(7, 7) }])).toEqual(Uint8Array.of(1, 2, 3, 7));
    expect(mutate(bytes, [{ kind: 'repeat', at: 0, count: 2 }])).toEqual(Uint8Array.of(1, 1, 1, 2, 3, 4));
    expect(mutate(bytes, [{ kind: 'truncate', at: 2 }])).toEqual(Uint8Array.of(1, 2));
  });

  it('fragment a message by a fixed size too: thousands of tiny fragments that add up to it', () => {
    fc.assert(
      fc.property(fc.nat(1000), fc.constantFrom(1, 3, 64), (size, every) => {
        const sizes = messageFragments({ ...(text('') as Extract<FrameSpec, { kind: 'message' }>), every }, size);
        expect(sizes.reduce((sum, n) => sum + n, 0)).toBe(size);
        expect(sizes.every((n) => n <= every)).toBe(true);
        expect(sizes.length).toBe(Math.max(1, Math.ceil(size / every)));
      }),
      { seed: 1, numRuns: 100 },
    );
  });

  it('fragment payloads into sizes that add up to them', () => {
    fc.assert(
      fc.property(fc.nat(1000), fc.array(fc.nat(), { maxLength: 6 }), (size, cuts) => {
        const sizes = fragmentSizes(size, cuts);
        expect(sizes.reduce((a, b) => a + b, 0)).toBe(size);
        expect(sizes.length).toBe(cuts.length + 1);
      }),
      { seed: 2, numRuns: 200 },
    );
  });

  it('compress messages with raw deflate that inflates back (RFC 7692 §7.2.1: the tail appended)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 2000 }), fc.integer({ min: 8, max: 15 }), (data, bits) => {
        const wire = deflateMessage(data, bits);
        const inflated = inflateRawSync(concat([wire, Uint8Array.of(0, 0, 0xff, 0xff)]), { finishFlush: constants.Z_SYNC_FLUSH, windowBits: Math.max(9, bits) });
        expect(new Uint8Array(inflated)).toEqual(data);
      }),
      { seed: 3, numRuns: 50 },
    );
  });

  it('build fragmented messages with RSV1 on the first frame only, pings between fragments', () => {
    const bytes = renderFrames([text('abc', { cuts: [1], compress: true, pings: [{ after: 0, payload: Uint8Array.of(7) }] })], { serverWindowBits: 15 });
    expect(bytes[0]).toBe(0x41); // RSV1 | TEXT, FIN clear
    const first = 2 + bytes[1]!;
    expect(Array.from(bytes.subarray(first, first + 3))).toEqual([0x89, 0x01, 0x07]); // the ping
    expect(bytes[first + 3]).toBe(0x80); // FIN | CONTINUATION, no RSV1
  });
});

describe('the reference model', () => {
  it('finds where a fail-fast UTF-8 validator stops, as TextDecoder judges validity', () => {
    const decoder = new TextDecoder('utf-8', { fatal: true });
    const valid = (bytes: Uint8Array): boolean => {
      try {
        decoder.decode(bytes);
        return true;
      } catch {
        return false;
      }
    };
    const bytes = fc.oneof(
      fc.uint8Array({ maxLength: 12 }),
      fc.tuple(fc.string({ unit: 'binary', maxLength: 8 }), fc.constantFrom(...INVALID_UTF8), fc.nat()).map(([s, bad, at]) => {
        const plain = utf8(s);
        const cut = at % (plain.length + 1);
        return concat([plain.subarray(0, cut), Uint8Array.from(bad), plain.subarray(cut)]);
      }),
    );
    fc.assert(
      fc.property(bytes, (input) => {
        const at = firstInvalid(input);
        expect(at < 0).toBe(valid(input));
        // What came before the stop is valid, or cut inside its last sequence: the stop is the first bad byte.
        if (at >= 0 && at < input.length) expect([-1, at]).toContain(firstInvalid(input.subarray(0, at)));
      }),
      { seed: 4, numRuns: 600 },
    );
  });

  it('expects messages, pings and the close in wire order', () => {
    const frames: FrameSpec[] = [text('hi'), { kind: 'control', opcode: 9, payload: Uint8Array.of(1) }, { kind: 'close', code: 1000, reason: utf8('bye') }, text('ignored')];
    expect(expectFrames(frames, BASE_CLIENT, null)).toEqual({
      events: [['text', 'hi'], ['ping', '01/1'], ['closing', 1000, 'bye']],
      end: { kind: 'close', code: 1000 },
      exact: true,
    });
  });

  it('expects the RFC close codes: 1002 protocol, 1007 invalid UTF-8, 1009 too big', () => {
    const end = (frames: FrameSpec[], client = BASE_CLIENT): unknown => expectFrames(frames, client, null).end;
    expect(end([{ kind: 'close', code: 1005, reason: new Uint8Array(0) }])).toEqual({ kind: 'fault', codes: [1002] });
    expect(end([{ kind: 'close', code: 1000, reason: Uint8Array.of(0xff) }])).toEqual({ kind: 'fault', codes: [1007] });
    expect(end([text('x', { invalid: { sequence: 0, at: 0 } })])).toEqual({ kind: 'fault', codes: [1007] });
    expect(end([text('toolong')], { ...BASE_CLIENT, maxMessageSize: 3 })).toEqual({ kind: 'fault', codes: [1009] });
    expect(end([{ kind: 'bomb', size: 1 << 20 }])).toEqual({ kind: 'fault', codes: [1002] }); // RSV1 without deflate
    expect(expectFrames([{ kind: 'bomb', size: 1 << 20 }], BASE_CLIENT, { serverWindowBits: 15 }).end).toMatchObject({ kind: 'fault', codes: [1009], inflated: true, message: ['binary', expect.stringMatching(/\/1048576$/)] });
  });

  it('fails fast inside a fragmented text message: pings after the bad fragment never show', () => {
    const frames: FrameSpec[] = [text('abcd', { cuts: [2, 2], invalid: { sequence: 0, at: 3 }, pings: [{ after: 0, payload: Uint8Array.of(1) }, { after: 1, payload: Uint8Array.of(2) }] })];
    // Fragments "ab", "", "c\xffd": the invalid byte comes with the third, so both pings (after the first two) show.
    expect(expectFrames(frames, BASE_CLIENT, null)).toEqual({ events: [['ping', '01/1'], ['ping', '02/1']], end: { kind: 'fault', codes: [1007] }, exact: true });
  });

  it('fails hand-built frames by their header: masked (may be critical), reserved opcodes and bits, fragmented control frames, lengths', () => {
    const raw = (fields: Partial<Extract<FrameSpec, { kind: 'raw' }>>): FrameSpec => ({ kind: 'raw', opcode: 2, fin: true, rsv: 0, mask: false, declared: null, payload: new Uint8Array(0), ...fields });
    const end = (spec: FrameSpec): unknown => expectFrames([spec], BASE_CLIENT, null).end;
    expect(end(raw({ mask: true }))).toEqual({ kind: 'fault', codes: [1002], critical: true });
    expect(end(raw({ opcode: 3 }))).toEqual({ kind: 'fault', codes: [1002], critical: false });
    expect(end(raw({ rsv: 4 }))).toEqual({ kind: 'fault', codes: [1002], critical: false });
    expect(end(raw({ opcode: 9, fin: false }))).toEqual({ kind: 'fault', codes: [1002], critical: false });
    expect(end(raw({ opcode: 0 }))).toEqual({ kind: 'fault', codes: [1002], critical: false });
    expect(end(raw({ declared: 1n << 20n }))).toEqual({ kind: 'fault', codes: [1009], critical: false });
    expect(end(raw({ declared: 1n << 63n }))).toEqual({ kind: 'fault', codes: [1002], critical: true });
    expect(expectFrames([raw({ opcode: 1, payload: utf8('ok') })], BASE_CLIENT, null)).toEqual({ events: [], end: { kind: 'open' }, exact: false });
  });

  it('stops at garbage', () => {
    expect(expectFrames([text('a'), { kind: 'garbage', bytes: Uint8Array.of(1) }, text('b')], BASE_CLIENT, null)).toEqual({
      events: [['text', 'a']],
      end: { kind: 'open' },
      exact: false,
    });
  });
});
