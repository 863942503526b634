import { Subject, type Observable } from 'rxjs';
import { HIGH_WATER, LineSender } from '../../lib/cli/sender.js';
import type { WebSocket } from '../../lib/websocket.js';

/** The part of a WebSocket the sender uses, scripted. */
class FakeSocket {
  isActive = false;
  bufferedAmount = 0;
  readonly sent: string[] = [];
  fail: Error | null = null;
  /** Completes the pending drain$ when the test says the socket drained. */
  readonly drained = new Subject<void>();
  readonly marks: number[] = [];
  drain$(mark: number): Observable<void> {
    this.marks.push(mark);
    return this.drained;
  }
  sendText(text: string): void {
    if (this.fail) throw this.fail;
    this.sent.push(text);
  }
}

function setup() {
  const ws = new FakeSocket();
  const flow = { paused: 0, resumed: 0, pause: () => flow.paused++, resume: () => flow.resumed++ };
  const echoed: string[] = [];
  const failures: string[] = [];
  const sender = new LineSender(ws as unknown as WebSocket, flow, (line) => echoed.push(line), (message) => failures.push(message));
  return { ws, flow, echoed, failures, sender };
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

  it('pauses the input while more than HIGH_WATER bytes wait in the socket, and goes on once drain$ says half drained', () => {
    const { ws, flow, sender } = setup();
    ws.isActive = true;
    ws.bufferedAmount = HIGH_WATER + 1;
    sender.push('big');
    sender.push('next');
    expect([ws.sent, flow.paused, ws.marks]).toEqual([['big'], 2, [HIGH_WATER / 2]]);
    let flushed = false;
    sender.whenFlushed(() => (flushed = true));
    ws.bufferedAmount = HIGH_WATER / 2;
    ws.drained.complete();
    expect([ws.sent, flow.resumed, flushed]).toEqual([['big', 'next'], 1, true]);
  });

  it('keeps the lines held when the connection ends before it drained, for the next ready', () => {
    const { ws, sender } = setup();
    ws.isActive = true;
    ws.bufferedAmount = HIGH_WATER + 1;
    sender.push('big');
    sender.push('held');
    ws.drained.error(new Error('websocket closed before its buffered data was sent'));
    ws.bufferedAmount = 0;
    expect([ws.sent, sender.isFlushed]).toEqual([['big'], false]);
    sender.ready();
    expect(ws.sent).toEqual(['big', 'held']);
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
