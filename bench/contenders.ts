/**
 * The clients under test, each behind one small interface so that the
 * runner can alternate them row by row: lomond, the `ws` client, Node's
 * built-in WebSocket (needs `--experimental-websocket` on Node 20), rxjs
 * `webSocket()` over `ws` (the naive RxJS baseline) and a raw net.Socket
 * byte counter (the physical ceiling of the receive path).
 */
import { randomBytes } from 'node:crypto';
import { connect as netConnect } from 'node:net';
import { webSocket } from 'rxjs/webSocket';
import WS from 'ws';
import type { WebSocket as LomondClass } from '../lib/websocket.js';

// The built package, as users run it (`npm run bench` builds first); types come from the sources.
const { WebSocket: Lomond } = require('../dist/cjs/index.js') as { WebSocket: typeof LomondClass };

/** One client implementation. */
export interface Contender {
  readonly name: string;
  /**
   * Connects to `url` and resolves after `count` messages of `size` bytes arrived; rejects with
   * {@link WrongSize} when a message of another size arrives (the row is then not comparable).
   */
  receive(url: string, count: number, size: number, compress: boolean): Promise<void>;
  /** Sends `count` messages of `payload` and resolves when the server confirmed them all. */
  send(url: string, payload: Buffer | string, count: number): Promise<void>;
  /** Round-trips `count` 64-byte messages one at a time; resolves with each latency in µs. */
  echo(url: string, count: number): Promise<number[]>;
  /** Opens an idle connection; resolves with a closer. */
  idle(url: string): Promise<() => void>;
}

/** A client delivered a message of the wrong size: its numbers for that row are not comparable. */
export class WrongSize extends Error {
  constructor(name: string, got: number, size: number) {
    super(`${name} delivered a ${got}-byte message, expected ${size}`);
  }
}

const HIGH_WATER = 1024 * 1024;
const later = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** Sends with the same backpressure rule for every contender: wait while more than 1 MiB is queued. */
async function pumped(count: number, buffered: () => number, sendOne: () => void): Promise<void> {
  for (let i = 0; i < count; i++) {
    while (buffered() > HIGH_WATER) await later();
    sendOne();
  }
}

const now = (): number => Number(process.hrtime.bigint() / 1000n);

export const lomond: Contender = {
  name: 'lomond',
  receive: (url, count, size, compress) =>
    new Promise((resolve, reject) => {
      let seen = 0;
      const ws = new Lomond(url, { compress, maxPayload: 1 << 30, maxMessageSize: 1 << 30 });
      const sub = ws.connect$({ pingRate: 0, poll: 3_600_000 }).subscribe({
        next: (event) => {
          if (event.name === 'text' || event.name === 'binary') {
            // The benches' text is ASCII: characters are bytes.
            const got = event.name === 'text' ? event.text.length : event.data.length;
            if (got !== size) {
              sub?.unsubscribe();
              reject(new WrongSize('lomond', got, size));
            } else if (++seen === count) {
              // Dropped at once, as ws's terminate(): no background close still reading the blast during the next sample.
              ws.forceDisconnect();
              sub?.unsubscribe();
              resolve();
            }
          } else if (event.name === 'connect_fail' || event.name === 'rejected') reject(new Error(event.reason));
        },
      });
    }),
  send: (url, payload, count) =>
    new Promise((resolve) => {
      const ws = new Lomond(url);
      const sub = ws.connect$({ pingRate: 0, poll: 3_600_000 }).subscribe((event) => {
        if (event.name === 'ready') {
          void pumped(count, () => ws.bufferedAmount, typeof payload === 'string' ? () => ws.sendText(payload) : () => ws.sendBinary(payload));
        } else if (event.name === 'text') {
          sub.unsubscribe();
          resolve();
        }
      });
    }),
  echo: (url, count) =>
    new Promise((resolve) => {
      const ws = new Lomond(url);
      const times: number[] = [];
      const message = 'x'.repeat(64);
      let start = 0;
      const sub = ws.connect$({ pingRate: 0, poll: 3_600_000 }).subscribe((event) => {
        if (event.name === 'text') times.push(now() - start);
        if (event.name === 'ready' || event.name === 'text') {
          if (times.length === count) {
            sub.unsubscribe();
            resolve(times);
            return;
          }
          start = now();
          ws.sendText(message);
        }
      });
    }),
  idle: (url) =>
    new Promise((resolve) => {
      const sub = new Lomond(url).connect$({ pingRate: 0, poll: 3_600_000 }).subscribe((event) => {
        if (event.name === 'ready') resolve(() => sub.unsubscribe());
      });
    }),
};

