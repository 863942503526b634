import { HandshakeError } from '../../lib/core/errors.js';
import { buildRequest, checkResponse, WEBSOCKET_GUID, type RequestOptions } from '../../lib/core/handshake.js';
import { Response } from '../../lib/core/response.js';
import { parseWebSocketUrl } from '../../lib/core/url.js';

const KEY = 'dGhlIHNhbXBsZSBub25jZQ==';
const ACCEPT = 's3pPLMBiTxaQ9kYGzzhZRbK+xOo=';

/** The request head as text. */
function request(url: string, options?: RequestOptions): string {
  return new TextDecoder().decode(buildRequest(parseWebSocketUrl(url), KEY, options).bytes);
}

/** The mandatory lines after Host. */
const BASE = `Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: ${KEY}\r\nSec-WebSocket-Version: 13\r\n`;

describe('WEBSOCKET_GUID', () => {
  it('is the GUID of RFC 6455 §1.3', () => {
    expect(WEBSOCKET_GUID).toBe('258EAFA5-E914-47DA-95CA-C5AB0DC85B11');
  });
});

describe('buildRequest', () => {
  describe('RFC 6455 §4.1 request line and Host', () => {
    it('omits the default port 80 of ws:', () => {
      expect(request('ws://example.com/chat')).toBe(`GET /chat HTTP/1.1\r\nHost: example.com\r\n${BASE}\r\n`);
    });

    it('omits the default port 443 of wss:', () => {
      expect(request('wss://example.com')).toBe(`GET / HTTP/1.1\r\nHost: example.com\r\n${BASE}\r\n`);
    });

    it('keeps a non-default port', () => {
      expect(request('ws://example.com:8080/')).toBe(`GET / HTTP/1.1\r\nHost: example.com:8080\r\n${BASE}\r\n`);
      expect(request('wss://example.com:80/')).toBe(`GET / HTTP/1.1\r\nHost: example.com:80\r\n${BASE}\r\n`);
    });

    it('brackets an IPv6 literal in Host', () => {
      expect(request('ws://[::1]:9000/x')).toBe(`GET /x HTTP/1.1\r\nHost: [::1]:9000\r\n${BASE}\r\n`);
      expect(request('ws://[::1]/')).toBe(`GET / HTTP/1.1\r\nHost: [::1]\r\n${BASE}\r\n`);
    });

    it('keeps the query in the request target', () => {
      expect(request('ws://127.0.0.1:1234/feed?a=1&b=%2F')).toBe(`GET /feed?a=1&b=%2F HTTP/1.1\r\nHost: 127.0.0.1:1234\r\n${BASE}\r\n`);
    });

    it('returns the path and the header lines beside the bytes', () => {
      const built = buildRequest(parseWebSocketUrl('ws://example.com/a?b'), KEY);
      expect(built.path).toBe('/a?b');
      expect(built.headers).toEqual([
        ['Host', 'example.com'],
        ['Upgrade', 'websocket'],
        ['Connection', 'Upgrade'],
        ['Sec-WebSocket-Key', KEY],
        ['Sec-WebSocket-Version', '13'],
      ]);
    });

    it('rejects a URL with a fragment before any request is built', () => {
      expect(() => request('ws://example.com/#x')).toThrow(new TypeError('url must not have a fragment "ws://example.com/#x"'));
    });
  });

  describe('optional headers', () => {
    it('adds protocols, extensions, user agent and custom headers in that order', () => {
      const text = request('ws://example.com/', {
        protocols: ['chat', 'superchat'],
        extensions: 'permessage-deflate; client_max_window_bits',
        userAgent: 'lomond/0.1.0',
        headers: { Origin: 'http://example.com', Authorization: 'Bearer x' },
      });
      expect(text).toBe(
        `GET / HTTP/1.1\r\nHost: example.com\r\n${BASE}` +
          'Sec-WebSocket-Protocol: chat, superchat\r\n' +
          'Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits\r\n' +
          'User-Agent: lomond/0.1.0\r\n' +
          'Origin: http://example.com\r\nAuthorization: Bearer x\r\n\r\n',
      );
    });

    it('accepts custom headers as pairs, repeated names included', () => {
      const text = request('ws://example.com/', { headers: [['Cookie', 'a=1'], ['X-Tag', 'one'], ['X-Tag', 'two']] });
      expect(text).toBe(`GET / HTTP/1.1\r\nHost: example.com\r\n${BASE}Cookie: a=1\r\nX-Tag: one\r\nX-Tag: two\r\n\r\n`);
    });

    it('sends no protocol header for an empty list', () => {
      expect(request('ws://example.com/', { protocols: [] })).toBe(`GET / HTTP/1.1\r\nHost: example.com\r\n${BASE}\r\n`);
    });

    it('lets a custom User-Agent header win over the userAgent option', () => {
      const text = request('ws://example.com/', { userAgent: 'lomond/0.1.0', headers: { 'user-agent': 'mine/1' } });
      expect(text).toBe(`GET / HTTP/1.1\r\nHost: example.com\r\n${BASE}user-agent: mine/1\r\n\r\n`);
    });

    it('lets a custom Host replace the computed one, in first place', () => {
      const text = request('ws://127.0.0.1:9000/', { headers: { Origin: 'o', host: 'virtual.example' } });
      expect(text).toBe(`GET / HTTP/1.1\r\nhost: virtual.example\r\n${BASE}Origin: o\r\n\r\n`);
    });

    it('allows horizontal tabs and non-ASCII text in header values', () => {
      expect(request('ws://example.com/', { headers: { 'X-A': 'a\tb', 'X-B': 'é' } })).toContain('X-A: a\tb\r\nX-B: é\r\n');
    });
  });

  describe('Origin, URL credentials and several values for one name', () => {
    it('sends the origin option as Origin (RFC 6455 §4.1 item 8), after the User-Agent', () => {
      expect(request('ws://example.com/', { userAgent: 'ua/1', origin: 'https://app.example.org' })).toBe(
        `GET / HTTP/1.1\r\nHost: example.com\r\n${BASE}User-Agent: ua/1\r\nOrigin: https://app.example.org\r\n\r\n`,
      );
    });

    it('lets a custom Origin header win over the origin option', () => {
      expect(request('ws://example.com/', { origin: 'https://a.example', headers: { origin: 'https://b.example' } })).toBe(
        `GET / HTTP/1.1\r\nHost: example.com\r\n${BASE}origin: https://b.example\r\n\r\n`,
      );
    });

    it('sends user:pass@ of the URL as Basic auth, percent-decoded and UTF-8 (RFC 7617 §2)', () => {
      // base64("Aladdin:open sesame") is RFC 7617's own example.
      expect(request('ws://Aladdin:open%20sesame@example.com/')).toBe(
        `GET / HTTP/1.1\r\nHost: example.com\r\n${BASE}Authorization: Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==\r\n\r\n`,
      );
      expect(request('ws://j%C3%BCrgen:%E2%82%AC@example.com/')).toContain(`Authorization: Basic ${Buffer.from('jürgen:€').toString('base64')}\r\n`);
    });

    it('lets a custom Authorization header win over the URL credentials (as curl and ws)', () => {
      const head = request('ws://user:pass@example.com/', { headers: { Authorization: 'Bearer t0ken' } });
      expect(head).toContain('Authorization: Bearer t0ken\r\n');
      expect(head).not.toContain('Basic');
    });

    it('sends one line per value of an array, and joins Cookie values with "; " into one line (RFC 6265 §5.4)', () => {
      expect(request('ws://example.com/', { headers: { 'X-Tag': ['a', 'b'], Cookie: ['s=1', 't=2'], 'X-None': [] } })).toBe(
        `GET / HTTP/1.1\r\nHost: example.com\r\n${BASE}X-Tag: a\r\nX-Tag: b\r\nCookie: s=1; t=2\r\n\r\n`,
      );
    });

    it('checks every value of an array, and the name of an empty one', () => {
      expect(() => request('ws://example.com/', { headers: { 'X-Tag': ['ok', 'bad\r\nInjected: 1'] } })).toThrow(
        new TypeError('invalid header value for x-tag: "bad\\r\\nInjected: 1"'),
      );
      expect(() => request('ws://example.com/', { headers: { 'X-Tag': ['ok', 7 as never] } })).toThrow(new TypeError('header x-tag must be a string, got number'));
      expect(() => request('ws://example.com/', { headers: { Upgrade: [] } })).toThrow(new TypeError('header upgrade is set by the handshake'));
      expect(() => request('ws://example.com/', { headers: { Host: ['a', 'b'] } })).toThrow(new TypeError('more than one host header'));
    });

    it('throws TypeError for CR or LF in the origin', () => {
      expect(() => request('ws://example.com/', { origin: 'https://a\r\nX: y' })).toThrow(new TypeError('invalid header value for origin: "https://a\\r\\nX: y"'));
    });
  });

  describe('invalid arguments', () => {
    const target = parseWebSocketUrl('ws://example.com/');
    const build = (options: RequestOptions, key = KEY) => () => buildRequest(target, key, options);

    it.each([['x-foo', 'a\r\nInjected: yes'], ['x-foo', 'a\nb'], ['x-foo', 'a\rb'], ['x-foo', 'a\0b'], ['X-Foo', 'a\x7fb'], ['x-foo', 'a\x1bb']])(
      'throws TypeError for a control character in the value of %s',
      (name, value) => {
        expect(build({ headers: { [name]: value } })).toThrow(new TypeError(`invalid header value for x-foo: ${JSON.stringify(value)}`));
      },
    );

    it('throws TypeError for a header value that is not a string', () => {
      expect(build({ headers: { 'x-foo': 1 as never } })).toThrow(new TypeError('header x-foo must be a string, got number'));
    });

    it('throws TypeError for CR or LF in the user agent or the extensions offer', () => {
      expect(build({ userAgent: 'a\r\nb' })).toThrow(new TypeError('invalid header value for user-agent: "a\\r\\nb"'));
      expect(build({ extensions: 'x\n' })).toThrow(new TypeError('invalid header value for sec-websocket-extensions: "x\\n"'));
    });

    it('throws TypeError for a header name that is not a token', () => {
      expect(build({ headers: { 'x foo': 'a' } })).toThrow(new TypeError('invalid header name "x foo"'));
      expect(build({ headers: { '': 'a' } })).toThrow(new TypeError('invalid header name ""'));
      expect(build({ headers: [['x:y', 'a']] })).toThrow(new TypeError('invalid header name "x:y"'));
    });

    it.each(['Upgrade', 'connection', 'Sec-WebSocket-Key', 'sec-websocket-version', 'Sec-WebSocket-Extensions', 'Sec-WebSocket-Protocol', 'Sec-WebSocket-Accept', 'Content-Length', 'Transfer-Encoding'])(
      'throws TypeError when a custom header overrides %s',
      (name) => {
        expect(build({ headers: { [name]: 'x' } })).toThrow(new TypeError(`header ${name.toLowerCase()} is set by the handshake`));
      },
    );

    it('throws TypeError for two custom Host headers', () => {
      expect(build({ headers: [['Host', 'a'], ['host', 'b']] })).toThrow(new TypeError('more than one host header'));
    });

    // RFC 6455 §4.1 item 10: protocols "MUST be non-empty strings ... not including separator characters ... and MUST all be unique".
    it('throws TypeError for a protocol that is not a token', () => {
      expect(build({ protocols: ['chat', 'a b'] })).toThrow(new TypeError('invalid protocol "a b"'));
      expect(build({ protocols: ['a,b'] })).toThrow(new TypeError('invalid protocol "a,b"'));
      expect(build({ protocols: [''] })).toThrow(new TypeError('invalid protocol ""'));
      expect(build({ protocols: [1 as never] })).toThrow(new TypeError('invalid protocol 1'));
    });

    it('throws TypeError for a duplicate protocol', () => {
      expect(build({ protocols: ['chat', 'chat'] })).toThrow(new TypeError('duplicate protocol chat'));
    });

    it('throws TypeError when protocols is not an array', () => {
      expect(build({ protocols: 'chat' as never })).toThrow(new TypeError('protocols must be an array'));
    });

    // RFC 6455 §4.1 item 7: "a randomly selected 16-byte value that has been base64-encoded".
    it('throws TypeError for a key that is not 16 bytes in base64', () => {
      expect(build({}, 'short')).toThrow(new TypeError('invalid key "short"'));
      expect(build({}, 'dGhlIHNhbXBsZSBub25jZR==')).toThrow(TypeError);
      expect(build({}, 'dGhlIHNhbXBsZSBub25jZQ')).toThrow(TypeError);
    });
  });
});

