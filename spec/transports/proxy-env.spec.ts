/** Proxy detection from options and the environment, NO_PROXY as curl reads it. */
import { isNoProxy, redactProxy, resolveProxy } from '../../lib/transports/proxy-env.js';

const target = (url: string) => {
  const u = new URL(url);
  const secure = u.protocol === 'wss:';
  const host = u.hostname.replace(/^\[|\]$/g, '');
  return { url: u, secure, host, port: u.port ? Number(u.port) : secure ? 443 : 80 };
};

describe('resolveProxy', () => {
  it('uses the proxies option for the scheme, and {} for none', () => {
    expect(resolveProxy(target('ws://a.test/'), { http: 'http://p:1', https: 'http://q:2' }, {})).toBe('http://p:1');
    expect(resolveProxy(target('wss://a.test/'), { http: 'http://p:1', https: 'http://q:2' }, {})).toBe('http://q:2');
    expect(resolveProxy(target('ws://a.test/'), {}, { HTTP_PROXY: 'http://env:1' })).toBeNull();
  });

  it('reads HTTP_PROXY for ws:, HTTPS_PROXY for wss:, ALL_PROXY as a fallback, lowercase first', () => {
    expect(resolveProxy(target('ws://a.test/'), undefined, { HTTP_PROXY: 'http://up:1' })).toBe('http://up:1');
    expect(resolveProxy(target('ws://a.test/'), undefined, { HTTP_PROXY: 'http://up:1', http_proxy: 'http://low:1' })).toBe('http://low:1');
    expect(resolveProxy(target('wss://a.test/'), undefined, { HTTP_PROXY: 'http://up:1' })).toBeNull();
    expect(resolveProxy(target('wss://a.test/'), undefined, { https_proxy: 'http://s:1' })).toBe('http://s:1');
    expect(resolveProxy(target('wss://a.test/'), undefined, { ALL_PROXY: 'http://all:1' })).toBe('http://all:1');
    expect(resolveProxy(target('ws://a.test/'), undefined, {})).toBeNull();
  });

  it('honours NO_PROXY from the environment', () => {
    expect(resolveProxy(target('ws://a.test/'), undefined, { HTTP_PROXY: 'http://p:1', NO_PROXY: 'a.test' })).toBeNull();
    expect(resolveProxy(target('ws://b.test/'), undefined, { HTTP_PROXY: 'http://p:1', no_proxy: 'a.test' })).toBe('http://p:1');
  });
});

describe('isNoProxy (curl rules)', () => {
  it.each([
    ['example.com', 'example.com', 80, true],
    ['example.com', 'a.example.com', 80, true],
    ['.example.com', 'a.example.com', 80, true],
    ['.example.com', 'example.com', 80, true],
    ['example.com', 'badexample.com', 80, false],
    ['*', 'anything.test', 443, true],
    ['example.com:8080', 'example.com', 8080, true],
    ['example.com:8080', 'example.com', 80, false],
    ['127.0.0.1', '127.0.0.1', 80, true],
    ['127.0.0.1', '127.0.0.2', 80, false],
    ['[::1]', '::1', 80, true],
    ['[::1]:9000', '::1', 9000, true],
    ['[::1]:9000', '::1', 9001, false],
    ['EXAMPLE.com', 'a.Example.COM', 80, true],
    [' other.test , example.com ', 'example.com', 80, true],
    [',,', 'example.com', 80, false],
    ['', 'example.com', 80, false],
  ] as const)('NO_PROXY=%j, host %s:%i → %s', (noProxy, host, port, expected) => {
    expect(isNoProxy(host, port, noProxy)).toBe(expected);
  });
});

describe('redactProxy', () => {
  it('never shows credentials', () => {
    expect(redactProxy('http://user:secret@127.0.0.1:3128/')).toBe('http://***:***@127.0.0.1:3128');
    expect(redactProxy('http://proxy.test:3128')).toBe('http://proxy.test:3128');
    expect(redactProxy('http://user:secret@127.0.0.1:3128/')).not.toContain('secret');
  });
});