export const ws: Contender = {
  name: 'ws',
  receive: (url, count, size, compress) =>
    new Promise((resolve, reject) => {
      let seen = 0;
      const socket = new WS(url, { perMessageDeflate: compress, maxPayload: 1 << 30 });
      socket.on('message', (data: Buffer, isBinary: boolean) => {
        // ws 8 hands text over as a Buffer; an application decodes it, as lomond (and the DOM API) must.
        const got = isBinary ? data.length : data.toString().length;
        if (got !== size) {
          socket.terminate();
          reject(new WrongSize('ws', got, size));
        } else if (++seen === count) {
          socket.terminate();
          resolve();
        }
      });
      socket.on('error', reject);
    }),
  send: (url, payload, count) =>
    new Promise((resolve) => {
      const socket = new WS(url, { perMessageDeflate: false });
      socket.on('open', () => void pumped(count, () => socket.bufferedAmount, () => socket.send(payload)));
      socket.on('message', () => {
        socket.terminate();
        resolve();
      });
    }),
  echo: (url, count) =>
    new Promise((resolve) => {
      const socket = new WS(url, { perMessageDeflate: false });
      const times: number[] = [];
      const message = 'x'.repeat(64);
      let start = 0;
      const next = (): void => {
        if (times.length === count) {
          socket.terminate();
          resolve(times);
          return;
        }
        start = now();
        socket.send(message);
      };
      socket.on('open', next);
      socket.on('message', () => {
        times.push(now() - start);
        next();
      });
    }),
  idle: (url) =>
    new Promise((resolve) => {
      const socket = new WS(url, { perMessageDeflate: false });
      socket.on('open', () => resolve(() => socket.terminate()));
    }),
};

type NativeSocket = {
  binaryType: string;
  bufferedAmount: number;
  onmessage: ((event: unknown) => void) | null;
  onopen: (() => void) | null;
  onerror: ((event: unknown) => void) | null;
  send(data: unknown): void;
  close(): void;
};
const NativeWebSocket = (globalThis as { WebSocket?: new (url: string) => NativeSocket }).WebSocket;

export const native: Contender | null = NativeWebSocket
  ? {
      name: 'node-native',
      receive: (url, count, size) =>
        new Promise((resolve, reject) => {
          let seen = 0;
          const socket = new NativeWebSocket(url);
          socket.binaryType = 'arraybuffer';
          socket.onmessage = (event) => {
            const data = (event as { data: ArrayBuffer | string }).data;
            const got = typeof data === 'string' ? data.length : data.byteLength;
            if (got !== size) {
              socket.close();
              reject(new WrongSize('node-native', got, size));
            } else if (++seen === count) {
              socket.close();
              resolve();
            }
          };
          socket.onerror = (event) => reject(new Error(String(event)));
        }),
      send: (url, payload, count) =>
        new Promise((resolve) => {
          const socket = new NativeWebSocket(url);
          socket.onopen = () => void pumped(count, () => socket.bufferedAmount, () => socket.send(payload));
          socket.onmessage = () => {
            socket.close();
            resolve();
          };
        }),
      echo: (url, count) =>
        new Promise((resolve) => {
          const socket = new NativeWebSocket(url);
          const times: number[] = [];
          const message = 'x'.repeat(64);
          let start = 0;
          const next = (): void => {
            if (times.length === count) {
              socket.close();
              resolve(times);
              return;
            }
            start = now();
            socket.send(message);
          };
          socket.onopen = next;
          socket.onmessage = () => {
            times.push(now() - start);
            next();
          };
        }),
      idle: (url) =>
        new Promise((resolve) => {
          const socket = new NativeWebSocket(url);
          socket.onopen = () => resolve(() => socket.close());
        }),
    }
  : null;

