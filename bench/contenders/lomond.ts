/** lomond, as users run it: the built package (`npm run bench` builds first), or the baseline build of an A/B run; types come from the sources. */
import type { WebSocket as LomondClass } from '../../lib/websocket.js';
import { ECHO_MESSAGE, nowUs, pumped, type Contender } from './contender.js';

// LOMOND_DIST: the baseline build of an A/B run (see contenders/index.ts BASELINE).
const dist = process.env.LOMOND_DIST ? `${process.env.LOMOND_DIST}/index.js` : '../../dist/cjs/index.js';
const { WebSocket: Lomond } = require(dist) as { WebSocket: typeof LomondClass };

/** No timers during throughput samples (ws has none either); the idle and fan-in rows use the production defaults. */
const QUIET = { pingRate: 0, poll: 3_600_000 };

export const lomond: Contender = {
  name: 'lomond',
  receive: (url, sink, compress) =>
    new Promise((resolve, reject) => {
      const ws = new Lomond(url, { compress, maxPayload: 1 << 30, maxMessageSize: 1 << 30 });
      const sub = ws.connect$(QUIET).subscribe({
        next: (event) => {
          if (event.name === 'binary') {
            if (sink.push(event.data, event.data.length)) end();
          } else if (event.name === 'text') {
            // The benches' text is ASCII: characters are bytes.
            if (sink.push(event.text, event.text.length)) end();
          } else if (event.name === 'ready' && compress && !event.extensions.has('permessage-deflate')) end();
          else if (event.name === 'connect_fail' || event.name === 'rejected') reject(new Error(event.reason));
        },
        complete: () => resolve(),
      });
      // Dropped at once, as ws's terminate(): no background close still reading during the next sample.
      function end(): void {
        ws.forceDisconnect();
        sub?.unsubscribe();
        resolve();
      }
    }),
  send: (url, plan, window) =>
    new Promise((resolve) => {
      const ws = new Lomond(url);
      const sub = ws.connect$(QUIET).subscribe((event) => {
        if (event.name === 'ready') {
          window.start();
          void pumped(plan, () => ws.bufferedAmount, (payload) => ws.sendBinary(payload));
        } else if (event.name === 'text') {
          window.finish();
          sub.unsubscribe();
          resolve(event.text);
        }
      });
    }),
  echo: (url, count, window) =>
    new Promise((resolve) => {
      const ws = new Lomond(url);
      const times: number[] = [];
      let wrong = 0;
      let start = 0;
      const sub = ws.connect$(QUIET).subscribe((event) => {
        if (event.name === 'text') {
          times.push(nowUs() - start);
          if (event.text !== ECHO_MESSAGE) wrong++;
        }
        if (event.name === 'ready') window.start();
        if (event.name === 'ready' || event.name === 'text') {
          if (times.length === count) {
            window.finish();
            sub.unsubscribe();
            resolve({ times, wrong });
            return;
          }
          start = nowUs();
          ws.sendText(ECHO_MESSAGE);
        }
      });
    }),
  open: (url, onText) =>
    new Promise((resolve, reject) => {
      const sub = new Lomond(url).connect$().subscribe((event) => {
        if (event.name === 'text') onText?.(event.text);
        else if (event.name === 'ready') resolve(() => sub.unsubscribe());
        else if (event.name === 'connect_fail' || event.name === 'rejected') reject(new Error(event.reason));
      });
    }),
};
