/**
 * Hostile frame streams from a real server on 127.0.0.1 (the conformance
 * suite's scripted server): bytes after the server's Close frame in the same
 * TCP write are discarded (RFC 6455 §1.4), so the client echoes the close
 * code instead of failing on them; and a frame that announces far more than
 * is sent leaves the connection healthy.
 */
import { runCase } from '../conformance/client-harness.js';
import { close, concat, hex, ping, send, text, wait } from '../conformance/steps.js';

describe('hostile frame streams over loopback', () => {
  it.each([
    ['an invalid frame header (ff ff)', 'ff ff'],
    ['a frame with RSV1 set (c1 00)', 'c1 00'],
    ['a text frame and a ping', '81 01 61 89 00'],
  ])('echoes 1000 and reports no protocol error when %s follows the Close frame in the same write', async (_, after) => {
    const run = await runCase({ steps: [send(concat(close(1000), hex(after)))] });
    expect(run.events.map((event) => event.name)).toEqual(['connecting', 'connected', 'ready', 'poll', 'closing', 'closed', 'disconnected']);
    expect(run.closeCode).toBe(1000);
    expect(run.events.at(-1)).toMatchObject({ graceful: true });
    expect(run.pongs).toEqual([]);
  });

  it('stays healthy after a frame header that announces 100 MiB and 5 bytes of it, until the server closes', async () => {
    const announce = hex('82 7f 00 00 00 00 06 40 00 00 01 02 03 04 05');
    const run = await runCase(
      { steps: [send(text('before')), wait(20), send(announce), wait(50), (ctx) => ctx.end()] },
      { ws: { maxPayload: 200 * 1024 * 1024, maxMessageSize: 200 * 1024 * 1024 } },
    );
    expect(run.events.map((event) => event.name)).toEqual(['connecting', 'connected', 'ready', 'poll', 'text', 'disconnected']);
    expect(run.messages.map((message) => message.data.toString())).toEqual(['before']);
  });

  it('answers a ping between the fragments of a message whose first frame arrived in two writes', async () => {
    const run = await runCase({ steps: [send(hex('02 02 01')), wait(20), send(hex('02')), send(ping('p')), wait(20), send(hex('80 02 04 05')), send(close(1000))] });
    expect(run.events.map((event) => event.name)).toEqual(['connecting', 'connected', 'ready', 'poll', 'ping', 'binary', 'closing', 'closed', 'disconnected']);
    expect(run.pongs.map((pong) => pong.toString())).toEqual(['p']);
    expect([...run.messages[0]!.data]).toEqual([1, 2, 4, 5]);
  });
});
