/**
 * Hostile-proof, inputs: every option and argument is checked at the call
 * that received it (TypeError/RangeError naming the value), before anything
 * is emitted, so that nothing invalid reaches a timer, a socket or a zlib
 * callback later.
 */
import { constants } from 'node:buffer';
import { connect$ } from '../../lib/connect.js';
import { WebSocket } from '../../lib/websocket.js';
import { persist } from '../../lib/operators/persist.js';
import { MAX_DURATION } from '../../lib/core/checks.js';
import { lastValueFrom, tap, toArray } from 'rxjs';
import { startWsServer, type LocalWsServer } from '../helpers/ws-server.js';

const URL = 'ws://127.0.0.1:9/';
const DURATIONS = ['poll', 'pingRate', 'closeTimeout', 'connectTimeout'] as const;

describe('durations', () => {
  it.each(DURATIONS)('refuses %s above 2^31 - 1 ms (Node would fire it after 1 ms)', (name) => {
    expect(() => connect$(URL, { [name]: MAX_DURATION + 1 })).toThrow(new RangeError(`${name} must be a finite number >= ${name === 'poll' || name === 'connectTimeout' ? 1 : 0} and <= 2147483647, got 2147483648`));
    expect(() => new WebSocket(URL).connect$({ [name]: 30 * 24 * 3600 * 1000 })).toThrow(RangeError);
    expect(() => connect$(URL, { [name]: MAX_DURATION })).not.toThrow();
  });

  it('refuses pingTimeout above 2^31 - 1 ms', () => {
    expect(() => connect$(URL, { pingTimeout: 3e9 })).toThrow(new RangeError('pingTimeout must be a finite number >= 1 and <= 2147483647, got 3000000000'));
  });

  it.each(['minWait', 'maxWait', 'minUptime'] as const)("refuses persist's %s above 2^31 - 1 ms", (name) => {
    expect(() => persist({ [name]: 30 * 24 * 3600 * 1000 })).toThrow(RangeError);
  });

  it('says NaN for NaN, and names the type otherwise', () => {
    expect(() => connect$(URL, { pingRate: NaN })).toThrow(new TypeError('pingRate must be a number, got NaN'));
    expect(() => connect$(URL, { poll: '5' as never })).toThrow(new TypeError('poll must be a number, got string'));
    expect(() => persist({ minWait: NaN })).toThrow(new TypeError('minWait must be a number, got NaN'));
  });

  it('refuses a pingTimeout without pings, or not longer than the ping interval', () => {
    expect(() => connect$(URL, { pingRate: 0, pingTimeout: 5000 })).toThrow(new RangeError('pingTimeout 5000 needs pings: pingRate is 0'));
    expect(() => connect$(URL, { pingRate: 30000, pingTimeout: 10000 })).toThrow(new RangeError('pingTimeout 10000 must be greater than pingRate 30000'));
    expect(() => connect$(URL, { pingTimeout: 30000 })).toThrow(new RangeError('pingTimeout 30000 must be greater than pingRate 30000'));
    expect(() => connect$(URL, { pingRate: 10000, pingTimeout: 25000 })).not.toThrow();
  });
});

describe('sizes', () => {
  it('refuses maxPayload and maxMessageSize larger than a Buffer can hold', () => {
    // The largest Buffer depends on the Node version: 2^32 bytes on Node 20, 2^53 - 1 on Node 22+.
    const tooBig = constants.MAX_LENGTH + 1;
    expect(() => connect$(URL, { maxPayload: tooBig })).toThrow(RangeError);
    expect(() => new WebSocket(URL, { maxMessageSize: tooBig })).toThrow(new RangeError(`maxMessageSize must be a finite number >= 1 and <= ${constants.MAX_LENGTH}, got ${tooBig}`));
  });
});

