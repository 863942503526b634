/**
 * Browser option validation: the options a browser cannot honour are refused
 * by name; the rest follow the shared rules and defaults.
 */
import { asyncScheduler } from 'rxjs';
import { resolveBrowserConnectOptions, resolveBrowserSessionOptions, validateBrowserWebSocketOptions } from '../../lib/session/browser-options.js';

describe('validateBrowserWebSocketOptions', () => {
  it.each([
    ['headers', { 'X-Token': 't' }],
    ['userAgent', 'bot/1'],
    ['proxies', {}],
    ['agent', {}],
    ['tls', { rejectUnauthorized: false }],
    ['transport', { open: () => null }],
  ])('rejects %s with a TypeError that names it', (option, value) => {
    expect(() => validateBrowserWebSocketOptions({ [option]: value } as never)).toThrow(
      new TypeError(`option ${option} is not available in browsers: the browser controls it`),
    );
  });

  it('accepts protocols, compress and the size limits, and returns a copy', () => {
    const options = { protocols: ['chat'], compress: true, maxPayload: 10, maxMessageSize: 20 };
    const validated = validateBrowserWebSocketOptions(options);
    expect(validated).toEqual(options);
    expect(validated).not.toBe(options);
  });

  it('applies the shared type and range checks', () => {
    expect(() => validateBrowserWebSocketOptions({ protocols: 'chat' } as never)).toThrow(new TypeError('protocols must be an array of strings'));
    expect(() => validateBrowserWebSocketOptions({ maxMessageSize: 0 })).toThrow(RangeError);
    expect(() => validateBrowserWebSocketOptions(null as never)).toThrow(new TypeError('options must be an object, got null'));
  });
});

describe('resolveBrowserSessionOptions', () => {
  it('applies the SPEC defaults without ping settings', () => {
    expect(resolveBrowserSessionOptions(undefined)).toEqual({ poll: 5000, closeTimeout: 30000, connectTimeout: 30000, scheduler: asyncScheduler });
  });

  it('accepts pingRate 0 and autoPong true, which is what browsers do anyway', () => {
    expect(resolveBrowserSessionOptions({ pingRate: 0, autoPong: true, poll: 100 })).toMatchObject({ poll: 100 });
  });

  it('rejects a non-zero pingRate, any pingTimeout and autoPong false, naming the option and the value', () => {
    expect(() => resolveBrowserSessionOptions({ pingRate: 30000 } as never)).toThrow(
      new TypeError('option pingRate is not available in browsers: protocol pings cannot be sent, got 30000'),
    );
    expect(() => resolveBrowserSessionOptions({ pingTimeout: 5000 } as never)).toThrow(
      new TypeError('option pingTimeout is not available in browsers: protocol pings cannot be sent, got 5000'),
    );
    expect(() => resolveBrowserSessionOptions({ autoPong: false } as never)).toThrow(
      new TypeError('option autoPong is not available in browsers: the browser always answers pings, got false'),
    );
  });

  it('applies the shared checks to poll, closeTimeout and connectTimeout', () => {
    expect(() => resolveBrowserSessionOptions({ poll: 0 })).toThrow(RangeError);
    expect(() => resolveBrowserSessionOptions({ closeTimeout: -1 })).toThrow(RangeError);
    expect(() => resolveBrowserSessionOptions({ connectTimeout: 'soon' } as never)).toThrow(TypeError);
    expect(() => resolveBrowserSessionOptions(7 as never)).toThrow(new TypeError('options must be an object, got number'));
  });
});

describe('resolveBrowserConnectOptions', () => {
  it('splits and validates both halves', () => {
    const [ws, session] = resolveBrowserConnectOptions({ protocols: ['a'], poll: 10, closeTimeout: 0 });
    expect(ws).toEqual({ protocols: ['a'] });
    expect(session).toMatchObject({ poll: 10, closeTimeout: 0, connectTimeout: 30000 });
  });

  it('rejects browser-unavailable options from either half', () => {
    expect(() => resolveBrowserConnectOptions({ tls: {} } as never)).toThrow(/option tls is not available in browsers/);
    expect(() => resolveBrowserConnectOptions({ pingTimeout: 1 } as never)).toThrow(/option pingTimeout is not available in browsers/);
  });
});
