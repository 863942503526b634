import { TestScheduler } from 'rxjs/testing';
import { createTestServer } from 'lomond/testing';

it("plays the browser's WebSocket for code written against the DOM", () => {
  const scheduler = new TestScheduler((a, b) => expect(a).toEqual(b));
  const log: string[] = [];
  scheduler.run(() => {
    const server = createTestServer(scheduler, { echo: true });
    const socket = new server.WebSocket('ws://chat.test/', ['chat.v1']); // a TestWebSocket
    socket.binaryType = 'arraybuffer';
    socket.onopen = () => socket.send('hi');
    socket.onmessage = (event) => {
      log.push(`message ${String(event.data)}`);
      socket.close(1000, 'done');
    };
    socket.onclose = (event) => log.push(`close ${event.code} ${event.wasClean}`);
  });
  expect(log).toEqual(['message hi', 'close 1000 true']);
});
