import { isToken, isTokenChar } from '../../lib/core/token.js';

describe('RFC 9110 §5.6.2 token', () => {
  it('accepts every tchar and nothing else', () => {
    const tchars = "!#$%&'*+-.^_`|~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
    for (let code = 0; code < 300; code++) expect([code, isTokenChar(code)]).toEqual([code, tchars.includes(String.fromCharCode(code))]);
  });

  it('is a non-empty run of tchars', () => {
    expect(['permessage-deflate', 'x', 'chat.v2', "a!#$%&'*+-.^_`|~z"].every(isToken)).toBe(true);
    expect(['', 'a b', 'a,b', 'a;b', 'é', 'a=b', '"q"', 'a\tb'].some(isToken)).toBe(false);
  });

  it('checks a long value in linear time', () => {
    const started = performance.now();
    expect(isToken('a'.repeat(1_000_000) + ' ')).toBe(false);
    expect(performance.now() - started).toBeLessThan(1000);
  });
});
