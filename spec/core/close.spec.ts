import fc from 'fast-check';
import { buildClosePayload, parseClosePayload } from '../../lib/core/close.js';
import { ProtocolError } from '../../lib/core/errors.js';
import { isValidWireCode } from '../../lib/core/status.js';

const hex = (text: string): Uint8Array => Uint8Array.from(text.split(/\s+/).filter(Boolean), (byte) => parseInt(byte, 16));
const utf8 = (text: string): Uint8Array => new TextEncoder().encode(text);
const payload = (code: number, reason: Uint8Array = new Uint8Array(0)): Uint8Array => new Uint8Array([code >> 8, code & 0xff, ...reason]);

/** Runs `run` and returns what it throws. */
function thrown(run: () => unknown): Error {
  try {
    run();
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected a throw');
}

function expectProtocolError(run: () => unknown, closeCode: number, message: string): void {
  const error = thrown(run);
  expect(error).toBeInstanceOf(ProtocolError);
  expect([error.name, (error as ProtocolError).closeCode, (error as ProtocolError).critical, error.message]).toEqual(['ProtocolError', closeCode, false, message]);
}

const VALID_CODES = [1000, 1001, 1002, 1003, 1007, 1008, 1009, 1010, 1011, 1012, 1013, 1014, 3000, 3999, 4000, 4999];
const INVALID_CODES = [0, 999, 1004, 1005, 1006, 1015, 1016, 2000, 2999, 5000, 65535];

describe('RFC 6455 §5.5.1 parsing a received close payload', () => {
  it('reads an empty payload as 1005, no status code (§7.1.5)', () => {
    expect(parseClosePayload(new Uint8Array(0))).toEqual({ code: 1005, reason: '' });
  });

  it('reads the code big-endian and the reason as UTF-8', () => {
    expect(parseClosePayload(hex('03 e8 62 79 65'))).toEqual({ code: 1000, reason: 'bye' });
    expect(parseClosePayload(payload(4000, utf8('日本語 😀')))).toEqual({ code: 4000, reason: '日本語 😀' });
  });

  it('reads a code without a reason', () => {
    expect(parseClosePayload(hex('03 e9'))).toEqual({ code: 1001, reason: '' });
  });

  it('fails with 1002 on a 1-byte payload', () => {
    expectProtocolError(() => parseClosePayload(hex('03')), 1002, 'close payload of 1 byte');
  });

  describe('§7.4 status codes', () => {
    it.each(VALID_CODES)('accepts code %p', (code) => {
      expect(parseClosePayload(payload(code)).code).toBe(code);
    });

    it.each(INVALID_CODES)('fails with 1002 on code %p, which may not appear on the wire', (code) => {
      expectProtocolError(() => parseClosePayload(payload(code)), 1002, `invalid close code ${code}`);
    });
  });

  describe('§8.1 the reason must be UTF-8', () => {
    it.each([
      ['an invalid byte', hex('ff')],
      ['a surrogate', hex('ed a0 80')],
      ['an overlong form', hex('c0 af')],
      ['a sequence cut at the end', hex('61 e2 82')],
    ])('fails with 1007 on %s', (_, reason) => {
      expectProtocolError(() => parseClosePayload(payload(1000, reason)), 1007, 'invalid utf-8 in close reason');
    });

    it('checks the code before the reason', () => {
      expectProtocolError(() => parseClosePayload(payload(1005, hex('ff'))), 1002, 'invalid close code 1005');
    });
  });
});

describe('RFC 6455 §5.5.1 building a close payload to send', () => {
  it('writes the code big-endian followed by the UTF-8 reason', () => {
    expect(buildClosePayload(1000, 'bye')).toEqual(hex('03 e8 62 79 65'));
  });

  it('writes only the code for an empty reason', () => {
    expect(buildClosePayload(4999, '')).toEqual(hex('13 87'));
  });

  it.each(VALID_CODES)('accepts code %p', (code) => {
    expect(parseClosePayload(buildClosePayload(code, 'x'))).toEqual({ code, reason: 'x' });
  });

  it.each([...INVALID_CODES, 1000.5, NaN, -1000])('throws RangeError for code %p', (code) => {
    const error = thrown(() => buildClosePayload(code, ''));
    expect(error).toBeInstanceOf(RangeError);
    expect(error.message).toBe(`invalid close code ${code}`);
  });

  it('accepts a reason of exactly 123 UTF-8 bytes, multibyte characters included', () => {
    expect(buildClosePayload(1000, 'a'.repeat(123))).toHaveLength(125);
    expect(buildClosePayload(1000, '€'.repeat(41))).toHaveLength(125);
  });

  it('throws RangeError for a reason over 123 UTF-8 bytes', () => {
    const error = thrown(() => buildClosePayload(1000, 'é'.repeat(62)));
    expect(error).toBeInstanceOf(RangeError);
    expect(error.message).toBe('close reason of 124 bytes exceeds 123');
  });

  it('throws TypeError for a code that is not a number', () => {
    const error = thrown(() => buildClosePayload('1000' as never, ''));
    expect(error).toBeInstanceOf(TypeError);
    expect(error.message).toBe('close code must be a number, got string');
  });

  it('throws TypeError for a reason that is not a string', () => {
    const error = thrown(() => buildClosePayload(1000, null as never));
    expect(error).toBeInstanceOf(TypeError);
    expect(error.message).toBe('close reason must be a string, got object');
  });

  it('round-trips every valid code with any reason that fits', () => {
    const code = fc.oneof(fc.integer({ min: 1000, max: 1014 }), fc.integer({ min: 3000, max: 4999 })).filter(isValidWireCode);
    const reason = fc.string({ unit: 'binary', maxLength: 30 }).filter((text) => utf8(text).length <= 123);
    fc.assert(
      fc.property(code, reason, (c, r) => {
        expect(parseClosePayload(buildClosePayload(c, r))).toEqual({ code: c, reason: r });
      }),
    );
  });
});
