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
