/**
 * Backpressure: a producer that paces itself on drain$, and a 256 MiB
 * message streamed from a generator with sendStream, memory staying flat.
 * Talks only to lomond's local demo echo server (127.0.0.1).
 *
 *   npx tsx examples/backpressure.ts
 */
import { firstValueFrom, lastValueFrom } from 'rxjs';
import { WebSocket } from '../lib/index.js';
import { startDemoServer } from '../lib/cli/demo-server.js';

const MiB = 1024 * 1024;

async function main(): Promise<void> {
  const server = await startDemoServer();
  const ws = new WebSocket(server.url, { maxMessageSize: 128 * MiB });
  const echoes = { count: 0, bytes: 0 };
  const events = ws.connect$({ pingRate: 0 }).subscribe((event) => {
    if (event.name === 'binary') {
      echoes.count++;
      echoes.bytes += event.data.length;
    }
  });
  await waitForReady(ws);

  // 1. Many messages, paced: send while less than 4 MiB waits, then wait for drain$ to say it fell to 1 MiB.
  const chunk = new Uint8Array(64 * 1024);
  let waits = 0;
  for (let i = 0; i < 2000; i++) {
    ws.sendBinary(chunk);
    if (ws.bufferedAmount > 4 * MiB) {
      waits++;
      await firstValueFrom(ws.drain$(MiB), { defaultValue: undefined });
    }
  }
  console.log(`sent 2000 × 64 KiB, waited for drain$ ${waits} times; bufferedAmount now ${ws.bufferedAmount} bytes`);

  // 2. One 64 MiB message from a generator: pulled only while at most 1 MiB is buffered.
  let peak = 0;
  function* produce(): Generator<Uint8Array> {
    for (let i = 0; i < 64 * 4; i++) {
      peak = Math.max(peak, process.memoryUsage().arrayBuffers);
      yield new Uint8Array(256 * 1024).fill(i & 0xff);
    }
  }
  const before = process.memoryUsage().arrayBuffers;
  await lastValueFrom(ws.sendStream(produce(), { highWaterMark: MiB }), { defaultValue: undefined });
  console.log(`streamed 64 MiB as one message; array buffers grew by at most ${((peak - before) / MiB).toFixed(1)} MiB meanwhile`);

  await firstValueFrom(ws.drain$(), { defaultValue: undefined });
  ws.close(1000, 'done');
  await new Promise<void>((resolve) => events.add(resolve));
  console.log(`the server echoed ${echoes.count} messages, ${(echoes.bytes / MiB).toFixed(0)} MiB`);
  await server.close();
}

/** Resolves at the live connection's `ready` (the example's only subscription is `events` above). */
function waitForReady(ws: WebSocket): Promise<void> {
  return new Promise((resolve) => {
    const check = (): void => (ws.isActive ? resolve() : void setImmediate(check));
    check();
  });
}

void main();
