/**
 * Hostile-proof, receive backpressure: while zlib inflates a large message,
 * the frames behind it are not queued without bound: reading from the socket
 * pauses above the pipeline's high-water mark (1 MiB), so TCP pushes back on
 * the server.
 */
import { deflateRawSync } from 'node:zlib';
import { runCase } from '../conformance/client-harness.js';
import { binary, send } from '../conformance/steps.js';
import type { Step } from '../conformance/scripted-server.js';
import { serverFrame } from '../../lib/testing/server-frames.js';
import { Opcode } from '../../lib/core/opcode.js';

const MiB = 1024 * 1024;

/** A compressed binary message (RSV1) that inflates to `size` zero bytes. */
function compressedZeros(size: number): Uint8Array {
  const deflated = deflateRawSync(Buffer.alloc(size), { finishFlush: 2 /* Z_SYNC_FLUSH: the message ends with 00 00 ff ff */ });
  return serverFrame(Opcode.BINARY, deflated.subarray(0, deflated.length - 4), { rsv1: true });
}

describe('receive backpressure', () => {
  it('pauses reading while a large compressed message inflates, so the frames behind it wait in TCP', async () => {
    const frame = binary(Buffer.alloc(64 * 1024, 7));
    const count = 640; // 40 MiB of 64 KiB messages
    const total = count * frame.length;
    let written = 0;
    let writtenWhenInflated = -1;
    // The server writes plain frames behind the compressed one as fast as its socket takes them.
    const flood: Step = (ctx) =>
      new Promise<void>((resolve) => {
        const pump = (): void => {
          while (ctx.alive && written < total) {
            written += frame.length;
            if (!ctx.writeWaitingForDrain(frame, pump)) return;
          }
          resolve();
        };
        pump();
      });
    const run = await runCase(
      { steps: [send(compressedZeros(48 * MiB)), flood], extensions: 'permessage-deflate' },
      {
        ws: { compress: true, maxMessageSize: 64 * MiB },
        echo: false,
        onEvent: (event, ws) => {
          if (event.name === 'binary' && event.data.length === 48 * MiB) writtenWhenInflated = written;
          if (event.name === 'binary' && written >= total && ws.isActive) ws.close(1000, 'done');
        },
      },
    );
    // Sizes only: a diff of a 48 MiB buffer would take jest minutes to print.
    const sizes = run.events.flatMap((e) => (e.name === 'binary' ? [e.data.length] : []));
    expect(sizes[0]).toBe(48 * MiB);
    expect(sizes.slice(1)).toEqual(new Array(count).fill(64 * 1024));
    expect(run.events.slice(-2).map((e) => e.name)).toEqual(['closed', 'disconnected']);
    // Without backpressure the whole 40 MiB flood was queued behind the inflating message (measured: 40 MiB);
    // with it, what the server could write is the high-water mark plus the kernel's socket buffers (~5.5 MiB).
    expect(writtenWhenInflated).toBeGreaterThan(0);
    expect(writtenWhenInflated).toBeLessThan(16 * MiB);
  });
});
