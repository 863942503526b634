import { eventJson, eventLine, encodeBinary, isChatter, isCleanCode, messageLine, sentLine, visible } from '../../lib/cli/render.js';
import { styleFor } from '../../lib/cli/style.js';
import { Response } from '../../lib/core/response.js';
import { events } from '../../lib/events/events.js';

const plain = styleFor(false, {});
const colour = styleFor(true, {});
const bytes = new Uint8Array([0x00, 0xff, 0x41, 0x0a]);

describe('CLI rendering', () => {
  it('shows received messages as "< text" and binary in the chosen format', () => {
    expect(messageLine(events.text('hi', 0), 'hex', plain, false)).toBe('< hi');
    expect(messageLine(events.binary(bytes, 0), 'hex', plain, false)).toBe('< 00ff410a');
    expect(messageLine(events.binary(bytes, 0), 'base64', plain, false)).toBe('< AP9BCg==');
    expect(messageLine(events.binary(new TextEncoder().encode('héllo'), 0), 'utf8', plain, false)).toBe('< héllo');
    expect(encodeBinary(bytes.subarray(1, 3), 'hex')).toBe('ff41');
  });

  it('colours the markers on a terminal and escapes control characters there only', () => {
    const hostile = 'a\x1b[2Jb\rc\td\ne\x9b';
    expect(messageLine(events.text(hostile, 0), 'hex', colour, true)).toBe('\x1b[1;36m<\x1b[22;39m a\\x1b[2Jb\\x0dc\td\ne\\x9b');
    expect(messageLine(events.text(hostile, 0), 'hex', plain, false)).toBe(`< ${hostile}`);
    expect(sentLine('hi\x07', colour)).toBe('\x1b[1;32m>\x1b[22;39m hi\\x07');
    expect(visible('plain text, unicode ✓')).toBe('plain text, unicode ✓');
  });

  it('escapes in linear time', () => {
    const started = performance.now();
    expect(visible('\x1b'.repeat(1 << 20)).length).toBe(4 << 20);
    expect(performance.now() - started).toBeLessThan(5000);
  });

  it('prints events as formatEvent reprs, dim, failures in red, waits in yellow', () => {
    expect(eventLine(events.connecting('ws://x/', 0), plain)).toBe("Connecting(url='ws://x/')");
    expect(eventLine(events.closed(1000, 'bye', 0), colour)).toBe("\x1b[2mClosed(code=1000, reason='bye')\x1b[22m");
    expect(eventLine(events.closing(4001, 'auth', 0), colour)).toBe("\x1b[31mClosing(code=4001, reason='auth')\x1b[39m");
    expect(eventLine(events.disconnected('reset', false, 0), colour)).toMatch(/^\x1b\[31m/);
    expect(eventLine(events.unresponsive(0), colour)).toMatch(/^\x1b\[31m/);
    expect(eventLine(events.backOff(1500, 2, 0), colour)).toBe('\x1b[33mBackOff(delay=1500, attempt=2)\x1b[39m');
    expect(eventLine(events.pong(new Uint8Array(1), 7, 0), plain)).toBe('Pong(data=<1 byte>, rtt=7)');
  });

  it("shortens OpenSSL's error text in a connect_fail line", () => {
    const reason = '80BCEA8EFB7F0000:error:0A00010B:SSL routines:ssl3_get_record:wrong version number:../deps/openssl/openssl/ssl/record/ssl3_record.c:350:\n';
    expect(eventLine(events.connectFail(reason, 0), colour)).toBe("\x1b[31mConnectFail(reason='TLS error: wrong version number')\x1b[39m");
  });

  it('prints one JSON object per event for --json, payloads encoded', () => {
    expect(JSON.parse(eventJson(events.text('hi', 5), 'hex'))).toEqual({ name: 'text', text: 'hi', receivedTime: 5 });
    expect(JSON.parse(eventJson(events.binary(bytes, 5), 'base64'))).toEqual({ name: 'binary', data: 'AP9BCg==', receivedTime: 5 });
    expect(JSON.parse(eventJson(events.pong(new Uint8Array([1]), 3, 5), 'hex'))).toEqual({ name: 'pong', data: '01', rtt: 3, receivedTime: 5 });
    const response = new Response(101, 'Switching Protocols', [['Upgrade', 'websocket']]);
    expect(JSON.parse(eventJson(events.ready(response, 'chat', new Set(['permessage-deflate']), 1), 'hex'))).toEqual({
      name: 'ready',
      response: { statusCode: 101, status: 'Switching Protocols', headers: { upgrade: 'websocket' } },
      protocol: 'chat',
      extensions: ['permessage-deflate'],
      receivedTime: 1,
    });
    expect(eventJson(events.closed(1000, 'bye', 17), 'hex')).toBe('{"name":"closed","code":1000,"reason":"bye","receivedTime":17}');
    expect(eventJson(events.text('a\nb', 0), 'hex')).not.toContain('\n');
  });

  it('knows which events only -v shows and which close codes are clean', () => {
    expect([events.ping(bytes, 0), events.pong(bytes, null, 0), events.poll(0)].every(isChatter)).toBe(true);
    expect([events.text('x', 0), events.closed(1000, '', 0)].some(isChatter)).toBe(false);
    expect([1000, 1001].every(isCleanCode)).toBe(true);
    expect([1002, 1005, 1011, 4001].some(isCleanCode)).toBe(false);
  });
});
