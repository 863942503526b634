/**
 * BTC ticker: Lomond's classic example, updated. It connects to a public
 * exchange feed, sends an optional subscribe message on every (re)connect,
 * and prints each message, parsed with `json()` (a message that is not JSON is
 * shown on stderr and skipped: it does not end the feed). `persist` reconnects
 * with backoff, pings detect a dead feed, and Ctrl-C closes the connection
 * cleanly.
 *
 * This example needs the internet and is never run in tests. It contacts no
 * host by itself: pass the feed URL (and the subscribe message the feed
 * expects) on the command line, for example
 *
 *   npx tsx examples/btcticker.ts wss://ws.kraken.com/v2 \
 *     '{"method":"subscribe","params":{"channel":"ticker","symbol":["BTC/USD"]}}'
 */
import { tap } from 'rxjs';
import { WebSocket, isBackOff, isDisconnected, isReady, json, persist } from '../lib/index.js';

const USAGE = `usage: npx tsx examples/btcticker.ts <wss://feed-url> [subscribe-json]

  <wss://feed-url>   the exchange's WebSocket feed (needs the internet)
  [subscribe-json]   a JSON message to send after each connect, e.g. the feed's ticker subscription`;

function main(argv: string[]): number {
  const [url, subscribe] = argv;
  if (url === undefined || url === '-h' || url === '--help') {
    console.error(USAGE);
    return 2;
  }
  let message: unknown;
  if (subscribe !== undefined) {
    try {
      message = JSON.parse(subscribe);
    } catch {
      console.error(`subscribe-json is not valid JSON: ${subscribe}`);
      return 2;
    }
  }

  let ws: WebSocket;
  try {
    ws = new WebSocket(url);
  } catch (error) {
    console.error(`${(error as Error).message}\n\n${USAGE}`);
    return 2;
  }
  const subscription = ws
    .connect$({ pingRate: 15_000, pingTimeout: 40_000 })
    .pipe(
      persist({ minWait: 1000, maxWait: 30_000, minUptime: 10_000 }),
      tap((event) => {
        if (isReady(event) && message !== undefined) ws.sendJson(message);
        if (isDisconnected(event)) console.error(`disconnected: ${event.reason}`);
        if (isBackOff(event)) console.error(`reconnecting in ${Math.round(event.delay)} ms`);
      }),
      json({ onInvalid: (event) => console.error(`not JSON, skipped: ${event.text}`) }),
    )
    .subscribe((value) => console.log(JSON.stringify(value)));

  process.once('SIGINT', () => {
    subscription.unsubscribe(); // closes the connection (1001), bounded by closeTimeout
    setTimeout(() => process.exit(0), 1000).unref();
  });
  return 0;
}

process.exitCode = main(process.argv.slice(2));
