/**
 * Echo: starts lomond's local demo echo server, connects, sends three
 * messages, prints every event, and closes. No network beyond 127.0.0.1.
 *
 *   npx tsx examples/echo.ts
 */
import { tap } from 'rxjs';
import { WebSocket, isReady, isText } from '../lib/index.js';
import { formatEvent } from '../lib/events/format.js';
import { startDemoServer } from '../lib/cli/demo-server.js';

async function main(): Promise<void> {
  const server = await startDemoServer();
  const ws = new WebSocket(server.url);
  let replies = 0;
  ws.connect$({ pingRate: 1000 })
    .pipe(
      tap((event) => {
        console.log(formatEvent(event));
        if (isReady(event)) ['hello', 'from', 'lomond'].forEach((word) => ws.sendText(word));
        if (isText(event) && ++replies === 3) ws.close(1000, 'done');
      }),
    )
    .subscribe({ complete: () => void server.close() });
}

void main();
