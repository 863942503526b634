import fc from 'fast-check';
import { HandshakeError } from '../../lib/core/errors.js';
import { parseExtensions, type ExtensionOffer } from '../../lib/core/extensions.js';

const syntaxError = (header: string, expected: string, at: number) =>
  new HandshakeError(`invalid extensions header ${JSON.stringify(header)}: expected ${expected} at ${at}`);

describe('parseExtensions', () => {
  describe('RFC 6455 §9.1 valid grammar', () => {
    it('parses one extension without parameters', () => {
      expect(parseExtensions('permessage-deflate')).toEqual([{ name: 'permessage-deflate', params: [] }]);
    });

    it('parses parameters with and without values, in order', () => {
      expect(parseExtensions('permessage-deflate; client_max_window_bits; server_max_window_bits=10')).toEqual([
        { name: 'permessage-deflate', params: [['client_max_window_bits', true], ['server_max_window_bits', '10']] },
      ]);
    });

    it('parses several extensions and keeps repeated ones', () => {
      expect(parseExtensions('foo, bar; baz=2, foo')).toEqual([
        { name: 'foo', params: [] },
        { name: 'bar', params: [['baz', '2']] },
        { name: 'foo', params: [] },
      ]);
    });

    it('unquotes quoted-string values', () => {
      expect(parseExtensions('permessage-deflate; client_max_window_bits="10"')[0]!.params).toEqual([['client_max_window_bits', '10']]);
    });

    it('unescapes quoted-pairs in quoted values', () => {
      expect(parseExtensions('x; a="\\1\\0"')[0]!.params).toEqual([['a', '10']]);
    });

    it('keeps separators inside quoted values from splitting the list', () => {
      // The value is rejected later for not being a token, which proves the "," and ";" stayed inside it.
      expect(() => parseExtensions('x; a="b,c;d"')).toThrow(new HandshakeError('invalid extension parameter a="b,c;d": not a token once unquoted'));
    });

    it('allows optional whitespace around separators and at both ends', () => {
      expect(parseExtensions(' \tfoo ;  a = 1 ;b= "2"\t, bar ')).toEqual([
        { name: 'foo', params: [['a', '1'], ['b', '2']] },
        { name: 'bar', params: [] },
      ]);
    });

    it('skips empty list elements', () => {
      expect(parseExtensions(', foo,, ,bar,')).toEqual([
        { name: 'foo', params: [] },
        { name: 'bar', params: [] },
      ]);
    });

    it('keeps names and values as sent, case included', () => {
      expect(parseExtensions('Permessage-Deflate; Server_Max_Window_Bits=A')).toEqual([
        { name: 'Permessage-Deflate', params: [['Server_Max_Window_Bits', 'A']] },
      ]);
    });

    it('parses what it would print, for any extensions', () => {
      const token = fc.stringMatching(/^[!#$%&'*+\-.^_`|~0-9A-Za-z]{1,8}$/);
      const param = fc.tuple(token, fc.oneof(fc.constant(true as const), token));
      const extension = fc.record({ name: token, params: fc.array(param, { maxLength: 4 }) });
      fc.assert(
        fc.property(fc.array(extension, { minLength: 1, maxLength: 4 }), fc.boolean(), (extensions: ExtensionOffer[], quote) => {
          const text = extensions
            .map(({ name, params }) =>
              [name, ...params.map(([key, value]) => (value === true ? key : `${key}=${quote ? `"${value}"` : value}`))].join('; '),
            )
            .join(', ');
          expect(parseExtensions(text)).toEqual(extensions);
        }),
      );
    });
  });

  describe('RFC 6455 §9.1 invalid grammar', () => {
    it.each([
      ['', 'an extension name', 0],
      [' , ', 'an extension name', 3],
      ['foo bar', '"," or ";"', 4],
      ['foo;', 'a parameter name', 4],
      ['foo; ;a', 'a parameter name', 5],
      ['foo; a=', 'a value for a', 7],
      ['foo; =1', 'a parameter name', 5],
      ['foo; a b', '"," or ";"', 7],
      ['foo; a=1 2', '"," or ";"', 9],
      ['foo; a="1"2', '"," or ";"', 10],
      ['foo; a="1', 'a closed quoted string', 7],
      ['foo; a="1\\', 'a closed quoted string', 7],
      ['foo; a="1\x01"', 'a closed quoted string', 7],
      ['foo; a=b"c"', '"," or ";"', 8],
      ['f"oo"', '"," or ";"', 1],
      ['foo/bar', '"," or ";"', 3],
      ['foo; a/b=1', '"," or ";"', 6],
      ['foo; a=1/2', '"," or ";"', 8],
      ['foo; a=é', 'a value for a', 7],
    ])('fails on %j, expecting %s at %i', (header, expected, at) => {
      expect(() => parseExtensions(header)).toThrow(syntaxError(header, expected, at));
    });

    // RFC 6455 §9.1: "the value after quoted-string unescaping MUST conform to the 'token' ABNF".
    it.each([
      ['x; a=""', 'a=""'],
      ['x; a="1 2"', 'a="1 2"'],
      ['x; a="\\""', 'a="\\""'],
    ])('fails on %j whose quoted value is not a token', (header, param) => {
      expect(() => parseExtensions(header)).toThrow(new HandshakeError(`invalid extension parameter ${param}: not a token once unquoted`));
    });
  });
});
