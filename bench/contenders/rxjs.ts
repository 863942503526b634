/**
 * rxjs `webSocket()` over the plain ws client (the naive RxJS baseline: a
 * Subject over a DOM-style socket, binaryType 'arraybuffer'). It has no
 * backpressure of its own; its sender is given the shared rule through the
 * underlying socket's bufferedAmount, so that it does not queue a whole
 * sample in memory.
 */
import { webSocket, type WebSocketSubjectConfig } from 'rxjs/webSocket';
import WS from 'ws';
import { ECHO_MESSAGE, nowUs, pumped, type Contender } from './contender.js';

type Data = string | ArrayBuffer;

function subject(url: string, open?: (socket: WS) => void): ReturnType<typeof webSocket<Data>> {
  const config: WebSocketSubjectConfig<Data> = {
    url,
    WebSocketCtor: WS as unknown as { new (url: string, protocols?: string | string[]): globalThis.WebSocket },
    binaryType: 'arraybuffer',
    serializer: (value) => value,
    deserializer: (event) => event.data as Data,
    ...(open ? { openObserver: { next: (event: Event) => open(event.target as unknown as WS) } } : {}),
  };
  return webSocket<Data>(config);
}

export const rxjsWebSocket: Contender = {
  name: 'rxjs-webSocket',
  receive: (url, sink) =>
    new Promise((resolve, reject) => {
      const sub = subject(url).subscribe({
        next: (data) => {
          if (sink.push(data, typeof data === 'string' ? data.length : data.byteLength)) {
            sub.unsubscribe();
            resolve();
          }
        },
        error: (error: unknown) => (sink.done ? resolve() : error instanceof Error ? reject(error) : resolve()),
        complete: () => resolve(),
      });
    }),
  send: (url, plan, window) =>
    new Promise((resolve) => {
      const s = subject(url, (socket) => {
        window.start();
        void pumped(plan, () => socket.bufferedAmount, (payload) => s.next(payload as unknown as ArrayBuffer));
      });
      const sub = s.subscribe((data) => {
        window.finish();
        sub.unsubscribe();
        resolve(String(data));
      });
    }),
  echo: (url, count, window) =>
    new Promise((resolve) => {
      const times: number[] = [];
      let wrong = 0;
      let start = 0;
      const s = subject(url, () => {
        window.start();
        next();
      });
      const next = (): void => {
        if (times.length === count) {
          window.finish();
          sub.unsubscribe();
          resolve({ times, wrong });
          return;
        }
        start = nowUs();
        s.next(ECHO_MESSAGE);
      };
      const sub = s.subscribe((data) => {
        times.push(nowUs() - start);
        if (data !== ECHO_MESSAGE) wrong++;
        next();
      });
    }),
  open: (url, onText) =>
    new Promise((resolve) => {
      const s = subject(url, () => resolve(() => sub.unsubscribe()));
      const sub = s.subscribe((data) => void (typeof data === 'string' && onText?.(data)));
    }),
};
