import { ProtocolError } from '../../lib/core/errors.js';
import { checkInfo, readLength64 } from '../../lib/core/frame-header.js';

/** The error `run` throws, as [class name, close code, message]. */
function failure(run: () => unknown): [string, number, string] {
  try {
    run();
  } catch (error) {
    if (error instanceof ProtocolError) return [error.name, error.closeCode, error.message];
    throw error;
  }
  throw new Error('no error');
}

describe('checkInfo (RFC 6455 §5.2 header bits)', () => {
  it.each([
    [0x81, 0x05, false, 5],
    [0x02, 0x7e, false, 126],
    [0xc1, 0x7f, true, 127],
    [0x89, 0x7d, false, 125],
  ])('accepts b0=0x%s b1=0x%s (allowRsv1 %p) and returns the 7-bit length %p', (b0, b1, allowRsv1, length) => {
    expect(checkInfo(b0, b1, allowRsv1)).toBe(length);
  });

  it.each([
    [0x81, 0x85, true, ['CriticalProtocolError', 1002, 'masked frame from server']],
    [0xc1, 0x00, false, ['ProtocolError', 1002, 'reserved bits set 0x40']],
    [0xc9, 0x00, true, ['ProtocolError', 1002, 'reserved bits set 0x40']],
    [0x83, 0x00, false, ['ProtocolError', 1002, 'invalid opcode 0x3']],
    [0x09, 0x00, false, ['ProtocolError', 1002, 'fragmented control frame']],
    [0x8a, 0x7e, false, ['ProtocolError', 1002, 'control frame payload exceeds 125 bytes']],
  ] as const)('fails on b0=0x%s b1=0x%s (allowRsv1 %p)', (b0, b1, allowRsv1, expected) => {
    expect(failure(() => checkInfo(b0, b1, allowRsv1))).toEqual(expected);
  });
});

describe('readLength64 (RFC 6455 §5.2 extended payload length)', () => {
  const bytes = (...values: number[]): Uint8Array => Uint8Array.from(values);

  it('reads lengths up to 2^53 - 1, at an offset', () => {
    expect(readLength64(bytes(9, 0, 0, 0, 0, 0, 0x01, 0x00, 0x00), 1, 0)).toBe(65536);
    expect(readLength64(bytes(0x00, 0x1f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff), 0, 0)).toBe(Number.MAX_SAFE_INTEGER);
  });

  it('fails with 1009 from 2^53 on, naming the exact length', () => {
    expect(failure(() => readLength64(bytes(0x00, 0x20, 0, 0, 0, 0, 0, 1), 0, 99))).toEqual(['PayloadTooLargeError', 1009, 'frame payload of 9007199254740993 bytes exceeds 99']);
  });

  it('fails critically when the most significant bit is set', () => {
    expect(failure(() => readLength64(bytes(0x80, 0, 0, 0, 0, 0, 0, 2), 0, 99))).toEqual(['CriticalProtocolError', 1002, 'invalid 64-bit payload length 0x8000000000000002']);
  });
});
