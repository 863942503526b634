import { TestScheduler } from 'rxjs/testing';
import { HIGH_WATER, LineSender } from '../../lib/cli/sender.js';
import type { WebSocket } from '../../lib/websocket.js';

/** The part of a WebSocket the sender uses, scripted. */
class FakeSocket {
  isActive = false;
  bufferedAmount = 0;
  readonly sent: string[] = [];
  fail: Error | null = null;
  sendText(text: string): void {
    if (this.fail) throw this.fail;
    this.sent.push(text);
  }
}

function setup(scheduler = new TestScheduler((a, b) => expect(a).toEqual(b))) {
  const ws = new FakeSocket();
  const flow = { paused: 0, resumed: 0, pause: () => flow.paused++, resume: () => flow.resumed++ };
  const echoed: string[] = [];
  const failures: string[] = [];
  const sender = new LineSender(ws as unknown as WebSocket, flow, (line) => echoed.push(line), (message) => failures.push(message), scheduler);
  return { ws, flow, echoed, failures, sender, scheduler };
}

describe('LineSender', () => {
  it('holds lines while no connection is open, pausing the input, and sends them in order at ready', () => {
    const { ws, flow, echoed, sender } = setup();
    sender.push('a');
    sender.push('b');
    expect([ws.sent, flow.paused, sender.isFlushed]).toEqual([[], 2, false]);
    ws.isActive = true;
    sender.push('c');
    expect(ws.sent).toEqual([]);
    sender.ready();
    expect([ws.sent, echoed, flow.resumed, sender.isFlushed]).toEqual([['a', 'b', 'c'], ['a', 'b', 'c'], 1, true]);
    sender.push('d');
    expect(ws.sent).toEqual(['a', 'b', 'c', 'd']);
  });

  it('pauses the input while more than HIGH_WATER bytes wait in the socket, and goes on once half drained', () => {
    const { ws, flow, sender, scheduler } = setup();
    scheduler.run(({ flush }) => {
      ws.isActive = true;
      ws.bufferedAmount = HIGH_WATER + 1;
      sender.push('big');
      sender.push('next');
      expect([ws.sent, flow.paused]).toEqual([['big'], 2]);
      let flushed = false;
      sender.whenFlushed(() => (flushed = true));
      scheduler.schedule(() => (ws.bufferedAmount = HIGH_WATER / 2), 100);
      flush();
      expect([ws.sent, flow.resumed, flushed]).toEqual([['big', 'next'], 1, true]);
    });
  });

  it('whenFlushed fires at once when nothing is held', () => {
    const { sender } = setup();
    const listener = jest.fn();
    sender.whenFlushed(listener);
    expect(listener).toHaveBeenCalledTimes(1);
  });

  it('reports a send that throws and drops that line only', () => {
    const { ws, echoed, failures, sender } = setup();
    ws.isActive = true;
    ws.fail = new TypeError('boom');
    sender.push('lost');
    ws.fail = null;
    sender.push('kept');
    expect([ws.sent, echoed, failures]).toEqual([['kept'], ['kept'], ['boom']]);
  });
});
