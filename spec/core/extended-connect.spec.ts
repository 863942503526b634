/**
 * RFC 8441 §4–5: the extended CONNECT built from the upgrade request, and the checks of its response.
 */
import { buildExtendedConnect, checkExtendedConnectResponse } from '../../lib/core/extended-connect.js';
import { HandshakeError } from '../../lib/core/errors.js';
import { buildRequest } from '../../lib/core/handshake.js';
import { Response } from '../../lib/core/response.js';
import { parseWebSocketUrl } from '../../lib/core/url.js';

const KEY = 'dGhlIHNhbXBsZSBub25jZQ==';

describe('buildExtendedConnect (RFC 8441 §4–5)', () => {
  it('has :method CONNECT, :protocol websocket, :scheme, :path and :authority, then lower-case headers in order', () => {
    const request = buildRequest(parseWebSocketUrl('wss://example.com:8443/chat?room=1'), KEY, {
      protocols: ['chat', 'superchat'],
      extensions: 'permessage-deflate; client_max_window_bits',
      userAgent: 'lomond/test',
      headers: { Origin: 'http://www.example.com', 'X-Token': 'abc' },
    });
    const headers = buildExtendedConnect(request, true);
    expect(Object.keys(headers)).toEqual([
      ':method', ':protocol', ':scheme', ':path', ':authority',
      'sec-websocket-version', 'sec-websocket-protocol', 'sec-websocket-extensions', 'user-agent', 'origin', 'x-token',
    ]);
    expect({ ...headers }).toEqual({
      ':method': 'CONNECT',
      ':protocol': 'websocket',
      ':scheme': 'https',
      ':path': '/chat?room=1',
      ':authority': 'example.com:8443',
      'sec-websocket-version': '13',
      'sec-websocket-protocol': 'chat, superchat',
      'sec-websocket-extensions': 'permessage-deflate; client_max_window_bits',
      'user-agent': 'lomond/test',
      origin: 'http://www.example.com',
      'x-token': 'abc',
    });
  });

  it('uses :scheme http for ws: URLs and the custom Host header as :authority', () => {
    const request = buildRequest(parseWebSocketUrl('ws://10.0.0.1/'), KEY, { headers: { Host: 'virtual.example' } });
    expect(buildExtendedConnect(request, false)).toMatchObject({ ':scheme': 'http', ':authority': 'virtual.example', ':path': '/' });
  });

  it('leaves out Host, Connection, Upgrade, Sec-WebSocket-Key and HTTP/2 connection-specific fields', () => {
    const headers = buildExtendedConnect(
      {
        path: '/',
        headers: [['Host', 'h'], ['Upgrade', 'websocket'], ['Connection', 'Upgrade'], ['Sec-WebSocket-Key', KEY], ['Keep-Alive', '5'],
          ['Proxy-Connection', 'x'], ['Transfer-Encoding', 'chunked'], ['TE', 'gzip'], ['Sec-WebSocket-Version', '13']],
        bytes: new Uint8Array(0),
      },
      true,
    );
    expect(Object.keys(headers).filter((name) => !name.startsWith(':'))).toEqual(['sec-websocket-version']);
  });

  it('gives repeated header names as one array, in order', () => {
    const headers = buildExtendedConnect({ path: '/', headers: [['Host', 'h'], ['Cookie', 'a=1'], ['cookie', 'b=2'], ['COOKIE', 'c=3']], bytes: new Uint8Array(0) }, true);
    expect(headers['cookie']).toEqual(['a=1', 'b=2', 'c=3']);
  });
});

describe('checkExtendedConnectResponse (RFC 8441 §5)', () => {
  const offered = { protocols: ['chat'], extensionsOffered: true };
  const response = (status: number, headers: Array<[string, string]> = [], reason = ''): Response => new Response(status, reason, headers, '2');

  it('accepts :status 200 without Upgrade, Connection or Sec-WebSocket-Accept', () => {
    expect(checkExtendedConnectResponse(response(200, [['sec-websocket-protocol', 'chat'], ['sec-websocket-extensions', 'permessage-deflate']]), offered))
      .toEqual({ protocol: 'chat', extensions: 'permessage-deflate' });
    expect(checkExtendedConnectResponse(response(200), offered)).toEqual({ protocol: null, extensions: null });
  });

  it.each([[101, 'Switching Protocols'], [204, 'No Content'], [403, 'Forbidden'], [501, '']])('refuses status %i', (status, reason) => {
    const check = (): unknown => checkExtendedConnectResponse(response(status, [], reason), offered);
    expect(check).toThrow(HandshakeError);
    expect(check).toThrow(`expected status 200, got ${status} ${reason}`.trimEnd());
  });

  it('checks the subprotocol and extensions as RFC 6455 §4.1 does', () => {
    expect(() => checkExtendedConnectResponse(response(200, [['sec-websocket-protocol', 'other']]), offered)).toThrow('unexpected protocol other');
    expect(() => checkExtendedConnectResponse(response(200, [['sec-websocket-protocol', '']]), offered)).toThrow('empty sec-websocket-protocol header');
    expect(() => checkExtendedConnectResponse(response(200, [['sec-websocket-extensions', 'x']]), { protocols: [], extensionsOffered: false }))
      .toThrow('unexpected extensions x (none offered)');
  });
});