describe('the upgrade request', () => {
  it.each([
    [{ headers: { 'X-A': 'a\r\nb' } }, 'invalid header value for x-a: "a\\r\\nb"'],
    [{ headers: { 'X A': 'b' } }, 'invalid header name "X A"'],
    [{ headers: { upgrade: 'h2c' } }, 'header upgrade is set by the handshake'],
    [{ headers: { Host: 'a', host: 'b' } }, 'more than one host header'],
    [{ userAgent: 'x\ny' }, 'invalid header value for user-agent: "x\\ny"'],
    [{ protocols: ['a b'] }, 'invalid protocol "a b"'],
    [{ protocols: ['chat', 'chat'] }, 'duplicate protocol chat'],
  ])('refuses %j at connect$() and new WebSocket(), before anything is emitted', (options, message) => {
    expect(() => connect$(URL, options)).toThrow(new TypeError(message));
    expect(() => new WebSocket(URL, options)).toThrow(new TypeError(message));
  });

  it('addHeader validates at the call and refuses prototype keys', () => {
    const ws = new WebSocket(URL);
    expect(() => ws.addHeader('X-A', 'a\r\nInjected: 1')).toThrow(new TypeError('invalid header value for x-a: "a\\r\\nInjected: 1"'));
    expect(() => ws.addHeader('bad name', 'v')).toThrow(new TypeError('invalid header name "bad name"'));
    expect(() => ws.addHeader('Sec-WebSocket-Key', 'v')).toThrow(new TypeError('header sec-websocket-key is set by the handshake'));
    expect(() => ws.addHeader('__proto__', 'v')).toThrow(new TypeError('invalid header name "__proto__"'));
    expect(() => ws.addHeader('x', 1 as never)).toThrow(new TypeError('header x must be a string, got number'));
    expect(({} as Record<string, unknown>)['v']).toBeUndefined();
  });

  describe('against a real server', () => {
    let server: LocalWsServer;
    beforeAll(async () => (server = await startWsServer()));
    afterAll(() => server.close());

    it('addHeader replaces a header set earlier under another letter case, also one from the options', async () => {
      const ws = new WebSocket(server.url, { headers: { 'X-Token': 'from-options' } });
      ws.addHeader('x-token', 'first');
      ws.addHeader('X-TOKEN', 'second');
      const request = new Promise<Record<string, string | string[] | undefined>>((resolve) => server.wss.once('connection', (_s, req) => resolve(req.headers)));
      const events = lastValueFrom(ws.connect$({ pingRate: 0 }).pipe(tap((e) => e.name === 'ready' && ws.close()), toArray()));
      const headers = await request;
      expect(headers['x-token']).toBe('second');
      expect((await events).map((e) => e.name)).toEqual(['connecting', 'connected', 'ready', 'poll', 'closed', 'disconnected']);
    });

    it('close() with an invalid code throws at the call with compression on, even behind a compressed message', async () => {
      const deflateServer = await startWsServer({ perMessageDeflate: true });
      const ws = new WebSocket(deflateServer.url, { compress: true });
      const thrown: unknown[] = [];
      const events = await lastValueFrom(
        ws.connect$({ pingRate: 0 }).pipe(
          tap((event) => {
            if (event.name !== 'ready') return;
            ws.sendText('z'.repeat(100_000));
            for (const [code, reason] of [[999, ''], [1005, ''], [1000, 'x'.repeat(124)], ['1000', '']] as const) {
              try {
                ws.close(code as number, reason);
              } catch (error) {
                thrown.push(error);
              }
            }
            ws.close(1000, 'done');
          }),
          toArray(),
        ),
      );
      await deflateServer.close();
      expect(thrown.map((e) => `${(e as Error).name}: ${(e as Error).message}`)).toEqual([
        'RangeError: invalid close code 999',
        'RangeError: invalid close code 1005',
        'RangeError: close reason of 124 bytes exceeds 123',
        'TypeError: close code must be a number, got string',
      ]);
      expect(events.map((e) => e.name).slice(-3)).toEqual(['text', 'closed', 'disconnected']);
      expect(events.at(-1)).toMatchObject({ graceful: true });
    });
  });
});
