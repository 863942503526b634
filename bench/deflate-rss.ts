/**
 * RSS over many permessage-deflate connections (issue: no zlib leak across
 * connections): 1000 × (connect with compress, echo a 4 KiB text, close)
 * against a local ws server with perMessageDeflate; prints RSS and heap
 * before, after 100 cycles (warm) and after all cycles.
 *
 *   node --expose-gc --import tsx bench/deflate-rss.ts [cycles]
 */
import { lastValueFrom, tap } from 'rxjs';
import { WebSocketServer } from 'ws';
import type { AddressInfo } from 'node:net';
import type { WebSocket as LomondClass } from '../lib/websocket.js';

const { WebSocket } = require('../dist/cjs/index.js') as { WebSocket: typeof LomondClass };

async function main(): Promise<void> {
  const cycles = Number(process.argv[2] ?? 1000);
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0, perMessageDeflate: { threshold: 0 } });
  wss.on('connection', (socket) => socket.on('message', (data, isBinary) => socket.send(data, { binary: isBinary })));
  await new Promise((resolve) => wss.once('listening', resolve));
  const url = `ws://127.0.0.1:${(wss.address() as AddressInfo).port}/`;
  const text = 'lomond '.repeat(600);
  const gc = (globalThis as { gc?: () => void }).gc ?? (() => undefined);
  const mib = (n: number): string => (n / 2 ** 20).toFixed(1);
  const sample = (label: string): void => {
    gc();
    const m = process.memoryUsage();
    console.log(`${label.padEnd(14)} rss=${mib(m.rss)} MiB heap=${mib(m.heapUsed)} MiB external=${mib(m.external)} MiB`);
  };
  sample('before');
  for (let i = 1; i <= cycles; i++) {
    const ws = new WebSocket(url, { compress: true });
    await lastValueFrom(
      ws.connect$({ pingRate: 0, poll: 60_000, closeTimeout: 2000 }).pipe(
        tap((e) => {
          if (e.name === 'ready') ws.sendText(text);
          if (e.name === 'text') ws.close();
        }),
      ),
    );
    if (i === 100) sample('after 100');
  }
  sample(`after ${cycles}`);
  wss.close();
}

void main();
