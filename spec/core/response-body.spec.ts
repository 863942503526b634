import { MAX_REJECTED_BODY, ResponseBodyReader } from '../../lib/core/response-body.js';
import { Response } from '../../lib/core/response.js';

const bytes = (text: string): Uint8Array => new TextEncoder().encode(text);
const text = (data: Uint8Array): string => new TextDecoder().decode(data);
const response = (statusCode: number, headers: Record<string, string> = {}): Response => new Response(statusCode, 'X', Object.entries(headers));

/** Feeds `input` whole, then again one byte at a time and split at every offset: the results must agree. */
function read(res: Response, input: string, limit?: number): { body: string; done: boolean } {
  const data = bytes(input);
  const whole = new ResponseBodyReader(res, { limit });
  whole.push(data);
  const result = { body: text(whole.body()), done: whole.done };
  const single = new ResponseBodyReader(res, { limit });
  for (let i = 0; i < data.length; i++) single.push(data.subarray(i, i + 1));
  expect({ body: text(single.body()), done: single.done }).toEqual(result);
  for (let at = 0; at <= data.length; at++) {
    const split = new ResponseBodyReader(res, { limit });
    split.push(data.subarray(0, at));
    split.push(data.subarray(at));
    expect({ body: text(split.body()), done: split.done }).toEqual(result);
  }
  return result;
}

describe('ResponseBodyReader', () => {
  describe('RFC 9112 §6.3: where the body ends', () => {
    it('item 1: 204 and 304 have no body, done at once', () => {
      for (const status of [204, 304]) {
        const reader = new ResponseBodyReader(response(status, { 'Content-Length': '5' }));
        expect(reader.done).toBe(true);
        expect(reader.push(bytes('hello'))).toBe(true);
        expect(reader.body()).toEqual(new Uint8Array(0));
      }
    });

    it('item 6: Content-Length bytes, the rest ignored', () => {
      expect(read(response(403, { 'Content-Length': '6' }), 'no way, and more')).toEqual({ body: 'no way', done: true });
      expect(read(response(403, { 'Content-Length': '10' }), 'short')).toEqual({ body: 'short', done: false });
      expect(new ResponseBodyReader(response(403, { 'Content-Length': '0' })).done).toBe(true);
    });

    it('RFC 9110 §8.6: a list of identical Content-Length values is one; a bad one reads until close', () => {
      expect(read(response(403, { 'Content-Length': '2, 2' }), 'abcdef')).toEqual({ body: 'ab', done: true });
      expect(read(response(403, { 'Content-Length': '2, 3' }), 'abcdef')).toEqual({ body: 'abcdef', done: false });
      expect(read(response(403, { 'Content-Length': '-1' }), 'abc')).toEqual({ body: 'abc', done: false });
      expect(read(response(403, { 'Content-Length': '9'.repeat(40) }), 'abc')).toEqual({ body: 'abc', done: false });
    });

    it('item 8: without a length, until the server closes (never done by itself)', () => {
      expect(read(response(500), 'oops')).toEqual({ body: 'oops', done: false });
    });

    it('item 4: a final chunked coding is decoded (extensions and trailers skipped) and ends at the zero chunk', () => {
      const wire = '5;name=value\r\nhello\r\n1\r\n \r\nA\r\n0123456789\r\n0\r\nTrailer: x\r\n\r\nafter';
      expect(read(response(403, { 'Transfer-Encoding': 'chunked', 'Content-Length': '3' }), wire)).toEqual({ body: 'hello 0123456789', done: true });
      expect(read(response(403, { 'Transfer-Encoding': 'gzip, Chunked' }), '2\r\nhi\r\n0\r\n\r\n')).toEqual({ body: 'hi', done: true });
    });

    it('item 4: another final coding reads until close, undecoded', () => {
      expect(read(response(403, { 'Transfer-Encoding': 'chunked, gzip' }), '2\r\nhi')).toEqual({ body: '2\r\nhi', done: false });
    });

    it('ends a malformed chunked body with what was decoded', () => {
      expect(read(response(403, { 'Transfer-Encoding': 'chunked' }), '2\r\nhiXX3\r\nabc\r\n')).toEqual({ body: 'hi', done: true });
      expect(read(response(403, { 'Transfer-Encoding': 'chunked' }), 'zz\r\n')).toEqual({ body: '', done: true });
      expect(read(response(403, { 'Transfer-Encoding': 'chunked' }), `${'f'.repeat(14)}\r\nabc`)).toEqual({ body: '', done: true });
    });
  });

  describe('bounded', () => {
    it(`keeps at most ${MAX_REJECTED_BODY} bytes, whatever a header announces, and is done then`, () => {
      const big = 'x'.repeat(10_000);
      const reader = new ResponseBodyReader(response(403, { 'Content-Length': String(10_000_000) }));
      expect(reader.push(bytes(big))).toBe(true);
      expect(reader.body().length).toBe(MAX_REJECTED_BODY);
      const chunked = new ResponseBodyReader(response(403, { 'Transfer-Encoding': 'chunked' }));
      expect(chunked.push(bytes(`${(10_000).toString(16)}\r\n${big}`))).toBe(true);
      expect(chunked.body().length).toBe(MAX_REJECTED_BODY);
    });

    it('grows its buffer with the bytes received, not with Content-Length', () => {
      const reader = new ResponseBodyReader(response(403, { 'Content-Length': '4000' }));
      reader.push(bytes('abc'));
      expect((reader as unknown as { buffer: Uint8Array }).buffer.length).toBeLessThan(1024);
    });

    it('takes a smaller limit, 0 included, and refuses a bad one', () => {
      expect(read(response(500), 'abcdef', 3)).toEqual({ body: 'abc', done: true });
      expect(new ResponseBodyReader(response(500), { limit: 0 }).done).toBe(true);
      expect(() => new ResponseBodyReader(response(500), { limit: -1 })).toThrow(new RangeError('invalid limit -1'));
      expect(() => new ResponseBodyReader(response(500), { limit: 1.5 })).toThrow(new RangeError('invalid limit 1.5'));
    });
  });

  it('decoded: takes the bytes as the body, whatever the headers say (the http.Agent path)', () => {
    const reader = new ResponseBodyReader(response(403, { 'Transfer-Encoding': 'chunked' }), { decoded: true });
    expect(reader.push(bytes('2\r\nhi'))).toBe(false);
    expect(text(reader.body())).toBe('2\r\nhi');
  });

  it('returns a copy: later pushes do not change an earlier body', () => {
    const reader = new ResponseBodyReader(response(500));
    reader.push(bytes('ab'));
    const first = reader.body();
    reader.push(bytes('cd'));
    expect(text(first)).toBe('ab');
    expect(text(reader.body())).toBe('abcd');
  });
});
