/**
 * connect$ through a real HTTP CONNECT proxy (the npm `proxy` package) on
 * 127.0.0.1: ws and wss, Basic credentials, refusal, and an explicit
 * https-proxy-agent.
 */
import { lastValueFrom, tap, toArray } from 'rxjs';
import { HttpsProxyAgent } from 'https-proxy-agent';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { WebSocketServer } from 'ws';
import { connect$ } from '../../lib/connect.js';
import { WebSocket } from '../../lib/websocket.js';
import type { WebSocketEvent } from '../../lib/events/events.js';
import { startProxy, type LocalProxy } from '../helpers/proxy-server.js';
import { tlsFixtures } from '../helpers/tls-fixtures.js';
import { startWsServer, type LocalWsServer } from '../helpers/ws-server.js';

const session = { pingRate: 0, poll: 60_000, closeTimeout: 1000, connectTimeout: 5000 };

/** Connects, sends 'hi' at ready, closes after the echo; returns the events. */
async function echoThrough(ws: WebSocket): Promise<WebSocketEvent[]> {
  return lastValueFrom(
    ws.connect$(session).pipe(
      tap((event) => {
        if (event.name === 'ready') ws.sendText('hi');
        if (event.name === 'text') ws.close();
      }),
      toArray(),
    ),
  );
}

describe('proxies', () => {
  let server: LocalWsServer;
  let proxy: LocalProxy;
  afterEach(async () => {
    await proxy?.close();
    await server?.close();
  });

  it('tunnels ws:// through the proxy from the proxies option', async () => {
    server = await startWsServer();
    proxy = await startProxy();
    const events = await echoThrough(new WebSocket(server.url, { proxies: { http: proxy.url() } }));
    expect(events.map((e) => e.name)).toEqual(['connecting', 'connected', 'ready', 'poll', 'text', 'closed', 'disconnected']);
    expect(events[1]).toMatchObject({ proxy: proxy.url() });
    expect(proxy.connects.map((c) => c.target)).toEqual([`127.0.0.1:${server.port}`]);
  });

  it('sends percent-decoded Basic credentials and never shows them in events', async () => {
    server = await startWsServer();
    proxy = await startProxy({ user: 'a@b', pass: 'p:w%' });
    const url = proxy.url(`${encodeURIComponent('a@b')}:${encodeURIComponent('p:w%')}`);
    const events = await echoThrough(new WebSocket(server.url, { proxies: { http: url } }));
    expect(events.at(-1)).toMatchObject({ name: 'disconnected', graceful: true });
    expect(proxy.connects[0]!.headers['proxy-authorization']).toBe(`Basic ${Buffer.from('a@b:p:w%').toString('base64')}`);
    expect(JSON.stringify(events.map((e) => ({ ...e, response: undefined })))).not.toContain('p:w');
    expect(events[1]).toMatchObject({ proxy: `http://***:***@127.0.0.1:${proxy.port}` });
  });

  it('reports a proxy refusal (407) as connect_fail with the status', async () => {
    server = await startWsServer();
    proxy = await startProxy({ user: 'u', pass: 'right' });
    const events = await lastValueFrom(connect$(server.url, { ...session, proxies: { http: proxy.url('u:wrong') } }).pipe(toArray()));
    expect(events.map((e) => e.name)).toEqual(['connecting', 'connect_fail']);
    expect((events[1] as { reason: string }).reason).toContain('407');
    expect((events[1] as { reason: string }).reason).not.toContain('wrong');
  });

  it('tunnels wss:// through the proxy with the test CA, verifying the certificate', async () => {
    const pki = tlsFixtures();
    const https = createHttpsServer({ cert: pki.cert, key: pki.key });
    const wss = new WebSocketServer({ server: https });
    wss.on('connection', (socket) => socket.on('message', (data, isBinary) => socket.send(data, { binary: isBinary })));
    await new Promise<void>((resolve) => https.listen(0, '127.0.0.1', resolve));
    const port = (https.address() as AddressInfo).port;
    proxy = await startProxy();
    try {
      const events = await echoThrough(new WebSocket(`wss://localhost:${port}/`, { proxies: { https: proxy.url() }, tls: { ca: pki.ca } }));
      expect(events.map((e) => e.name)).toContain('text');
      expect(events.at(-1)).toMatchObject({ name: 'disconnected', graceful: true });
      expect(proxy.connects.map((c) => c.target)).toEqual([`localhost:${port}`]);
    } finally {
      for (const client of wss.clients) client.terminate();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
      await new Promise<void>((resolve) => https.close(() => resolve()));
    }
  });

  it('uses an explicit https-proxy-agent, which wins over proxies', async () => {
    server = await startWsServer();
    proxy = await startProxy();
    const agent = new HttpsProxyAgent(proxy.url());
    const events = await echoThrough(new WebSocket(server.url, { agent, proxies: { http: 'http://127.0.0.1:1' } }));
    expect(events.map((e) => e.name)).toContain('text');
    expect(proxy.connects.map((c) => c.target)).toEqual([`127.0.0.1:${server.port}`]);
    agent.destroy();
  });
});
