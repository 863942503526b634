import { TestScheduler } from 'rxjs/testing';
import { WebSocket, isReady } from 'lomond';
import { createTestServer } from 'lomond/testing';

it('subscribes once ready, with the token in a header, and closes with 1000', () => {
  const scheduler = new TestScheduler((a, b) => expect(a).toEqual(b));
  const server = createTestServer(scheduler);
  scheduler.run(() => {
    const ws = new WebSocket('wss://api.test/feed', { transport: server.transport, headers: { Authorization: 'Bearer t0k3n' } });
    ws.connect$({ scheduler, pingRate: 0, poll: 60_000 }).subscribe((event) => {
      if (isReady(event)) ws.sendJson({ op: 'subscribe', channel: 'ticker' });
    });
    scheduler.schedule(() => ws.close(), 50);
  });
  const connection = server.current; // a TestConnection: the newest one
  expect(connection.requestHeader('authorization')).toBe('Bearer t0k3n');
  expect(connection.texts).toEqual(['{"op":"subscribe","channel":"ticker"}']);
  expect(connection.frames.every((f) => f.masked)).toBe(true); // RecordedFrame: fin, rsv1, opcode, masked, payload, time
  expect(connection.frames.at(-1)).toMatchObject({ opcode: 0x8, time: 50 });
  expect(connection.clientCloseCode).toBe(1000);
});
