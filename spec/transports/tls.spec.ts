import type { ConnectionOptions } from 'node:tls';
import { tlsOptions, tlsStream } from '../../lib/transports/tls.js';
import { startRawServer, SWITCHING, type RawServer } from '../helpers/raw-server.js';
import { tlsFixtures } from '../helpers/tls-fixtures.js';
import { record, targetFor } from '../helpers/transport-target.js';

describe('tlsStream', () => {
  const pki = tlsFixtures();
  let server: RawServer;

  beforeEach(async () => {
    server = await startRawServer({ tls: { key: pki.key, cert: pki.cert }, answer: `${SWITCHING}\x81\x00`, end: true });
  });
  afterEach(async () => server.close());

  it('connects when the server certificate is trusted through tls.ca, then sends the request', async () => {
    const target = targetFor(`wss://127.0.0.1:${server.port}/secure`, { tls: { ca: pki.ca } });
    const recording = record(tlsStream(target));

    expect(await recording.done).toBeNull();
    expect(recording.types()).toEqual(['open', 'data']);
    expect(server.requests[0]).toMatch(/^GET \/secure HTTP\/1\.1\r\n/);
    expect(recording.text()).toBe(`${SWITCHING}\x81\x00`);
  });

  it('decrypts into the read buffer shared with the TCP sockets: its chunks are marked transient', async () => {
    const recording = record(tlsStream(targetFor(`wss://127.0.0.1:${server.port}/`, { tls: { ca: pki.ca } })));

    expect(await recording.done).toBeNull();
    const data = recording.events.flatMap((event) => (event.type === 'data' ? [event] : []));
    expect(data.length).toBeGreaterThan(0);
    expect(data.every((event) => event.transient === true)).toBe(true);
  });

  it('verifies certificates by default: an unknown CA fails with node\'s text', async () => {
    const recording = record(tlsStream(targetFor(`wss://127.0.0.1:${server.port}/`)));

    const error = await recording.done;
    expect(error).toBeInstanceOf(Error);
    // Node's wording depends on whether the server sends its CA in the chain; Node 24+
    // appends a hint ("; if the root CA is installed locally, try running Node.js with --use-system-ca").
    expect(error!.message).toMatch(/^(self-signed certificate in certificate chain|unable to verify the first certificate)(; .+)?$/);
    expect(recording.events).toEqual([]);
    expect(server.requests).toEqual([]);
  });

  it('fails with node\'s text when the certificate does not name the host', async () => {
    const target = targetFor(`wss://127.0.0.1:${server.port}/`, { tls: { ca: pki.ca, servername: 'example.com' } });
    const recording = record(tlsStream(target));

    const error = await recording.done;
    expect(error!.message).toMatch(/^Hostname\/IP does not match certificate's altnames: Host: example\.com/);
  });

  it('connects without verification only when the user sets rejectUnauthorized to false', async () => {
    const target = targetFor(`wss://127.0.0.1:${server.port}/`, { tls: { rejectUnauthorized: false } });
    const recording = record(tlsStream(target));

    expect(await recording.done).toBeNull();
    expect(recording.types()).toEqual(['open', 'data']);
  });

  it('sends no SNI for an IP literal host', async () => {
    const recording = record(tlsStream(targetFor(`wss://127.0.0.1:${server.port}/`, { tls: { ca: pki.ca } })));

    await recording.done;
    expect(server.servernames).toEqual([undefined]);
  });

  it('passes the user\'s servername through as SNI', async () => {
    const recording = record(tlsStream(targetFor(`wss://127.0.0.1:${server.port}/`, { tls: { ca: pki.ca, servername: 'localhost' } })));

    expect(await recording.done).toBeNull();
    expect(server.servernames).toEqual(['localhost']);
  });

  it('uses the host name as SNI by default', async () => {
    const recording = record(tlsStream(targetFor(`wss://localhost:${server.port}/`, { tls: { ca: pki.ca } })));

    const error = await recording.done;
    // localhost may resolve to ::1 first, where nothing listens; when it reached us, SNI was the name.
    if (error === null) expect(server.servernames).toEqual(['localhost']);
    else expect(error.message).toMatch(/ECONNREFUSED ::1/);
  });

  it('never mutates the user\'s tls options', async () => {
    const options: ConnectionOptions = Object.freeze({ ca: pki.ca, minVersion: 'TLSv1.2' as const });
    const recording = record(tlsStream(targetFor(`wss://127.0.0.1:${server.port}/`, { tls: options })));

    expect(await recording.done).toBeNull();
    expect(options).toEqual({ ca: pki.ca, minVersion: 'TLSv1.2' });
  });

  it('can be unsubscribed during the TLS handshake', async () => {
    const recording = record(tlsStream(targetFor(`wss://127.0.0.1:${server.port}/`, { tls: { ca: pki.ca } })));
    await new Promise((resolve) => setImmediate(resolve));

    recording.subscription.unsubscribe();
    // A second connection's full round trip: anything the first could still have done would have happened by then.
    const sentinel = record(tlsStream(targetFor(`wss://127.0.0.1:${server.port}/sentinel`, { tls: { ca: pki.ca } })));
    await sentinel.until((r) => r.types().includes('data'));
    sentinel.subscription.unsubscribe();

    // The handshake never completed: nothing was emitted and no request of it reached the server.
    expect(recording.events).toEqual([]);
    expect(server.requests).toHaveLength(1);
    expect(server.requests[0]).toMatch(/^GET \/sentinel /);
  });
});

describe('tlsOptions', () => {
  const base = targetFor('wss://example.com:8443/');

  it('copies the user options and adds host, port and servername', () => {
    const user = Object.freeze({ ca: 'CA', rejectUnauthorized: true });
    const options = tlsOptions({ ...base, tls: user });

    expect(options).toEqual({ ca: 'CA', rejectUnauthorized: true, host: 'example.com', port: 8443, servername: 'example.com' });
    expect(options).not.toBe(user);
  });

  it('does not set rejectUnauthorized, leaving node\'s verifying default', () => {
    expect(tlsOptions(base)).not.toHaveProperty('rejectUnauthorized');
  });

  it('keeps a servername the user chose, even an empty one', () => {
    expect(tlsOptions({ ...base, tls: { servername: '' } }).servername).toBe('');
  });

  it('sets no servername for IPv4 and IPv6 literals', () => {
    expect(tlsOptions(targetFor('wss://10.0.0.1/'))).not.toHaveProperty('servername');
    expect(tlsOptions(targetFor('wss://[::1]/'))).not.toHaveProperty('servername');
  });
});
