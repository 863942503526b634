/** Node's built-in WebSocket (undici; Node 20 needs --experimental-websocket, which bench/client-pool.ts passes on). */
import { ECHO_MESSAGE, nowUs, pumped, type Contender } from './contender.js';

interface NativeSocket {
  binaryType: string;
  bufferedAmount: number;
  extensions: string;
  onmessage: ((event: { data: ArrayBuffer | string }) => void) | null;
  onopen: (() => void) | null;
  onclose: (() => void) | null;
  onerror: ((event: unknown) => void) | null;
  send(data: unknown): void;
  close(): void;
}
const NativeWebSocket = (globalThis as { WebSocket?: new (url: string) => NativeSocket }).WebSocket;

const failed = (event: unknown): Error => new Error(`node-native: ${(event as { message?: string }).message ?? 'error'}`);

/** Null where the runtime has no WebSocket. */
export const native: Contender | null = NativeWebSocket
  ? {
      name: 'node-native',
      receive: (url, sink) =>
        new Promise((resolve, reject) => {
          const socket = new NativeWebSocket(url);
          socket.binaryType = 'arraybuffer';
          socket.onmessage = (event) => {
            const data = event.data;
            if (sink.push(data, typeof data === 'string' ? data.length : data.byteLength)) {
              socket.close();
              resolve();
            }
          };
          socket.onclose = () => resolve();
          socket.onerror = (event) => reject(failed(event));
        }),
      send: (url, plan, window) =>
        new Promise((resolve, reject) => {
          const socket = new NativeWebSocket(url);
          socket.onopen = () => {
            window.start();
            void pumped(plan, () => socket.bufferedAmount, (payload) => socket.send(payload));
          };
          socket.onmessage = (event) => {
            window.finish();
            socket.close();
            resolve(String(event.data));
          };
          socket.onerror = (event) => reject(failed(event));
        }),
      echo: (url, count, window) =>
        new Promise((resolve) => {
          const socket = new NativeWebSocket(url);
          const times: number[] = [];
          let wrong = 0;
          let start = 0;
          const next = (): void => {
            if (times.length === count) {
              window.finish();
              socket.close();
              resolve({ times, wrong });
              return;
            }
            start = nowUs();
            socket.send(ECHO_MESSAGE);
          };
          socket.onopen = () => {
            window.start();
            next();
          };
          socket.onmessage = (event) => {
            times.push(nowUs() - start);
            if (event.data !== ECHO_MESSAGE) wrong++;
            next();
          };
        }),
      open: (url, onText) =>
        new Promise((resolve, reject) => {
          const socket = new NativeWebSocket(url);
          if (onText) socket.onmessage = (event) => void (typeof event.data === 'string' && onText(event.data));
          socket.onopen = () => resolve(() => socket.close());
          socket.onerror = (event) => reject(failed(event));
        }),
    }
  : null;
