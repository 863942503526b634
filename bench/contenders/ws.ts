/**
 * The `ws` client in three set-ups, one client process each: plain (that
 * process runs with WS_NO_BUFFER_UTIL=1, so ws masks in JavaScript), with
 * the `bufferutil` native addon (ws loads it when installed), and with
 * bufferutil plus corking per tick on the send side: the pattern a ws user
 * writes to gather many small sends into one system call
 * (`ws._socket.cork()` on the first send of a tick, `uncork()` on
 * process.nextTick), the strongest ws set-up we know for small sends.
 * On Node 26+ ws masks with Node's own `http.websocketMask` whatever the
 * set-up (bufferutil then changes nothing).
 */
import type { Socket } from 'node:net';
import WS from 'ws';
import { ECHO_MESSAGE, nowUs, pumped, type Contender } from './contender.js';

function corking(socket: WS): (payload: Buffer) => void {
  const raw = (socket as unknown as { _socket: Socket })._socket;
  let corked = false;
  const uncork = (): void => {
    corked = false;
    raw.uncork();
  };
  return (payload) => {
    if (!corked) {
      corked = true;
      raw.cork();
      process.nextTick(uncork);
    }
    socket.send(payload);
  };
}

/** A ws contender named `name`; `cork` gathers sends per tick. */
export function wsContender(name: string, cork: boolean): Contender {
  return {
    name,
    receive: (url, sink, compress) =>
      new Promise((resolve, reject) => {
        const socket = new WS(url, { perMessageDeflate: compress, maxPayload: 1 << 30 });
        socket.on('message', (data: Buffer, isBinary: boolean) => {
          // ws 8 hands text over as a Buffer; an application decodes it, as lomond (and the DOM API) must.
          const done = isBinary ? sink.push(data, data.length) : sink.push(data.toString(), data.length);
          if (done) {
            socket.terminate();
            resolve();
          }
        });
        socket.on('close', () => resolve());
        socket.on('error', reject);
      }),
    send: (url, plan, window) =>
      new Promise((resolve, reject) => {
        const socket = new WS(url, { perMessageDeflate: false });
        socket.on('open', () => {
          window.start();
          void pumped(plan, () => socket.bufferedAmount, cork ? corking(socket) : (payload) => socket.send(payload));
        });
        socket.on('message', (data: Buffer) => {
          window.finish();
          socket.terminate();
          resolve(data.toString());
        });
        socket.on('error', reject);
      }),
    echo: (url, count, window) =>
      new Promise((resolve) => {
        const socket = new WS(url, { perMessageDeflate: false });
        const times: number[] = [];
        let wrong = 0;
        let start = 0;
        const next = (): void => {
          if (times.length === count) {
            window.finish();
            socket.terminate();
            resolve({ times, wrong });
            return;
          }
          start = nowUs();
          socket.send(ECHO_MESSAGE);
        };
        socket.on('open', () => {
          window.start();
          next();
        });
        socket.on('message', (data: Buffer) => {
          times.push(nowUs() - start);
          if (data.toString() !== ECHO_MESSAGE) wrong++;
          next();
        });
      }),
    open: (url, onText) =>
      new Promise((resolve, reject) => {
        const socket = new WS(url);
        if (onText) socket.on('message', (data: Buffer, isBinary: boolean) => void (isBinary || onText(data.toString())));
        socket.on('open', () => resolve(() => socket.terminate()));
        socket.on('error', reject);
      }),
  };
}
