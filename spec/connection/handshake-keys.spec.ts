import { Buffer } from 'node:buffer';
import { acceptFor, createKey } from '../../lib/connection/handshake-keys.js';
import { buildRequest, checkResponse } from '../../lib/core/handshake.js';
import { Response } from '../../lib/core/response.js';
import { parseWebSocketUrl } from '../../lib/core/url.js';

describe('createKey', () => {
  // RFC 6455 §4.1: "a randomly selected 16-byte value that has been base64-encoded".
  it('returns 16 bytes in base64', () => {
    const key = createKey();
    expect(key).toMatch(/^[A-Za-z0-9+/]{22}==$/);
    expect(Buffer.from(key, 'base64')).toHaveLength(16);
  });

  it('returns a fresh key each time', () => {
    const keys = new Set(Array.from({ length: 100 }, createKey));
    expect(keys.size).toBe(100);
  });

  it('returns keys that buildRequest accepts', () => {
    for (let i = 0; i < 100; i++) expect(() => buildRequest(parseWebSocketUrl('ws://h/'), createKey())).not.toThrow();
  });
});

describe('acceptFor', () => {
  it('matches the example of RFC 6455 §1.3', () => {
    expect(acceptFor('dGhlIHNhbXBsZSBub25jZQ==')).toBe('s3pPLMBiTxaQ9kYGzzhZRbK+xOo=');
  });

  it('hashes the key as sent, not base64-decoded', () => {
    expect(acceptFor('x3JJHMbDL1EzLkh9GBhXDw==')).toBe('HSmrc0sMlYUkAGmm5OPpG2HaGWk=');
  });

  it('produces the value checkResponse expects', () => {
    const key = createKey();
    const response = new Response(101, 'Switching Protocols', [
      ['Upgrade', 'websocket'],
      ['Connection', 'Upgrade'],
      ['Sec-WebSocket-Accept', acceptFor(key)],
    ]);
    expect(checkResponse(response, { accept: acceptFor(key), protocols: [], extensionsOffered: false })).toEqual({ protocol: null, extensions: null });
  });
});
