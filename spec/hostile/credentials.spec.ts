/**
 * Hostile-proof, credentials: `user:pass@` in a WebSocket URL never shows up
 * unredacted in an event or an error (the connection itself uses the URL as
 * given); `isSecure` comes from the parsed URL, whatever its letter case.
 */
import { lastValueFrom, tap, toArray } from 'rxjs';
import { connect$ } from '../../lib/connect.js';
import { redactUrl } from '../../lib/core/url.js';
import { WebSocket } from '../../lib/websocket.js';
import { WebSocket as BrowserWebSocket } from '../../lib/browser/websocket.js';
import { startWsServer } from '../helpers/ws-server.js';

describe('URL credentials', () => {
  it('are redacted in connecting and connected, and in the events of a failed connection', async () => {
    const server = await startWsServer();
    const url = server.url.replace('ws://', 'ws://alice:s%40cret@');
    const ws = new WebSocket(url);
    const events = await lastValueFrom(ws.connect$({ pingRate: 0 }).pipe(tap((e) => e.name === 'ready' && ws.close()), toArray()));
    await server.close();
    const shown = url.replace('alice:s%40cret', '***:***');
    expect(events[0]).toMatchObject({ name: 'connecting', url: shown });
    expect(events[1]).toMatchObject({ name: 'connected', url: shown });
    expect(JSON.stringify(events)).not.toContain('cret');
    expect(ws.url).toBe(url);

    const failed = await lastValueFrom(connect$(url, { connectTimeout: 2000 }).pipe(toArray()));
    expect(failed.map((e) => e.name)).toEqual(['connecting', 'connect_fail']);
    expect(JSON.stringify(failed)).not.toContain('cret');
  });

  it('are redacted in the errors of URLs that do not parse or are refused', () => {
    for (const url of ['ws://bob:hunter2@exa mple.com/', 'ws://bob:hunter2@example.com/#frag']) {
      expect(() => connect$(url)).toThrow(TypeError);
      try {
        connect$(url);
      } catch (error) {
        expect((error as Error).message).toContain('***:***@');
        expect((error as Error).message).not.toContain('hunter2');
      }
    }
  });

  it.each([
    ['wss://u:p@host/a', 'wss://***:***@host/a'],
    ['ws://u@host:81/', 'ws://***:***@host:81/'],
    ['ws://host/path@x', 'ws://host/path@x'],
    ['ws://a:b@c@host/?q=@', 'ws://***:***@host/?q=@'],
    ['not a url', 'not a url'],
  ])('redactUrl(%s) is %s', (input, shown) => {
    expect(redactUrl(input)).toBe(shown);
  });
});

describe('isSecure', () => {
  it.each([
    ['WSS://example.com/', true],
    ['https://example.com/', true],
    ['HTTPS://example.com/', true],
    ['ws://example.com/', false],
    ['HTTP://example.com/', false],
  ])('is derived from the parsed URL: %s → %s', (url, secure) => {
    expect(new WebSocket(url).isSecure).toBe(secure);
    expect(new BrowserWebSocket(url).isSecure).toBe(secure);
  });
});
