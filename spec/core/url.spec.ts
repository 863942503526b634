import { parseWebSocketUrl } from '../../lib/core/url.js';

describe('parseWebSocketUrl', () => {
  describe('RFC 6455 §3 ws and wss URIs', () => {
    it('fills in port 80 for ws: and keeps the path as the resource', () => {
      const target = parseWebSocketUrl('ws://example.com/chat');
      expect(target).toEqual({ url: new URL('ws://example.com/chat'), secure: false, host: 'example.com', port: 80, resource: '/chat' });
    });

    it('fills in port 443 for wss: and marks it secure', () => {
      expect(parseWebSocketUrl('wss://example.com/')).toMatchObject({ secure: true, host: 'example.com', port: 443, resource: '/' });
    });

    it('uses "/" as the resource when the path is empty', () => {
      expect(parseWebSocketUrl('ws://example.com').resource).toBe('/');
    });

    it('keeps the query in the resource', () => {
      expect(parseWebSocketUrl('ws://example.com/feed?x=1&y=%20').resource).toBe('/feed?x=1&y=%20');
      expect(parseWebSocketUrl('ws://example.com?x').resource).toBe('/?x');
    });

    it('keeps a non-default port', () => {
      expect(parseWebSocketUrl('ws://example.com:8080/').port).toBe(8080);
      expect(parseWebSocketUrl('wss://example.com:80/').port).toBe(80);
      expect(parseWebSocketUrl('ws://example.com:443/').port).toBe(443);
    });

    it('reports an explicit default port as that port', () => {
      expect(parseWebSocketUrl('ws://example.com:80/').port).toBe(80);
      expect(parseWebSocketUrl('wss://example.com:443/').port).toBe(443);
    });

    it('strips the brackets of an IPv6 literal', () => {
      expect(parseWebSocketUrl('ws://[::1]:9000/x')).toMatchObject({ host: '::1', port: 9000, resource: '/x' });
    });

    it('lower-cases the host and the scheme', () => {
      expect(parseWebSocketUrl('WS://Example.COM/A')).toMatchObject({ host: 'example.com', resource: '/A', secure: false });
    });

    it('accepts a URL object', () => {
      const url = new URL('wss://example.com/a');
      expect(parseWebSocketUrl(url)).toMatchObject({ secure: true, resource: '/a' });
    });

    it('does not mutate a URL object it is given', () => {
      const url = new URL('https://example.com/a');
      parseWebSocketUrl(url);
      expect(url.href).toBe('https://example.com/a');
    });
  });

  describe('http: and https: are mapped to ws: and wss:', () => {
    it('maps http: to ws:', () => {
      const target = parseWebSocketUrl('http://example.com/a');
      expect(target.url.href).toBe('ws://example.com/a');
      expect(target).toMatchObject({ secure: false, port: 80 });
    });

    it('maps https: to wss: and keeps a non-default port', () => {
      const target = parseWebSocketUrl('https://example.com:8443/a');
      expect(target.url.href).toBe('wss://example.com:8443/a');
      expect(target).toMatchObject({ secure: true, port: 8443 });
    });
  });

  describe('user:pass@ credentials', () => {
    it('are percent-decoded into credentials, and kept out of host and resource', () => {
      expect(parseWebSocketUrl('wss://al%20ice:p%40ss%3Aw@example.com/a')).toMatchObject({ host: 'example.com', resource: '/a', credentials: 'al ice:p@ss:w' });
      expect(parseWebSocketUrl('ws://bob@example.com/').credentials).toBe('bob:');
      expect(parseWebSocketUrl('ws://:secret@example.com/').credentials).toBe(':secret');
      expect(parseWebSocketUrl('ws://example.com/').credentials).toBeUndefined();
    });

    it('decode UTF-8 escapes', () => {
      expect(parseWebSocketUrl('ws://j%C3%BCrgen:%E2%82%AC@example.com/').credentials).toBe('jürgen:€');
    });

    it('throw TypeError for a malformed escape, showing the URL redacted', () => {
      expect(() => parseWebSocketUrl('ws://bob:%E2%82@example.com/')).toThrow(new TypeError('invalid url credentials encoding "ws://***:***@example.com/"'));
    });
  });

  describe('ws+unix: and wss+unix: (Unix domain sockets, the syntax of ws)', () => {
    it('split the path at the first colon into the socket and the request target', () => {
      expect(parseWebSocketUrl('ws+unix:///run/app.sock:/feed/v1?x=1')).toEqual({
        url: new URL('ws+unix:///run/app.sock:/feed/v1?x=1'),
        secure: false,
        host: 'localhost',
        port: 80,
        resource: '/feed/v1?x=1',
        socketPath: '/run/app.sock',
      });
    });

    it('request "/" when there is no request path, keeping the query', () => {
      expect(parseWebSocketUrl('ws+unix:///run/app.sock')).toMatchObject({ socketPath: '/run/app.sock', resource: '/' });
      expect(parseWebSocketUrl('ws+unix:///run/app.sock:')).toMatchObject({ socketPath: '/run/app.sock', resource: '/' });
      expect(parseWebSocketUrl('ws+unix:///run/app.sock?a=b')).toMatchObject({ socketPath: '/run/app.sock', resource: '/?a=b' });
      expect(parseWebSocketUrl('ws+unix:///run/app.sock:feed')).toMatchObject({ resource: '/feed' });
    });

    it('percent-decode the socket path (a colon in it is written %3A)', () => {
      expect(parseWebSocketUrl('ws+unix:///tmp/my%20dir/a%3Ab.sock:/x').socketPath).toBe('/tmp/my dir/a:b.sock');
    });

    it('wss+unix: is secure; a host in the URL names the Host header and the TLS server name', () => {
      expect(parseWebSocketUrl('wss+unix:///run/app.sock:/x')).toMatchObject({ secure: true, host: 'localhost', port: 443, socketPath: '/run/app.sock' });
      expect(parseWebSocketUrl('wss+unix://api.internal:8443/run/app.sock:/x')).toMatchObject({ host: 'api.internal', port: 8443, resource: '/x' });
    });

    it('accept any letter case of the scheme', () => {
      expect(parseWebSocketUrl('WS+UNIX:///run/a.sock:/').socketPath).toBe('/run/a.sock');
    });

    it('throw TypeError without a socket path, or for a fragment', () => {
      expect(() => parseWebSocketUrl('ws+unix://')).toThrow(new TypeError('url has no unix socket path "ws+unix://"'));
      expect(() => parseWebSocketUrl('wss+unix::/feed')).toThrow(new TypeError('url has no unix socket path "wss+unix::/feed"'));
      expect(() => parseWebSocketUrl('ws+unix:///run/a.sock:/#x')).toThrow(new TypeError('url must not have a fragment "ws+unix:///run/a.sock:/#x"'));
    });
  });

  describe('rejections', () => {
    it('throws TypeError for a non-string', () => {
      expect(() => parseWebSocketUrl(42 as never)).toThrow(new TypeError('invalid url type number'));
      expect(() => parseWebSocketUrl(null as never)).toThrow(new TypeError('invalid url type null'));
      expect(() => parseWebSocketUrl(undefined as never)).toThrow(new TypeError('invalid url type undefined'));
    });

    it('throws TypeError for an unparsable URL', () => {
      expect(() => parseWebSocketUrl('not a url')).toThrow(new TypeError('invalid url "not a url"'));
      expect(() => parseWebSocketUrl('ws://')).toThrow(new TypeError('invalid url "ws://"'));
      expect(() => parseWebSocketUrl('ws://exa mple.com/')).toThrow(TypeError);
    });

    it('throws TypeError for another scheme', () => {
      expect(() => parseWebSocketUrl('ftp://example.com/')).toThrow(new TypeError('invalid url scheme ftp:'));
      expect(() => parseWebSocketUrl('file:///tmp/x')).toThrow(new TypeError('invalid url scheme file:'));
    });

    // RFC 6455 §3: "Fragment identifiers ... MUST NOT be used on these URIs."
    it('throws TypeError for a fragment', () => {
      expect(() => parseWebSocketUrl('ws://example.com/a#frag')).toThrow(new TypeError('url must not have a fragment "ws://example.com/a#frag"'));
    });

    it('throws TypeError for an empty fragment', () => {
      expect(() => parseWebSocketUrl('ws://example.com/#')).toThrow(new TypeError('url must not have a fragment "ws://example.com/#"'));
    });

    it('throws TypeError for a fragment on a URL object', () => {
      expect(() => parseWebSocketUrl(new URL('wss://example.com/#x'))).toThrow(TypeError);
    });

    it('accepts an escaped "#" in the path', () => {
      expect(parseWebSocketUrl('ws://example.com/a%23b').resource).toBe('/a%23b');
    });
  });
});
