import { HandshakeError } from '../../lib/core/errors.js';
import { isRedirectStatus, redirectTarget, sameOrigin } from '../../lib/core/redirect.js';
import { parseWebSocketUrl } from '../../lib/core/url.js';

const from = (url: string) => parseWebSocketUrl(url);

describe('isRedirectStatus', () => {
  it('is true for 301, 302, 303, 307 and 308 only (RFC 9110 §15.4)', () => {
    const all = Array.from({ length: 600 }, (_, i) => i).filter(isRedirectStatus);
    expect(all).toEqual([301, 302, 303, 307, 308]);
  });
});

describe('redirectTarget', () => {
  describe('RFC 9110 §10.2.2: the Location is resolved relative to the target URI', () => {
    it('resolves an absolute path, a relative path and a query against the current URL', () => {
      expect(redirectTarget(from('wss://a.example/feed/v1?x=1'), '/v2').url.href).toBe('wss://a.example/v2');
      expect(redirectTarget(from('wss://a.example/feed/v1'), 'v2?y=2')).toMatchObject({ host: 'a.example', resource: '/feed/v2?y=2' });
      expect(redirectTarget(from('ws://a.example:8080/feed'), '?page=2')).toMatchObject({ port: 8080, resource: '/feed?page=2' });
    });

    it('follows an absolute URL to another host, mapping http: and https: to ws: and wss:', () => {
      expect(redirectTarget(from('ws://a.example/'), 'http://b.example:81/x')).toMatchObject({ secure: false, host: 'b.example', port: 81, resource: '/x' });
      expect(redirectTarget(from('ws://a.example/'), 'https://b.example/x')).toMatchObject({ secure: true, host: 'b.example', port: 443 });
      expect(redirectTarget(from('ws://a.example/'), '//b.example/x').url.href).toBe('ws://b.example/x');
    });

    it('drops a fragment (RFC 6455 §3: meaningless for WebSocket URIs)', () => {
      expect(redirectTarget(from('ws://a.example/'), '/x#top').url.href).toBe('ws://a.example/x');
      expect(redirectTarget(from('ws://a.example/'), 'ws://b.example/#').url.href).toBe('ws://b.example/');
    });

    it('takes credentials a Location carries', () => {
      expect(redirectTarget(from('ws://a.example/'), 'ws://u%40x:p@a.example/y').credentials).toBe('u@x:p');
    });
  });

  describe('refused hops', () => {
    it('refuses wss: to ws: (a downgrade), ws: to wss: is fine', () => {
      expect(() => redirectTarget(from('wss://a.example/'), 'ws://a.example/')).toThrow(new HandshakeError('redirect from wss: to ws: refused "ws://a.example/"'));
      expect(() => redirectTarget(from('wss://a.example/'), 'http://b.example/')).toThrow(new HandshakeError('redirect from wss: to ws: refused "http://b.example/"'));
      expect(redirectTarget(from('ws://a.example/'), 'wss://a.example/').secure).toBe(true);
    });

    it('refuses another scheme or an unparsable Location, redacting credentials and cutting a long one', () => {
      expect(() => redirectTarget(from('ws://a.example/'), 'ftp://u:p@b.example/')).toThrow(new HandshakeError('invalid redirect location "ftp://***:***@b.example/"'));
      expect(() => redirectTarget(from('ws://a.example/'), 'http://exa mple/')).toThrow(new HandshakeError('invalid redirect location "http://exa mple/"'));
      const long = `ftp://b.example/${'x'.repeat(10_000)}`;
      expect(() => redirectTarget(from('ws://a.example/'), long)).toThrow(new HandshakeError(`invalid redirect location "${long.slice(0, 200)}…"`));
    });

    it('refuses a Unix socket named by a server on the network', () => {
      expect(() => redirectTarget(from('ws://a.example/'), 'ws+unix:///run/docker.sock:/')).toThrow(
        new HandshakeError('redirect to a unix socket refused "ws+unix:///run/docker.sock:/"'),
      );
    });
  });

  describe('from a Unix socket', () => {
    it('stays on the same socket for a relative Location, with the new request target', () => {
      const next = redirectTarget(from('ws+unix:///run/app.sock:/feed/v1?x=1'), '/v2/feed?y=2');
      expect(next).toMatchObject({ socketPath: '/run/app.sock', host: 'localhost', resource: '/v2/feed?y=2' });
      expect(next.url.href).toBe('ws+unix:///run/app.sock:/v2/feed?y=2');
      expect(redirectTarget(from('ws+unix:///run/app.sock'), 'v2').resource).toBe('/v2');
    });

    it('leaves the socket for an absolute URL, and may go to another socket', () => {
      for (const location of ['ws://b.example/x', '//b.example/x']) {
        const next = redirectTarget(from('ws+unix:///run/app.sock:/a'), location);
        expect(next).toMatchObject({ host: 'b.example', resource: '/x' });
        expect(next.socketPath).toBeUndefined();
      }
      expect(redirectTarget(from('ws+unix:///run/a.sock:/a'), 'ws+unix:///run/b.sock:/b')).toMatchObject({ socketPath: '/run/b.sock', resource: '/b' });
    });

    it('refuses wss+unix: to ws+unix:', () => {
      expect(() => redirectTarget(from('wss+unix:///run/a.sock:/a'), 'ws+unix:///run/a.sock:/b')).toThrow(/^redirect from wss: to ws: refused/);
    });
  });
});

describe('sameOrigin', () => {
  it('compares scheme, host and port (RFC 6454 §4), and the socket path', () => {
    expect(sameOrigin(from('ws://a.example/x'), from('ws://a.example:80/y?z'))).toBe(true);
    expect(sameOrigin(from('ws://a.example/'), from('wss://a.example/'))).toBe(false);
    expect(sameOrigin(from('ws://a.example/'), from('ws://b.example/'))).toBe(false);
    expect(sameOrigin(from('ws://a.example/'), from('ws://a.example:81/'))).toBe(false);
    expect(sameOrigin(from('ws+unix:///run/a.sock:/x'), from('ws+unix:///run/a.sock:/y'))).toBe(true);
    expect(sameOrigin(from('ws+unix:///run/a.sock'), from('ws+unix:///run/b.sock'))).toBe(false);
    expect(sameOrigin(from('ws+unix:///run/a.sock'), from('ws://localhost/'))).toBe(false);
  });
});
