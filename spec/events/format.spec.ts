import { events } from '../../lib/events/events.js';
import { formatEvent } from '../../lib/events/format.js';
import { Response } from '../../lib/core/response.js';

describe('formatEvent', () => {
  it('prints Python-Lomond-style reprs', () => {
    const response = new Response(101, 'Switching Protocols');
    expect(formatEvent(events.text("it's \"ok\"\n", 0))).toBe("Text(text='it\\'s \"ok\"\\n')");
    expect(formatEvent(events.ready(response, null, new Set(['permessage-deflate']), 0))).toBe("Ready(protocol=null, extensions=['permessage-deflate'])");
    expect(formatEvent(events.binary(new Uint8Array(3), 0))).toBe('Binary(data=<3 bytes>)');
    expect(formatEvent(events.poll(0))).toBe('Poll()');
    expect(formatEvent(events.disconnected('closed', true, 0))).toBe("Disconnected(reason='closed', graceful=true)");
    expect(formatEvent(events.connected('ws://x/', null, 0))).toBe("Connected(url='ws://x/', proxy=null)");
    expect(formatEvent(events.rejected(new Response(403, 'Forbidden'), 'no', 0))).toBe("Rejected(response=Response(403, 'Forbidden'), reason='no')");
    expect(formatEvent(events.closing(1000, 'bye', 0))).toBe("Closing(code=1000, reason='bye')");
    expect(formatEvent(events.backOff(1234.5, 1, 0))).toBe('BackOff(delay=1235, attempt=1)');
    expect(formatEvent(events.pong(new Uint8Array(4), 12, 0))).toBe('Pong(data=<4 bytes>, rtt=12)');
    expect(formatEvent(events.pong(new Uint8Array(0), null, 0))).toBe('Pong(data=<0 bytes>)');
    expect(formatEvent(events.protocolError('invalid opcode 0x3', false, 0))).toBe("ProtocolError(error='invalid opcode 0x3', critical=false)");
  });

  it('parses text events as JSON lazily', () => {
    expect(events.text('{"a":[1]}', 0).json).toEqual({ a: [1] });
    expect(() => events.text('nope', 0).json).toThrow(SyntaxError);
  });
});
