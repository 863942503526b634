import { Exit, Outcome } from '../../lib/cli/outcome.js';
import { Response } from '../../lib/core/response.js';
import { events, type WebSocketEvent } from '../../lib/events/events.js';

const response = new Response(101, 'Switching Protocols');
const opening: WebSocketEvent[] = [events.connecting('ws://x/', 0), events.connected('ws://x/', null, 0), events.ready(response, null, new Set(), 0)];

function outcome(list: WebSocketEvent[], ownClose = false): Outcome {
  const result = new Outcome();
  for (const event of list) {
    if (ownClose && event.name === 'closed') result.closing();
    result.observe(event);
  }
  return result;
}

describe('Outcome', () => {
  it('is 0 after our close, answered', () => {
    const result = outcome([...opening, events.closed(1000, 'goodbye', 1), events.disconnected('closed', true, 1)], true);
    expect([result.exitCode, result.summary]).toEqual([Exit.OK, null]);
  });

  it.each([1000, 1001])('is 0 after a server close with %i', (code) => {
    expect(outcome([...opening, events.closing(code, '', 1), events.closed(code, '', 1), events.disconnected('closed', true, 1)]).exitCode).toBe(Exit.OK);
  });

  it('is 1 after a server close with another code, and says which', () => {
    const result = outcome([...opening, events.closing(4001, 'auth expired', 1), events.closed(4001, 'auth expired', 1), events.disconnected('closed', true, 1)]);
    expect([result.exitCode, result.summary]).toEqual([Exit.FAILED, 'the server closed with code 4001 (auth expired)']);
    expect(outcome([...opening, events.closing(1011, '', 1), events.closed(1011, '', 1)]).summary).toBe('the server closed with code 1011');
  });

  it('is 1 for a failed, rejected, broken, silent or dropped connection', () => {
    const cases: Array<[WebSocketEvent[], string]> = [
      [[events.connecting('ws://x/', 0), events.connectFail('connect ECONNREFUSED 127.0.0.1:1', 0)], 'could not connect: connect ECONNREFUSED 127.0.0.1:1 (nothing is listening there)'],
      [[events.connecting('ws://x/', 0), events.rejected(new Response(403, 'Forbidden'), 'status 403 Forbidden', 0), events.disconnected('rejected', true, 0)], 'the server refused the upgrade: status 403 Forbidden'],
      [[...opening, events.protocolError('invalid opcode 0x3', true, 1), events.disconnected('protocol error', false, 1)], 'protocol error: invalid opcode 0x3'],
      [[...opening, events.protocolError('bad utf-8', false, 1), events.closed(1007, '', 1), events.disconnected('closed', true, 1)], 'protocol error: bad utf-8'],
      [[...opening, events.unresponsive(1), events.disconnected('unresponsive', false, 1)], 'the server went silent (nothing received within --ping-timeout)'],
      [[...opening, events.disconnected('read ECONNRESET', false, 1)], 'connection lost: read ECONNRESET'],
      [[], 'no connection was made'],
    ];
    for (const [list, summary] of cases) expect([outcome(list).exitCode, outcome(list).summary]).toEqual([Exit.FAILED, summary]);
  });

  it('is 1 when our close was never answered', () => {
    const result = new Outcome();
    for (const event of opening) result.observe(event);
    result.closing();
    result.observe(events.disconnected('close timeout', false, 1));
    expect([result.exitCode, result.summary]).toEqual([Exit.FAILED, 'the close handshake did not complete: close timeout']);
  });

  it('judges the last connection only (--persist)', () => {
    const first = [events.connecting('ws://x/', 0), events.connectFail('connect ECONNREFUSED 127.0.0.1:1', 0), events.backOff(10, 1, 0)];
    expect(outcome([...first, ...opening, events.closed(1000, 'goodbye', 2), events.disconnected('closed', true, 2)], true).exitCode).toBe(Exit.OK);
  });
});