export const rxjsWebSocket: Contender = {
  name: 'rxjs-webSocket',
  receive: (url, count, size) =>
    new Promise((resolve, reject) => {
      let seen = 0;
      const subject = webSocket<unknown>({
        url,
        WebSocketCtor: WS as unknown as { new (url: string, protocols?: string | string[]): globalThis.WebSocket },
        binaryType: 'arraybuffer',
        deserializer: (event) => event.data,
      });
      const sub = subject.subscribe({
        next: (data) => {
          const got = typeof data === 'string' ? data.length : (data as ArrayBuffer).byteLength;
          if (got !== size) {
            sub.unsubscribe();
            reject(new WrongSize('rxjs-webSocket', got, size));
          } else if (++seen === count) {
            sub.unsubscribe();
            resolve();
          }
        },
        error: reject,
      });
    }),
  send: (url, payload, count) =>
    new Promise((resolve) => {
      const subject = webSocket<unknown>({
        url,
        WebSocketCtor: WS as unknown as { new (url: string, protocols?: string | string[]): globalThis.WebSocket },
        binaryType: 'arraybuffer',
        serializer: (value) => value as string,
        deserializer: (event) => event.data,
      });
      const sub = subject.subscribe(() => {
        sub.unsubscribe();
        resolve();
      });
      // rxjs buffers sends until open and offers no backpressure: this is the naive baseline.
      for (let i = 0; i < count; i++) subject.next(payload);
    }),
  echo: (url, count) =>
    new Promise((resolve) => {
      const subject = webSocket<string>({
        url,
        WebSocketCtor: WS as unknown as { new (url: string, protocols?: string | string[]): globalThis.WebSocket },
        serializer: (value) => value,
        deserializer: (event) => event.data as string,
        openObserver: { next: () => next() },
      });
      const times: number[] = [];
      const message = 'x'.repeat(64);
      let start = 0;
      const next = (): void => {
        if (times.length === count) {
          sub.unsubscribe();
          resolve(times);
          return;
        }
        start = now();
        subject.next(message);
      };
      const sub = subject.subscribe(() => {
        times.push(now() - start);
        next();
      });
    }),
  idle: (url) =>
    new Promise((resolve) => {
      const subject = webSocket<unknown>({
        url,
        WebSocketCtor: WS as unknown as { new (url: string, protocols?: string | string[]): globalThis.WebSocket },
        openObserver: { next: () => resolve(() => sub.unsubscribe()) },
      });
      const sub = subject.subscribe();
    }),
};

/** The physical ceiling: a raw socket that upgrades and counts bytes. */
export function rawReceive(url: string, expectedBytes: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const target = new URL(url);
    const socket = netConnect(Number(target.port), target.hostname);
    const key = randomBytes(16).toString('base64');
    let seen = -1;
    socket.on('connect', () =>
      socket.write(`GET ${target.pathname}${target.search} HTTP/1.1\r\nHost: ${target.host}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: ${key}\r\nSec-WebSocket-Version: 13\r\n\r\n`),
    );
    socket.on('data', (chunk: Buffer) => {
      if (seen < 0) {
        const end = chunk.indexOf('\r\n\r\n');
        seen = chunk.length - end - 4;
      } else seen += chunk.length;
      if (seen >= expectedBytes) {
        socket.destroy();
        resolve();
      }
    });
    socket.on('error', reject);
  });
}
