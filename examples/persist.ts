/**
 * Persist: keeps a connection to lomond's local demo echo server alive across
 * a server restart. The client sends "hello"; when the echo comes back the
 * server is stopped for 1.5 s, `persist` backs off and retries (printing each
 * `BackOff` and `ConnectFail`), and once the server is back the client
 * reconnects, sends again, and stops after the second echo.
 * Loopback only (127.0.0.1), no network needed:
 *
 *   npx tsx examples/persist.ts
 */
import { WebSocket, isReady, isText, persist } from '../lib/index.js';
import { formatEvent } from '../lib/events/format.js';
import { startDemoServer, type DemoServer } from '../lib/cli/demo-server.js';

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

async function main(): Promise<void> {
  let server: DemoServer = await startDemoServer();
  const port = Number(new URL(server.url).port);
  const ws = new WebSocket(server.url);
  let echoes = 0;

  const restart = async (): Promise<void> => {
    console.log('-- stopping the server for 1.5 s');
    await server.close();
    await sleep(1500);
    server = await startDemoServer({ port });
    console.log(`-- the server is back on ${server.url}`);
  };

  const stop = async (): Promise<void> => {
    subscription.unsubscribe(); // closes the live connection (1001) in the background
    await sleep(200);
    await server.close();
  };

  const subscription = ws
    .connect$({ pingRate: 1000, pingTimeout: 3000, poll: 60_000 })
    .pipe(persist({ minWait: 500, maxWait: 2000 }))
    .subscribe((event) => {
      console.log(formatEvent(event));
      if (isReady(event)) ws.sendText(echoes === 0 ? 'hello' : 'hello again');
      if (isText(event) && ++echoes === 1) void restart();
      else if (isText(event)) void stop();
    });
}

void main();