describe('checkResponse', () => {
  const good: Array<[string, string]> = [
    ['Upgrade', 'websocket'],
    ['Connection', 'Upgrade'],
    ['Sec-WebSocket-Accept', ACCEPT],
  ];
  const expected = { accept: ACCEPT, protocols: ['chat', 'superchat'], extensionsOffered: true };
  /** The good response with `name` replaced by `value` (or removed when value is null), plus `extra` headers. */
  const respond = (changes: Record<string, string | null> = {}, extra: Array<[string, string]> = [], status = 101, reason = 'Switching Protocols') => {
    const headers = good
      .filter(([name]) => changes[name] !== null)
      .map(([name, value]): [string, string] => [name, changes[name] ?? value]);
    return new Response(status, reason, [...headers, ...extra]);
  };
  const failure = (response: Response, options = expected) => () => checkResponse(response, options);

  it('accepts a valid response with neither protocol nor extensions', () => {
    expect(checkResponse(respond(), expected)).toEqual({ protocol: null, extensions: null });
  });

  it('matches Upgrade, Connection and header names case-insensitively', () => {
    const response = new Response(101, 'Switching Protocols', [
      ['upgrade', 'WebSocket'],
      ['CONNECTION', 'keep-alive, UPGRADE'],
      ['sec-websocket-accept', ACCEPT],
    ]);
    expect(checkResponse(response, expected)).toEqual({ protocol: null, extensions: null });
  });

  it('returns the selected protocol and the raw extensions header', () => {
    const response = respond({}, [['Sec-WebSocket-Protocol', 'superchat'], ['Sec-WebSocket-Extensions', 'permessage-deflate; server_no_context_takeover']]);
    expect(checkResponse(response, expected)).toEqual({ protocol: 'superchat', extensions: 'permessage-deflate; server_no_context_takeover' });
  });

  it('accepts HTTP/1.1 and HTTP/2 answers', () => {
    const headers = respond().rawHeaders;
    expect(checkResponse(new Response(101, 'Switching Protocols', headers, '1.1'), expected)).toEqual({ protocol: null, extensions: null });
    expect(checkResponse(new Response(101, 'Switching Protocols', headers, '2'), expected)).toEqual({ protocol: null, extensions: null });
  });

  describe('RFC 6455 §4.1 response checks, in order', () => {
    it('1. fails on a status other than 101 with the status and reason', () => {
      expect(failure(respond({}, [], 403, 'Forbidden'))).toThrow(new HandshakeError('expected status 101, got 403 Forbidden'));
      expect(failure(respond({}, [], 200, ''))).toThrow(new HandshakeError('expected status 101, got 200'));
    });

    it('1. fails on a 101 on HTTP/1.0 (RFC 6455 §4.1: "the HTTP version MUST be at least 1.1")', () => {
      const response = new Response(101, 'Switching Protocols', respond().rawHeaders, '1.0');
      expect(failure(response)).toThrow(new HandshakeError('expected http version 1.1 for status 101, got 1.0'));
    });

    it('1. reports a refusal on HTTP/1.0 as a refusal', () => {
      expect(failure(new Response(403, 'Forbidden', [], '1.0'))).toThrow(new HandshakeError('expected status 101, got 403 Forbidden'));
    });

    it('2. fails when Upgrade is missing', () => {
      expect(failure(respond({ Upgrade: null }))).toThrow(new HandshakeError('missing upgrade header'));
    });

    it('2. fails when Upgrade is not websocket', () => {
      expect(failure(respond({ Upgrade: 'h2c' }))).toThrow(new HandshakeError('invalid upgrade header h2c'));
      expect(failure(respond({ Upgrade: 'websocket, h2c' }))).toThrow(new HandshakeError('invalid upgrade header websocket, h2c'));
    });

    it('3. fails when Connection is missing', () => {
      expect(failure(respond({ Connection: null }))).toThrow(new HandshakeError('missing connection header'));
    });

    it('3. fails when Connection lacks the upgrade token', () => {
      expect(failure(respond({ Connection: 'keep-alive' }))).toThrow(new HandshakeError('invalid connection header keep-alive'));
      expect(failure(respond({ Connection: 'upgraded' }))).toThrow(new HandshakeError('invalid connection header upgraded'));
    });

    it('4. fails when Sec-WebSocket-Accept is missing', () => {
      expect(failure(respond({ 'Sec-WebSocket-Accept': null }))).toThrow(new HandshakeError('missing sec-websocket-accept header'));
    });

    it('4. fails when Sec-WebSocket-Accept differs, even by case', () => {
      expect(failure(respond({ 'Sec-WebSocket-Accept': 'nope' }))).toThrow(new HandshakeError('invalid sec-websocket-accept nope'));
      const lower = ACCEPT.toLowerCase();
      expect(failure(respond({ 'Sec-WebSocket-Accept': lower }))).toThrow(new HandshakeError(`invalid sec-websocket-accept ${lower}`));
    });

    it('4. fails when Sec-WebSocket-Accept is sent twice', () => {
      const twice = respond({}, [['Sec-WebSocket-Accept', ACCEPT]]);
      expect(failure(twice)).toThrow(new HandshakeError(`invalid sec-websocket-accept ${ACCEPT}, ${ACCEPT}`));
    });

    it('5. fails on extensions when none were offered', () => {
      const response = respond({}, [['Sec-WebSocket-Extensions', 'permessage-deflate']]);
      expect(failure(response, { ...expected, extensionsOffered: false })).toThrow(new HandshakeError('unexpected extensions permessage-deflate (none offered)'));
    });

    it.each(['', ' , ,'])('5. fails on a Sec-WebSocket-Extensions header without an element (%j), offered or not', (value) => {
      const response = respond({}, [['Sec-WebSocket-Extensions', value]]);
      expect(failure(response)).toThrow(new HandshakeError('empty sec-websocket-extensions header'));
      expect(failure(response, { ...expected, extensionsOffered: false })).toThrow(new HandshakeError('empty sec-websocket-extensions header'));
    });

    it.each(['', ', '])('6. fails on a Sec-WebSocket-Protocol header without a value (%j), offered or not', (value) => {
      const response = respond({}, [['Sec-WebSocket-Protocol', value]]);
      expect(failure(response)).toThrow(new HandshakeError('empty sec-websocket-protocol header'));
      expect(failure(response, { ...expected, protocols: [] })).toThrow(new HandshakeError('empty sec-websocket-protocol header'));
    });

    it('6. fails on a protocol that was not offered', () => {
      const response = respond({}, [['Sec-WebSocket-Protocol', 'other']]);
      expect(failure(response)).toThrow(new HandshakeError('unexpected protocol other'));
    });

    it('6. compares protocols case-sensitively', () => {
      const response = respond({}, [['Sec-WebSocket-Protocol', 'Chat']]);
      expect(failure(response)).toThrow(new HandshakeError('unexpected protocol Chat'));
    });

    it('6. fails on any protocol when none was offered', () => {
      const response = respond({}, [['Sec-WebSocket-Protocol', 'chat']]);
      expect(failure(response, { ...expected, protocols: [] })).toThrow(new HandshakeError('unexpected protocol chat (none offered)'));
    });

    it('6. fails on more than one protocol, in one header or two', () => {
      expect(failure(respond({}, [['Sec-WebSocket-Protocol', 'chat, superchat']]))).toThrow(new HandshakeError('more than one protocol chat, superchat'));
      const two = respond({}, [['Sec-WebSocket-Protocol', 'chat'], ['Sec-WebSocket-Protocol', 'chat']]);
      expect(failure(two)).toThrow(new HandshakeError('more than one protocol chat, chat'));
    });

    it('checks the status before anything else', () => {
      expect(failure(new Response(404, 'Not Found'))).toThrow(new HandshakeError('expected status 101, got 404 Not Found'));
    });
  });
});
