/**
 * originKey: which WebSockets may share one HTTP/2 session.
 */
import { originKey } from '../../lib/transports/http2-origin-key.js';
import { targetFor } from '../helpers/transport-target.js';

describe('originKey', () => {
  const key = (url: string, tls?: object, proxy: string | null = null): string => originKey(targetFor(url, tls === undefined ? {} : { tls }), proxy);

  it('is the same for the same scheme, host, port, proxy and equal TLS options, whatever the path', () => {
    expect(key('wss://a.example/x', { ca: 'PEM', rejectUnauthorized: true })).toBe(key('wss://a.example:443/y?z', { rejectUnauthorized: true, ca: 'PEM' }));
    expect(key('wss://a.example/', { ca: Buffer.from('PEM') })).toBe(key('wss://a.example/', { ca: Buffer.from('PEM') }));
    expect(key('wss://a.example/', { ca: ['A', 'B'] })).toBe(key('wss://a.example/', { ca: ['A', 'B'] }));
  });

  it('differs by scheme, host, port, proxy, socket options and any TLS option', () => {
    const base = key('wss://a.example/');
    expect(new Set([
      base,
      key('ws://a.example/'),
      key('wss://b.example/'),
      key('wss://a.example:8443/'),
      key('wss://a.example/', undefined, 'http://proxy:3128'),
      key('wss://a.example/', { servername: 'other' }),
      key('wss://a.example/', { ca: Buffer.from('PEM2') }),
      key('wss://a.example/', { ca: ['B', 'A'] }),
      originKey(targetFor('wss://a.example/', { family: 6 }), null),
      originKey(targetFor('wss://a.example/', { localAddress: '127.0.0.2' }), null),
      originKey(targetFor('wss://a.example/', { socketPath: '/run/a.sock' }), null),
    ]).size).toBe(11);
  });

  it('compares functions and class instances by identity', () => {
    const check = (): undefined => undefined;
    expect(key('wss://a.example/', { checkServerIdentity: check })).toBe(key('wss://a.example/', { checkServerIdentity: check }));
    expect(key('wss://a.example/', { checkServerIdentity: check })).not.toBe(key('wss://a.example/', { checkServerIdentity: () => undefined }));
    class Context {}
    const context = new Context();
    expect(key('wss://a.example/', { secureContext: context })).toBe(key('wss://a.example/', { secureContext: context }));
    expect(key('wss://a.example/', { secureContext: context })).not.toBe(key('wss://a.example/', { secureContext: new Context() }));
  });

  it('puts no CA or key material into the key, only a digest', () => {
    const pem = `-----BEGIN PRIVATE KEY-----\n${'secret'.repeat(10)}\n-----END PRIVATE KEY-----`;
    expect(key('wss://a.example/', { key: Buffer.from(pem) })).not.toContain('secret');
    expect(key('wss://a.example/', { key: pem })).not.toContain('secret');
    expect(key('wss://a.example/', { key: pem })).toBe(key('wss://a.example/', { key: `${pem}` }));
  });
});
